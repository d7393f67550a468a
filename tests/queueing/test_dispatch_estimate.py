"""The estimated dispatch time of queued entries, one throttle situation per test (real DB)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from queueing.dispatch_estimate import Estimate, estimate_entry
from queueing.models import ConnectorThrottle, DispatchLog, GlobalThrottle, RequestQueue
from queueing.queue_status import queue_status
from tests.queueing import engine_helpers as h
from tests.searchstate import builders

pytestmark = pytest.mark.django_db

#: Spaced 60 s (the per-minute window never binds), up to 10 an hour.
SLOW = {
    "commands_per_minute": 2,
    "commands_per_hour": 10,
    "min_interval_seconds": 60,
    "interval_jitter_seconds": 0,
    "max_in_flight": 1,
    "daily_budget": 1000,
}


def setup(n: int = 3, **profile):
    conn = builders.connector("Living room", "sonarr")
    h.assign(conn, h.profile("slow", **{**SLOW, **profile}))
    now = timezone.now()
    entries = [
        RequestQueue.objects.create(
            connector=conn,
            command="EpisodeSearch",
            payload={"name": "EpisodeSearch", "episodeIds": [i]},
            search_type="gap",
            priority=100 - i,
            scheduled_at=now - timedelta(minutes=5),
            item_count=1,
            estimated_queries=3,
        )
        for i in range(n)
    ]
    return conn, entries, now


def estimates(now) -> list[Estimate]:
    return [e.estimate for e in queue_status(now=now).upcoming]


def sent(conn, *moments, queries: int = 1) -> None:
    for at in moments:
        DispatchLog.objects.create(connector=conn, dispatched_at=at, estimated_queries=queries)


def test_free_slot_goes_now_and_the_next_ones_a_min_interval_apart():
    _, _, now = setup()
    first, second, third = estimates(now)
    assert first.at == now and first.words(now) == "now" and first.reason == ""
    assert second.at == now + timedelta(seconds=60)
    assert third.at == now + timedelta(seconds=120)
    assert third.words(now) == "in about 2 min"


def test_the_jitter_counts_at_its_mean():
    _, _, now = setup(2, min_interval_seconds=60, interval_jitter_seconds=60)
    first, second = estimates(now)
    assert second.at - first.at == timedelta(seconds=90)


def test_min_interval_pending_moves_the_first_slot():
    conn, _, now = setup(2)
    ConnectorThrottle.objects.filter(connector=conn).update(
        next_dispatch_at=now + timedelta(seconds=240)
    )
    first, second = estimates(now)
    assert first.at == now + timedelta(seconds=240) and first.words(now) == "in about 4 min"
    assert second.at == now + timedelta(seconds=300)


def test_hourly_cap_reached_waits_for_the_oldest_send_to_leave_the_hour():
    conn, _, now = setup(2, commands_per_hour=3)
    sent(
        conn, now - timedelta(minutes=50), now - timedelta(minutes=40), now - timedelta(minutes=30)
    )
    first, second = estimates(now)
    assert first.at == now + timedelta(minutes=10, seconds=2)
    # The next one waits for the second oldest, 10 minutes later again.
    assert second.at == now + timedelta(minutes=20, seconds=2)
    assert first.reason == ""  # spacing, not a stop


def test_daily_budget_spent_says_so_and_gives_no_time():
    conn, _, now = setup(2, daily_budget=10)
    sent(conn, now - timedelta(hours=2), queries=10)
    first, second = estimates(now)
    assert first.at is None and second.at is None
    assert first.reason == "daily budget spent"
    assert first.words(now) == "after the budget frees up"


def test_budget_running_out_in_the_queue_stops_the_later_entries():
    conn, _, now = setup(3, daily_budget=10)
    sent(conn, now - timedelta(hours=2), queries=4)  # 6 left: two entries of 3 queries
    first, second, third = estimates(now)
    assert first.at == now and second.at is not None
    assert third.at is None and third.reason == "daily budget spent"


def test_in_flight_at_max_waits_for_a_running_search():
    _conn, entries, now = setup(2)
    RequestQueue.objects.filter(pk=entries[0].pk).update(status="dispatched", dispatched_at=now)
    (only,) = estimates(now)
    assert only.at is None
    assert only.reason == "searches in flight at the limit"
    assert only.words(now) == "after a running search finishes"


def test_paused_by_the_user():
    conn, _, now = setup(1)
    ConnectorThrottle.objects.filter(connector=conn).update(paused=True)
    (only,) = estimates(now)
    assert only.at is None and only.reason == "paused by the user"
    assert only.words(now) == "after the pause ends"


def test_everything_paused():
    _, _, now = setup(1)
    GlobalThrottle.objects.update_or_create(
        pk=GlobalThrottle.SINGLETON_PK, defaults={"paused": True}
    )
    (only,) = estimates(now)
    assert only.at is None and only.reason == "all processing paused by the user"


def test_automatic_pause_with_an_end_starts_the_walk_there():
    conn, _, now = setup(2)
    ConnectorThrottle.objects.filter(connector=conn).update(
        paused_until=now + timedelta(minutes=30), pause_reason="rate limited by the app"
    )
    first, second = estimates(now)
    assert first.at == now + timedelta(minutes=30)
    assert second.at == now + timedelta(minutes=31)
    local = timezone.localtime(now + timedelta(minutes=30)).strftime("%H:%M")
    assert first.reason == f"paused until {local}: rate limited by the app"


def test_back_pressure_waits_for_the_download_queue():
    conn, _, now = setup(1)
    ConnectorThrottle.objects.filter(connector=conn).update(back_pressure_at=now)
    (only,) = estimates(now)
    assert only.at is None
    assert only.reason == "waiting for the download queue to drain"
    assert only.words(now) == "after the download queue drains"


def test_remembered_back_pressure_does_not_stop_a_queue_with_nothing_due():
    conn, entries, now = setup(1)
    later = now + timedelta(hours=1)
    RequestQueue.objects.filter(pk=entries[0].pk).update(scheduled_at=later)
    ConnectorThrottle.objects.filter(connector=conn).update(back_pressure_at=now)
    (only,) = estimates(now)
    assert only.at == later and only.reason == ""


def test_unusable_connector_is_named():
    conn, _, now = setup(1)
    conn.enabled = False
    conn.save()
    (only,) = estimates(now)
    assert only.at is None and "disabled or unhealthy" in only.reason


def test_future_entries_wait_for_their_own_time():
    _conn, entries, now = setup(1)
    RequestQueue.objects.filter(pk=entries[0].pk).update(scheduled_at=now + timedelta(hours=3))
    (only,) = estimates(now)
    assert only.at == now + timedelta(hours=3)
    assert only.words(now) == "in about 3 h 00 min"


def test_one_entry_is_estimated_after_the_entries_before_it():
    _, entries, now = setup(3)
    assert estimate_entry(entries[2], now=now).at == now + timedelta(seconds=120)
    assert estimate_entry(entries[0], now=now).at == now
    RequestQueue.objects.filter(pk=entries[1].pk).update(status="done")
    entries[1].refresh_from_db()
    assert estimate_entry(entries[1], now=now) is None  # not queued: nothing to estimate


def test_per_minute_window_counts_its_slack():
    _conn, _, now = setup(2, commands_per_minute=1, min_interval_seconds=0)
    first, second = estimates(now)
    # The throttle counts a minute plus 2 s (WINDOW_SLACK): so does the estimate.
    assert first.at == now and second.at == now + timedelta(seconds=62)
