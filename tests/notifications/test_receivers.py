"""Domain signals become outbox rows in the emitting transaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from comradarr import events
from content.models import SyncRun
from notifications.models import (
    NotificationBatch,
    NotificationDelivery,
    NotificationEvent,
)
from notifications.pruning import notifications_prune
from queueing.maintenance import maintenance_run
from queueing.models import RequestQueue, SweepRun
from tests.content.builders import make_connector
from tests.notifications.conftest import make_channel

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)


def test_sweep_completed_counts_episodes_series_and_movies():
    conn = make_connector("Sonarr (Main)")
    run = SweepRun.objects.create(connector=conn, started_at=T0, found=20, queued=15, entries=3)
    for series, count in ((1, 8), (1, 2), (2, 5)):
        RequestQueue.objects.create(
            connector=conn, command="EpisodeSearch", payload={}, search_type="gap", priority=1,
            scheduled_at=T0, item_count=count, series_arr_id=series, sweep=run,
        )  # fmt: skip
    run.status = "succeeded"
    events.emit(events.sweep_completed, connector=conn, run=run)
    event = NotificationEvent.objects.get()
    assert event.event_type == "sweep_completed" and event.severity == "info"
    assert (event.data["episodes"], event.data["series"], event.data["movies"]) == (15, 2, 0)
    assert event.connector_name == "Sonarr (Main)" and event.connector_type == "Sonarr"
    assert event.data["statistics"] == (
        "Found 15 missing episodes across 2 series; 15 queued in 3 searches"
    )
    assert event.data["list_path"].endswith(f"?connector={conn.pk}&filter=missing")


def test_rolled_back_change_leaves_no_event():
    conn = make_connector()
    run = SyncRun.objects.create(connector=conn, trigger="manual", kind="full", started_at=T0)
    with pytest.raises(RuntimeError), transaction.atomic():
        events.emit(events.sync_failed, connector=conn, run=run, error="boom")
        raise RuntimeError
    assert not NotificationEvent.objects.exists()
    with transaction.atomic():
        events.emit(events.sync_failed, connector=conn, run=run, error="boom")
    assert NotificationEvent.objects.get().severity == "error"


def test_health_severity_follows_the_new_state():
    conn = make_connector()
    for current in ("unhealthy", "healthy", "degraded"):
        events.emit(
            events.connector_health_changed,
            connector=conn, previous="x", current=current, message="m",
        )  # fmt: skip
    assert list(NotificationEvent.objects.order_by("id").values_list("severity", flat=True)) == [
        "error",
        "info",
        "warning",
    ]


def test_new_signals_are_recorded():
    conn = make_connector()
    events.emit(events.application_started, version="1.2.3")
    events.emit(events.items_imported, connector=conn, count=2, resolved_at=T0)
    events.emit(events.connector_paused, connector=None, reason="paused by the user")
    events.emit(events.items_grabbed, connector=conn, history=None, items=["A (2020)", ""])
    types = set(NotificationEvent.objects.values_list("event_type", flat=True))
    assert types == {"application_started", "item_imported", "connector_paused", "search_succeeded"}
    grabbed = NotificationEvent.objects.get(event_type="search_succeeded")
    assert grabbed.data["titles"] == ["A (2020)"] and grabbed.data["count"] == 2


def test_failing_receiver_never_breaks_the_engine(monkeypatch):
    conn = make_connector()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(NotificationEvent.objects, "create", broken)
    with transaction.atomic():
        events.emit(events.connector_resumed, connector=conn)
        conn.refresh_from_db()  # the transaction is still usable
    assert not NotificationEvent.objects.exists()


def test_immediate_channel_enqueues_delivery_on_commit(django_capture_on_commit_callbacks):
    make_channel(secrets={"url": "http://127.0.0.1:9"}, batch_window_minutes=0)
    with django_capture_on_commit_callbacks() as callbacks:
        events.emit(events.application_started, version="1")
    assert len(callbacks) == 1


def test_maintenance_prunes_delivery_log_after_retention(settings):
    settings.SEARCH_HISTORY_RETENTION_DAYS = 30
    channel = make_channel(secrets={"url": "http://127.0.0.1:9"})
    now = timezone.now()
    old = now - timedelta(days=31)
    event = NotificationEvent.objects.create(
        event_type="sync_failed", severity="error", occurred_at=old, routed_at=old
    )
    waiting = NotificationEvent.objects.create(
        event_type="sync_failed", severity="error", occurred_at=old, routed_at=old
    )
    sent = NotificationBatch.objects.create(
        channel=channel, created_at=old, due_at=old, status="sent"
    )
    sent.events.add(event)
    retry = NotificationBatch.objects.create(
        channel=channel, created_at=old, due_at=now, status="retry"
    )
    retry.events.add(waiting)
    NotificationDelivery.objects.create(channel=channel, batch=sent, status="sent", at=old)
    NotificationDelivery.objects.create(channel=channel, status="test", at=now)
    maintenance_run(now=now, vacuum=False)
    assert list(NotificationBatch.objects.values_list("status", flat=True)) == ["retry"]
    remaining = NotificationEvent.objects.exclude(event_type="maintenance_completed")
    assert list(remaining.values_list("pk", flat=True)) == [waiting.pk]
    assert NotificationEvent.objects.filter(event_type="maintenance_completed").exists()
    assert list(NotificationDelivery.objects.values_list("status", flat=True)) == ["test"]
    assert notifications_prune(now=now) == {"deliveries": 0, "batches": 0, "events": 0}


def test_resolution_records_item_imported_with_titles():
    from content.models import Episode
    from searchstate.models import SearchRegistry
    from searchstate.resolution import resolve_acquisitions
    from searchstate.states import SearchState
    from tests.searchstate import builders as b

    conn = b.connector()
    show = b.series(conn, title="Show")
    first, second = b.episodes(show, 1, 2)
    for episode in (first, second):
        SearchRegistry.objects.create(
            connector=conn, search_type="gap", episode=episode, state=SearchState.COOLDOWN,
            first_searched_at=b.NOW - timedelta(days=1), last_searched_at=b.NOW - timedelta(hours=2),
            search_count=1,
        )  # fmt: skip
    Episode.objects.filter(pk__in=[first.pk, second.pk]).update(
        has_file=True, file_acquired_at=b.NOW - timedelta(hours=1)
    )
    with transaction.atomic():
        assert resolve_acquisitions(connector=conn, now=b.NOW).acquisitions == 2
    event = NotificationEvent.objects.get(event_type="item_imported")
    assert event.data["count"] == 2
    assert sorted(event.data["titles"]) == ["Show S01E01", "Show S01E02"]
    assert resolve_acquisitions(connector=conn, now=b.NOW).acquisitions == 0
    assert NotificationEvent.objects.filter(event_type="item_imported").count() == 1
