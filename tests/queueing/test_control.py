"""Pause and resume, clearing the queue, removing an entry, changing an entry's priority."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from comradarr import events
from queueing import control, dispatch
from queueing.models import ConnectorThrottle, GlobalThrottle, RequestQueue
from searchstate.models import SearchRegistry
from searchstate.states import SearchState
from tests.queueing import engine_helpers as h
from tests.searchstate.builders import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    seen = []

    def paused(sender, **kw):
        seen.append(("paused", kw.get("connector"), kw.get("reason")))

    def resumed(sender, **kw):
        seen.append(("resumed", kw.get("connector"), None))

    events.connector_paused.connect(paused, weak=False)
    events.connector_resumed.connect(resumed, weak=False)
    yield seen
    events.connector_paused.disconnect(paused)
    events.connector_resumed.disconnect(resumed)


def test_pause_and_resume_per_connector_and_globally(heard, django_capture_on_commit_callbacks):
    conn, _ = h.radarr(2, prof=h.profile(batch_size=1))
    with django_capture_on_commit_callbacks(execute=False):
        control.queue_pause(connector=conn, reason="maintenance")
    assert control.is_paused(connector=conn, now=NOW)
    assert dispatch.claim_next(connector=conn, now=NOW).allowance.reason == "paused"
    with django_capture_on_commit_callbacks(execute=False):
        control.queue_resume(connector=conn)
        control.queue_pause()
    assert GlobalThrottle.load().paused
    assert dispatch.claim_next(connector=conn, now=NOW).allowance.reason == "global_paused"
    with django_capture_on_commit_callbacks(execute=False):
        control.queue_resume()
    assert dispatch.claim_next(connector=conn, now=NOW).entry is not None
    assert heard == [
        ("paused", conn, "maintenance"),
        ("resumed", conn, None),
        ("paused", None, "paused by the user"),
        ("resumed", None, None),
    ]


def test_resume_clears_an_automatic_pause():
    conn, _ = h.radarr(1)
    control.connector_error(connector=conn, message="down", now=NOW)
    row = ConnectorThrottle.objects.get(connector=conn)
    assert row.paused_until is not None and row.backoff_level == 1
    control.queue_resume(connector=conn)
    row.refresh_from_db()
    assert (row.paused_until, row.backoff_level, row.pause_reason) == (None, 0, "")


def test_clear_cancels_queued_entries_and_leaves_in_flight_alone():
    conn, _ = h.radarr(3, prof=h.profile(batch_size=1))
    other, _ = h.radarr(1, name="radarr2", prof=h.profile("p2", batch_size=1))
    in_flight = dispatch.claim_next(connector=conn, now=NOW).entry
    assert control.queue_clear(connector=conn) == 2
    assert RequestQueue.objects.filter(connector=conn, status="cancelled").count() == 2
    in_flight.refresh_from_db()
    assert in_flight.status == "dispatched"
    states = sorted(SearchRegistry.objects.filter(connector=conn).values_list("state", flat=True))
    assert states == [SearchState.PENDING, SearchState.PENDING, SearchState.SEARCHING]
    assert RequestQueue.objects.get(connector=other).status == "queued"  # other connector kept
    assert control.queue_clear() == 1


def test_remove_one_entry():
    conn, _ = h.radarr(2, prof=h.profile(batch_size=1))
    first, _second = RequestQueue.objects.order_by("pk")
    control.queue_entry_remove(entry=first)
    first.refresh_from_db()
    assert first.status == "cancelled" and not first.links.exists()
    claimed = dispatch.claim_next(connector=conn, now=NOW).entry
    with pytest.raises(control.ControlError, match="not queued"):
        control.queue_entry_remove(entry=claimed)
    ghost = RequestQueue(pk=999_999)
    with pytest.raises(control.ControlError, match="does not exist"):
        control.queue_entry_remove(entry=ghost)


def test_priority_change_reorders_claims_and_refuses_bad_values():
    conn, _ = h.radarr(3, prof=h.profile(batch_size=1))
    entries = list(RequestQueue.objects.order_by("pk"))
    last = RequestQueue.objects.due(NOW).last()
    control.queue_entry_set_priority(entry=last, priority=10_000)
    assert dispatch.claim_next(connector=conn, now=NOW).entry.pk == last.pk
    for bad in ("high", 1.5, True, None, 10**9):
        with pytest.raises(control.ControlError):
            control.queue_entry_set_priority(entry=entries[0], priority=bad)
    with pytest.raises(control.ControlError, match="not queued"):
        control.queue_entry_set_priority(entry=last, priority=1)


def test_admin_actions(client):
    conn, _ = h.radarr(2, prof=h.profile(batch_size=1))
    admin = get_user_model().objects.create_superuser("root", "r@example.com", "pw-123456789")
    client.force_login(admin)
    entry = RequestQueue.objects.order_by("pk").first()
    before = entry.priority
    url = reverse("admin:queueing_requestqueue_changelist")
    response = client.post(url, {"action": "raise_priority", "_selected_action": [entry.pk]})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.priority == before + 10
    client.post(url, {"action": "lower_priority", "_selected_action": [entry.pk]})
    entry.refresh_from_db()
    assert entry.priority == before
    client.post(url, {"action": "cancel", "_selected_action": [entry.pk]})
    entry.refresh_from_db()
    assert entry.status == "cancelled" and not entry.links.exists()
    assert SearchRegistry.objects.filter(connector=conn, state="pending").count() == 1
    row = ConnectorThrottle.for_connector(conn)
    url = reverse("admin:queueing_connectorthrottle_changelist")
    client.post(url, {"action": "pause", "_selected_action": [row.pk]})
    row.refresh_from_db()
    assert row.paused
    client.post(url, {"action": "resume", "_selected_action": [row.pk]})
    row.refresh_from_db()
    assert not row.paused
    glob = GlobalThrottle.load()
    url = reverse("admin:queueing_globalthrottle_changelist")
    client.post(url, {"action": "pause", "_selected_action": [glob.pk]})
    assert GlobalThrottle.load().paused
    client.post(url, {"action": "resume", "_selected_action": [glob.pk]})
    assert not GlobalThrottle.load().paused


def _queue_cmd(*args) -> str:
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("queue", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_queue_command():
    import json

    from django.core.management import CommandError

    _conn, _ = h.radarr(2, prof=h.profile(batch_size=1))
    assert "Paused radarr" in _queue_cmd("pause", "--connector", "radarr")
    status = json.loads(_queue_cmd("status", "--json"))
    assert status["connectors"][0]["blocked"] == "paused"
    assert status["connectors"][0]["queued"] == 2
    _queue_cmd("resume", "--connector", "radarr")
    _queue_cmd("pause")
    assert "PAUSED" in _queue_cmd("status")
    _queue_cmd("resume")
    first, second = RequestQueue.objects.order_by("pk")
    assert "priority 5" in _queue_cmd("priority", str(first.pk), "5")
    _queue_cmd("remove", str(first.pk))
    with pytest.raises(CommandError, match="not queued"):
        _queue_cmd("remove", str(first.pk))
    with pytest.raises(CommandError, match="No queue entry 999999"):
        _queue_cmd("remove", "999999")
    with pytest.raises(CommandError, match="No connector named 'x'"):
        _queue_cmd("clear", "--connector", "x")
    with pytest.raises(CommandError):
        _queue_cmd("priority", str(second.pk), "high")
    assert "Cancelled 1" in _queue_cmd("clear")
