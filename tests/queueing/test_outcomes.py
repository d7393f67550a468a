"""Each outcome of a dispatched command and the state it leaves (app faked by `responses`)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import responses

from comradarr import events
from queueing import dispatch, outcomes, polling
from queueing.models import ConnectorThrottle, DispatchLog, RequestQueue
from queueing.sweep import sweep_connector
from searchstate.models import SearchHistory, SearchRegistry, SearchSettings
from searchstate.states import SearchState
from tests.queueing import engine_helpers as h
from tests.searchstate.builders import NOW

pytestmark = pytest.mark.django_db


def client(conn):
    from queueing.engine import engine_client

    c = engine_client(conn)
    c.http.sleep = lambda s: None
    return c


@pytest.fixture
def captured():
    seen: list[tuple[str, dict]] = []
    receivers = {}
    for name in ("search_completed", "items_grabbed", "items_exhausted", "search_dispatched"):

        def receiver(sender, _name=name, **kw):
            seen.append((_name, kw))

        receivers[name] = receiver
        getattr(events, name).connect(receiver, weak=False)
    yield seen
    for name, receiver in receivers.items():
        getattr(events, name).disconnect(receiver)


def dispatched(n=3, *, command_id=101, **profile_fields):
    conn, movies = h.radarr(n, prof=h.profile(**profile_fields))
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        h.mock_radarr(rsps, command_id=command_id)
        result = dispatch.dispatch_connector(connector=conn, client=client(conn), now=NOW)
    assert result.dispatched == 1
    return conn, movies, RequestQueue.objects.get(status="dispatched")


def mock_poll(rsps, entry, status, *, grabbed=(), message=None):
    rsps.get(
        f"{h.API}/command/{entry.command_arr_id}",
        json=h.command_json(entry.command_arr_id, status, body=entry.payload, message=message),
    )
    rsps.get(
        re.compile(re.escape(h.API) + r"/history/since.*"),
        json=[
            {"id": i + 1, "eventType": "grabbed", "date": "2026-11-26T12:01:00Z", "movieId": m}
            for i, m in enumerate(grabbed)
        ],
    )


def rows(conn):
    return {r.movie_id: r for r in SearchRegistry.objects.filter(connector=conn)}


def test_grabbed_items_wait_for_import_others_back_off(
    captured, django_capture_on_commit_callbacks
):
    conn, movies, entry = dispatched(3)
    later = NOW + timedelta(minutes=2)
    with (
        responses.RequestsMock(assert_all_requests_are_fired=False) as rsps,
        django_capture_on_commit_callbacks(execute=False),
    ):
        mock_poll(rsps, entry, "completed", grabbed=[movies[0].arr_id], message="1 reports")
        result = polling.poll_connector(connector=conn, client=client(conn), now=later)
        since = [c.request.url for c in rsps.calls if "history/since" in c.request.url]
    assert result.finished == {"grabbed": 1}
    assert "eventType=grabbed" in since[0]
    state = rows(conn)
    grabbed = state[movies[0].pk]
    assert grabbed.state == SearchState.COOLDOWN and grabbed.attempts == 0
    assert grabbed.next_eligible_at == later + timedelta(hours=24)
    for movie in movies[1:]:
        row = state[movie.pk]
        assert row.state == SearchState.COOLDOWN and row.attempts == 1
        assert row.failure_category == "no_results"
    history = SearchHistory.objects.get()
    assert history.outcome == "grabbed" and history.items_grabbed == 1
    # Each searched item says whether it was the one grabbed (the item page shows it).
    assert history.item_outcome(movies[0].arr_id) == "grabbed"
    assert {history.item_outcome(m.arr_id) for m in movies[1:]} == {"no_result"}
    assert history.message == "1 reports" and history.duration_seconds == 120
    entry.refresh_from_db()
    assert entry.status == "done" and not entry.links.exists()
    names = [n for n, _ in captured]
    assert names[0] == "search_dispatched"
    assert "search_completed" in names and "items_grabbed" in names
    sent = captured[0][1]
    assert (sent["entry_id"], sent["command_name"], sent["item_count"]) == (
        entry.pk,
        "MoviesSearch",
        3,
    )
    grabbed_event = next(kw for n, kw in captured if n == "items_grabbed")
    assert grabbed_event["items"] == [movies[0].title]


def test_no_results_backs_off_then_exhausts(captured, django_capture_on_commit_callbacks):
    conn, _movies, entry = dispatched(1, command_id=5)
    SearchSettings.objects.create(connector=conn, max_attempts=2, cooldown_hours=10)
    t1 = NOW + timedelta(minutes=1)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mock_poll(rsps, entry, "completed")
        polling.poll_connector(connector=conn, client=client(conn), now=t1)
    row = SearchRegistry.objects.get(connector=conn)
    assert (row.state, row.attempts) == (SearchState.COOLDOWN, 1)
    assert row.next_eligible_at == t1 + timedelta(hours=10)
    assert SearchHistory.objects.get().outcome == "no_results"

    # Eligible again: swept, dispatched, nothing found a second time -> exhausted.
    t2 = row.next_eligible_at + timedelta(minutes=1)
    sweep_connector(connector=conn, downloading=frozenset(), now=t2)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        h.mock_radarr(rsps, command_id=6)
        dispatch.dispatch_connector(connector=conn, client=client(conn), now=t2)
    entry = RequestQueue.objects.get(status="dispatched")
    with (
        responses.RequestsMock(assert_all_requests_are_fired=False) as rsps,
        django_capture_on_commit_callbacks(execute=False),
    ):
        mock_poll(rsps, entry, "completed")
        polling.poll_connector(connector=conn, client=client(conn), now=t2 + timedelta(minutes=1))
    row.refresh_from_db()
    assert (row.state, row.attempts) == (SearchState.EXHAUSTED, 2)
    assert any(n == "items_exhausted" for n, _ in captured)


def test_backoff_grows_with_attempts_up_to_the_cap():
    conn, _movies, entry = dispatched(1)
    SearchSettings.objects.create(
        connector=conn, cooldown_hours=10, backoff_multiplier=3, cooldown_cap_hours=50
    )
    SearchRegistry.objects.filter(connector=conn).update(attempts=2)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mock_poll(rsps, entry, "completed")
        polling.poll_connector(connector=conn, client=client(conn), now=NOW)
    row = SearchRegistry.objects.get(connector=conn)
    # attempts 3 -> 10 h * 3^2 = 90 h, capped at 50 h.
    assert row.attempts == 3 and row.next_eligible_at == NOW + timedelta(hours=50)


@pytest.mark.parametrize("status", ["failed", "aborted", "orphaned"])
def test_failed_command_cools_down_without_an_attempt(status):
    conn, _movies, entry = dispatched(2)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mock_poll(rsps, entry, status, message="Indexer error")
        result = polling.poll_connector(connector=conn, client=client(conn), now=NOW)
    assert result.finished == {"failed": 1}
    for row in SearchRegistry.objects.filter(connector=conn):
        assert row.state == SearchState.COOLDOWN and row.attempts == 0
        assert row.failure_category == "indexer_error"
        assert row.next_eligible_at == NOW + timedelta(hours=24)
    assert SearchHistory.objects.get().message == "Indexer error"


def test_command_still_running_after_timeout_times_out():
    conn, _movies, entry = dispatched(1, command_timeout_seconds=600)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mock_poll(rsps, entry, "started")
        rsps.remove(responses.GET, re.compile(re.escape(h.API) + r"/history/since.*"))
        early = polling.poll_connector(connector=conn, client=client(conn), now=NOW)
        late = polling.poll_connector(
            connector=conn, client=client(conn), now=NOW + timedelta(seconds=601)
        )
    assert early.finished == {} and late.finished == {"timeout": 1}
    row = SearchRegistry.objects.get(connector=conn)
    assert row.state == SearchState.COOLDOWN and row.failure_category == "timeout"


def test_poll_connector_error_keeps_the_command_in_flight_and_backs_off():
    import requests

    conn, _movies, entry = dispatched(1)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.get(
            f"{h.API}/command/{entry.command_arr_id}",
            body=requests.exceptions.ConnectionError("down"),
        )
        result = polling.poll_connector(connector=conn, client=client(conn), now=NOW)
    assert result.errors
    entry.refresh_from_db()
    assert entry.status == "dispatched" and entry.poll_errors == 1
    assert SearchRegistry.objects.get(connector=conn).state == SearchState.SEARCHING
    assert ConnectorThrottle.objects.get(connector=conn).backoff_level == 1


def test_outcome_is_recorded_once():
    conn, _movies, entry = dispatched(1)
    first = outcomes.outcome_completed(entry=entry, grabbed_arr_ids=[], message="", now=NOW)
    second = outcomes.outcome_completed(entry=entry, grabbed_arr_ids=[], message="", now=NOW)
    assert first is not None and second is None
    assert SearchRegistry.objects.get(connector=conn).attempts == 1


# --- crash recovery ------------------------------------------------------------------------


def claimed_not_posted(n=2):
    """A worker claimed (and spent) but died before the POST or before recording its id."""
    conn, movies = h.radarr(n, prof=h.profile())
    claim = dispatch.claim_next(connector=conn, now=NOW)
    assert claim.entry is not None
    return conn, movies, claim.entry


def test_recovery_requeues_a_command_the_app_never_got():
    conn, _movies, entry = claimed_not_posted()
    grace = polling.stale_after(conn)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        result = polling.poll_connector(connector=conn, client=client(conn), now=NOW)
        assert len(rsps.calls) == 0  # within the grace: a live worker may still post it
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.get(h.API + "/command", json=[h.command_json(9, "completed", body={"name": "X"})])
        result = polling.poll_connector(
            connector=conn, client=client(conn), now=NOW + grace + timedelta(seconds=1)
        )
    assert result.requeued == 1
    entry.refresh_from_db()
    assert entry.status == "queued" and entry.command_arr_id is None
    assert {r.state for r in SearchRegistry.objects.filter(connector=conn)} == {"queued"}
    assert {r.search_count for r in SearchRegistry.objects.filter(connector=conn)} == {0}
    assert not DispatchLog.objects.exists()


def test_recovery_finds_the_posted_command_and_polls_it_once():
    conn, _movies, entry = claimed_not_posted()
    body = dict(entry.payload)
    late = NOW + polling.stale_after(conn) + timedelta(seconds=1)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.get(
            h.API + "/command",
            json=[
                h.command_json(41, "completed", body={"name": "MoviesSearch", "movieIds": [1]}),
                h.command_json(42, "started", body=body),
            ],
        )
        rsps.get(f"{h.API}/command/42", json=h.command_json(42, "started", body=body))
        result = polling.poll_connector(connector=conn, client=client(conn), now=late)
    assert result.recovered == 1 and result.requeued == 0
    entry.refresh_from_db()
    assert entry.status == "dispatched" and entry.command_arr_id == 42
    assert SearchHistory.objects.get().command_arr_id == 42
    assert DispatchLog.objects.count() == 1  # spent once, not refunded


def test_recovery_after_the_app_forgot_cools_down_instead_of_searching_again():
    conn, _movies, _entry = claimed_not_posted(1)
    late = NOW + polling.COMMAND_MEMORY + timedelta(minutes=1)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.get(h.API + "/command", json=[])
        result = polling.poll_connector(connector=conn, client=client(conn), now=late)
    assert result.finished == {"timeout": 1}
    row = SearchRegistry.objects.get(connector=conn)
    assert row.state == SearchState.COOLDOWN and row.attempts == 0


def test_searching_rows_without_an_entry_return_to_pending():
    conn, _movies, entry = dispatched(2)
    RequestQueue.objects.filter(pk=entry.pk).delete()  # removed by hand (links cascade)
    with responses.RequestsMock(assert_all_requests_are_fired=False):
        polling.poll_connector(connector=conn, client=client(conn), now=NOW)
    assert {r.state for r in SearchRegistry.objects.filter(connector=conn)} == {"pending"}


def test_rate_limited_poll_pauses_the_connector_and_keeps_the_command():
    conn, _movies, entry = dispatched(1, rate_limit_pause_seconds=600)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.get(f"{h.API}/command/{entry.command_arr_id}", status=429)
        c = client(conn)
        c.http.max_retries = 0
        polling.poll_connector(connector=conn, client=c, now=NOW)
    row = ConnectorThrottle.objects.get(connector=conn)
    assert row.paused_until == NOW + timedelta(seconds=600)
    entry.refresh_from_db()
    assert entry.status == "dispatched"


def test_disabled_connector_commands_time_out_without_http():
    from queueing.engine import run_tick

    conn, _movies, entry = dispatched(1, command_timeout_seconds=600)
    conn.enabled = False
    conn.save()
    with responses.RequestsMock() as rsps:
        report = run_tick(now=NOW + timedelta(seconds=30))
        assert report.finished == {}
        report = run_tick(now=NOW + timedelta(seconds=601))
        assert len(rsps.calls) == 0
    assert report.finished == {"timeout": 1}
    entry.refresh_from_db()
    assert entry.status == "done"
    assert SearchRegistry.objects.get(connector=conn).state == SearchState.COOLDOWN


def test_a_grab_that_never_imports_is_eligible_again_after_the_profiles_window():
    conn, movies, entry = dispatched(2, grab_cooldown_hours=3)
    later = NOW + timedelta(minutes=2)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mock_poll(rsps, entry, "completed", grabbed=[movies[0].arr_id])
        polling.poll_connector(connector=conn, client=client(conn), now=later)
    assert rows(conn)[movies[0].pk].next_eligible_at == later + timedelta(hours=3)

    def queued_after(hours):
        moment = later + timedelta(hours=hours)
        sweep_connector(connector=conn, kind="gaps", downloading=frozenset(), now=moment)
        return set(
            SearchRegistry.objects.filter(
                connector=conn, queue_links__entry__status="queued"
            ).values_list("movie_id", flat=True)
        )

    # Still within the window (the movie never imported): not searched again yet.
    assert movies[0].pk not in queued_after(2)
    # The window is over and the file never came: the movie is planned again.
    assert movies[0].pk in queued_after(3.1)
