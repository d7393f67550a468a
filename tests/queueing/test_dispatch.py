"""Dispatch with the app faked by `responses`: claim, back-pressure, POST errors."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import requests
import responses

from queueing import dispatch
from queueing.models import ConnectorThrottle, DispatchLog, RequestQueue
from searchstate.models import SearchHistory, SearchRegistry
from searchstate.states import SearchState
from tests.queueing import engine_helpers as h
from tests.searchstate.builders import NOW

pytestmark = pytest.mark.django_db


def client(conn):
    from queueing.engine import engine_client

    c = engine_client(conn)
    c.http.sleep = lambda s: None
    return c


def states(conn) -> dict[str, int]:
    out: dict[str, int] = {}
    for s in SearchRegistry.objects.filter(connector=conn).values_list("state", flat=True):
        out[s] = out.get(s, 0) + 1
    return out


@responses.activate
def test_dispatch_claims_best_entry_marks_searching_and_records_command():
    conn, movies = h.radarr(3, prof=h.profile(batch_size=10, max_in_flight=1))
    h.mock_radarr(responses, command_id=77)
    result = dispatch.dispatch_connector(connector=conn, client=client(conn), now=NOW)
    assert result.dispatched == 1
    assert result.blocked == "in_flight"
    entry = RequestQueue.objects.get()
    assert entry.status == "dispatched" and entry.command_arr_id == 77
    posted = json.loads(responses.calls[-1].request.body)
    assert posted["name"] == "MoviesSearch"
    assert posted["movieIds"] == sorted(m.arr_id for m in movies)
    assert states(conn) == {"searching": 3}
    history = SearchHistory.objects.get()
    assert history.command_arr_id == 77 and history.item_count == 3
    assert {i["title"] for i in history.items} == {m.title for m in movies}
    assert DispatchLog.objects.get().estimated_queries == 3
    throttle = ConnectorThrottle.objects.get(connector=conn)
    assert throttle.last_dispatch_at == NOW


@responses.activate
def test_back_pressure_blocks_at_threshold_and_posts_nothing():
    conn, _ = h.radarr(2, prof=h.profile(queue_threshold=15))
    h.mock_radarr(responses, queue_total=15)
    result = dispatch.dispatch_connector(connector=conn, client=client(conn), now=NOW)
    assert result.dispatched == 0 and result.blocked == "back_pressure"
    assert not any(c.request.method == "POST" for c in responses.calls)
    assert states(conn) == {"queued": 2}
    # Remembered for the queue page ("waiting for the download queue to drain") ...
    assert ConnectorThrottle.objects.get(connector=conn).back_pressure_at == NOW


@responses.activate
def test_back_pressure_is_forgotten_once_the_download_queue_has_room():
    conn, _ = h.radarr(1, prof=h.profile(queue_threshold=15))
    ConnectorThrottle.objects.filter(connector=conn).update(back_pressure_at=NOW)
    h.mock_radarr(responses, queue_total=0)
    result = dispatch.dispatch_connector(connector=conn, client=client(conn), now=NOW)
    assert result.dispatched == 1
    assert ConnectorThrottle.objects.get(connector=conn).back_pressure_at is None


@responses.activate
def test_below_threshold_items_already_downloading_are_dropped():
    conn, movies = h.radarr(3, prof=h.profile(queue_threshold=15))
    h.mock_radarr(responses, queue_total=1, queue_movies=[movies[0].arr_id])
    result = dispatch.dispatch_connector(connector=conn, client=client(conn), now=NOW)
    assert result.dispatched == 1 and result.dropped_downloading == 1
    posted = json.loads(responses.calls[-1].request.body)
    assert movies[0].arr_id not in posted["movieIds"] and len(posted["movieIds"]) == 2
    assert SearchRegistry.objects.get(movie=movies[0]).state == SearchState.PENDING
    assert SearchHistory.objects.get().item_count == 2


@responses.activate
def test_entry_whose_items_all_download_is_cancelled_not_posted():
    conn, movies = h.radarr(1, prof=h.profile())
    h.mock_radarr(responses, queue_total=1, queue_movies=[movies[0].arr_id])
    result = dispatch.dispatch_connector(connector=conn, client=client(conn), now=NOW)
    assert result.dispatched == 0 and result.blocked == "idle"
    assert RequestQueue.objects.get().status == "cancelled"
    assert not DispatchLog.objects.exists()


@responses.activate
def test_nothing_due_is_idle_without_http():
    conn, _ = h.radarr(1, prof=h.profile(), now=NOW + timedelta(hours=1))
    result = dispatch.dispatch_connector(connector=conn, client=client(conn), now=NOW)
    assert result.blocked == "idle" and len(responses.calls) == 0


@responses.activate
def test_unreachable_requeues_without_counting_and_backs_off():
    conn, _ = h.radarr(2, prof=h.profile(error_cooldown_seconds=60))
    responses.get(h.API + "/queue/status", json={"totalCount": 0})
    responses.post(h.API + "/command", body=requests.exceptions.ConnectionError("refused"))
    result = dispatch.dispatch_connector(connector=conn, client=client(conn), now=NOW)
    assert result.dispatched == 0 and result.errors
    entry = RequestQueue.objects.get()
    assert entry.status == "queued" and entry.history_id is None
    assert entry.scheduled_at >= NOW + timedelta(seconds=60)
    rows = SearchRegistry.objects.filter(connector=conn)
    assert {r.state for r in rows} == {SearchState.QUEUED}
    assert {r.search_count for r in rows} == {0}
    assert not DispatchLog.objects.exists()  # refunded: nothing reached an indexer
    throttle = ConnectorThrottle.objects.get(connector=conn)
    assert throttle.backoff_level == 1 and throttle.paused_until == NOW + timedelta(seconds=60)
    assert SearchHistory.objects.get().outcome == "connector_error"
    # The second error doubles the pause.
    responses.get(h.API + "/queue/status", body=requests.exceptions.ConnectionError("refused"))
    later = NOW + timedelta(seconds=61)
    RequestQueue.objects.update(scheduled_at=later)
    result = dispatch.dispatch_connector(connector=conn, client=client(conn), now=later)
    throttle.refresh_from_db()
    assert throttle.backoff_level == 2
    assert throttle.paused_until == later + timedelta(seconds=120)


@responses.activate
@pytest.mark.parametrize(
    ("status", "outcome", "entry_status", "state"),
    [
        # The app is down or behind a failing proxy: nothing was searched, try again later.
        (502, "connector_error", "queued", SearchState.QUEUED),
        (503, "connector_error", "queued", SearchState.QUEUED),
        # The app answered and threw while accepting the command: a failed command.
        (500, "failed", "done", SearchState.COOLDOWN),
    ],
)
def test_server_errors_on_post(status, outcome, entry_status, state):
    conn, _ = h.radarr(2, prof=h.profile(error_cooldown_seconds=60))
    responses.get(h.API + "/queue/status", json={"totalCount": 0})
    responses.post(h.API + "/command", status=status, json={"message": "boom"})
    result = dispatch.dispatch_connector(connector=conn, client=client(conn), now=NOW)
    assert result.dispatched == 0 and result.errors
    assert RequestQueue.objects.get().status == entry_status
    rows = SearchRegistry.objects.filter(connector=conn)
    assert {r.state for r in rows} == {state}
    assert {r.attempts for r in rows} == {0}  # no attempt counted either way
    assert SearchHistory.objects.get().outcome == outcome


@responses.activate
def test_auth_rejected_pauses_marks_unhealthy_and_loses_nothing():
    conn, _ = h.radarr(2, prof=h.profile())
    responses.get(h.API + "/queue/status", json={"totalCount": 0})
    responses.post(h.API + "/command", status=401, json={"message": "Unauthorized"})
    result = dispatch.dispatch_connector(connector=conn, client=client(conn), now=NOW)
    assert result.dispatched == 0
    conn.refresh_from_db()
    assert conn.health_status == "unhealthy" and not conn.is_usable
    throttle = ConnectorThrottle.objects.get(connector=conn)
    assert throttle.paused_until > NOW + timedelta(days=365)
    assert throttle.pause_reason == "API key rejected"
    assert RequestQueue.objects.get().status == "queued"
    assert states(conn) == {"queued": 2}
    assert SearchHistory.objects.get().outcome == "auth_rejected"
    # A later good health check lifts the pause by itself.
    from queueing import control

    conn.health_status = "healthy"
    conn.last_health_check_at = NOW + timedelta(minutes=5)
    conn.save()
    assert control.connector_recovered(connector=conn, now=NOW + timedelta(minutes=6))
    throttle.refresh_from_db()
    assert throttle.paused_until is None


@responses.activate
def test_rate_limited_post_pauses_for_retry_after_and_extends_cooldown():
    conn, _ = h.radarr(1, prof=h.profile())
    responses.get(h.API + "/queue/status", json={"totalCount": 0})
    responses.post(h.API + "/command", status=429, headers={"Retry-After": "7200"})
    conn_client = client(conn)
    conn_client.http.max_retries = 0
    dispatch.dispatch_connector(connector=conn, client=conn_client, now=NOW)
    throttle = ConnectorThrottle.objects.get(connector=conn)
    assert throttle.paused_until == NOW + timedelta(seconds=7200)
    row = SearchRegistry.objects.get(connector=conn)
    assert row.state == SearchState.COOLDOWN and row.failure_category == "rate_limited"
    assert row.next_eligible_at >= NOW + timedelta(hours=24)
    assert row.attempts == 0
    assert SearchHistory.objects.get().outcome == "rate_limited"


@responses.activate
def test_rate_limit_without_retry_after_uses_profile_pause():
    conn, _ = h.radarr(1, prof=h.profile(rate_limit_pause_seconds=900))
    responses.get(h.API + "/queue/status", status=429)
    conn_client = client(conn)
    conn_client.http.max_retries = 0
    result = dispatch.dispatch_connector(connector=conn, client=conn_client, now=NOW)
    assert result.blocked == "connector_error"
    throttle = ConnectorThrottle.objects.get(connector=conn)
    assert throttle.paused_until == NOW + timedelta(seconds=900)
    assert RequestQueue.objects.get().status == "queued"  # nothing was claimed


@responses.activate
def test_post_read_timeout_leaves_entry_for_recovery():
    import requests

    conn, _ = h.radarr(1, prof=h.profile())
    responses.get(h.API + "/queue/status", json={"totalCount": 0})
    responses.post(h.API + "/command", body=requests.exceptions.ReadTimeout("slow"))
    dispatch.dispatch_connector(connector=conn, client=client(conn), now=NOW)
    entry = RequestQueue.objects.get()
    # The app may have queued it: in flight without an id until recovery decides.
    assert entry.status == "dispatched" and entry.command_arr_id is None
    assert SearchRegistry.objects.get().state == SearchState.SEARCHING


@responses.activate
def test_paused_and_unusable_connectors_are_not_dispatched():
    from queueing import control

    conn, _ = h.radarr(1, prof=h.profile())
    control.queue_pause(connector=conn)
    assert dispatch.dispatch_connector(connector=conn, client=None, now=NOW).blocked == "paused"
    control.queue_resume(connector=conn)
    control.queue_pause()
    result = dispatch.dispatch_connector(connector=conn, client=None, now=NOW)
    assert result.blocked == "global_paused"
    control.queue_resume()
    conn.health_status = "offline"
    result = dispatch.dispatch_connector(connector=conn, client=None, now=NOW)
    assert result.blocked == "unusable"
    assert len(responses.calls) == 0


def _season_pack(n_episodes: int):
    from queueing.sweep import sweep_connector
    from tests.searchstate import builders as b

    conn = b.connector("sonarr", kind="sonarr", app_version="4.0.19.2979")
    h.assign(conn, h.profile())
    show = b.series(conn, title="Show")
    episodes = b.episodes(show, 1, n_episodes)
    assert sweep_connector(connector=conn, downloading=frozenset(), now=NOW).status == "succeeded"
    entry = RequestQueue.objects.get(connector=conn)
    assert entry.command == "SeasonSearch" and entry.item_count == n_episodes
    return conn, episodes, entry


def _mock_sonarr_queue(episode_arr_ids):
    import re

    api = "http://127.0.0.1:1/api/v3"
    responses.get(api + "/queue/status", json={"totalCount": len(episode_arr_ids)})
    records = [{"id": i + 1, "episodeId": e, "seriesId": 1} for i, e in enumerate(episode_arr_ids)]
    responses.get(
        re.compile(re.escape(api) + r"/queue\b.*"),
        json={"page": 1, "pageSize": 1000, "totalRecords": len(records), "records": records},
    )
    responses.post(api + "/command", json=h.command_json(55, "queued"), status=201)


@responses.activate
def test_a_season_pack_no_longer_answers_for_episodes_already_downloading():
    conn, episodes, entry = _season_pack(4)
    _mock_sonarr_queue([episodes[0].arr_id])
    result = dispatch.dispatch_connector(connector=conn, client=client(conn), now=NOW)
    assert result.dispatched == 1 and result.dropped_downloading == 1
    posted = json.loads(responses.calls[-1].request.body)
    assert posted["name"] == "SeasonSearch" and posted["seasonNumber"] == 1
    assert SearchRegistry.objects.get(episode=episodes[0]).state == SearchState.PENDING
    entry.refresh_from_db()
    assert entry.item_count == 3 and entry.links.count() == 3


@responses.activate
def test_a_season_pack_whose_episodes_all_download_is_cancelled_not_posted():
    conn, episodes, entry = _season_pack(3)
    _mock_sonarr_queue([e.arr_id for e in episodes])
    result = dispatch.dispatch_connector(connector=conn, client=client(conn), now=NOW)
    assert result.dispatched == 0 and result.dropped_downloading == 3
    assert not any(c.request.method == "POST" for c in responses.calls)
    entry.refresh_from_db()
    assert entry.status == "cancelled"
    assert states(conn) == {"pending": 3}
