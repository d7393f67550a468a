"""Roll-up of hours into days, retention, backfill idempotence, the events that drive them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db.models import Sum

from analytics import recording, rollup
from analytics.models import ConnectorStat, LibrarySnapshot
from comradarr import events
from content.models import SyncRun
from queueing.maintenance import maintenance_run
from searchstate.models import Acquisition, SearchHistory
from tests.searchstate import builders as b

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 26, 12, 30, tzinfo=UTC)


def _history(conn, at, outcome="grabbed", items=2):
    return SearchHistory.objects.create(
        connector=conn,
        connector_name=conn.name,
        command_name="MoviesSearch",
        item_count=items,
        outcome=outcome,
        dispatched_at=at,
    )


def _acq(conn, at, source="search"):
    return Acquisition.objects.create(
        connector=conn, search_type="gap", title="x", acquired_at=at, resolved_at=at, source=source
    )


def _stats(**filters) -> dict:
    rows = ConnectorStat.objects.filter(**filters)
    return {
        f: rows.aggregate(n=Sum(f))["n"] or 0
        for f in ("commands", "grabbed", "no_results", "acquired_ours", "acquired_rss")
    }


def test_rollup_moves_old_hours_into_one_day_exactly_once(settings):
    settings.ANALYTICS_HOURLY_RETENTION_DAYS = 30
    conn = b.connector("radarr", kind="radarr")
    old = NOW - timedelta(days=40)
    for hour in range(5):
        _history(conn, old.replace(hour=hour, minute=10))
        _history(conn, old.replace(hour=hour, minute=20), outcome="no_results")
    _acq(conn, old.replace(hour=3), source="rss")
    recording.collect(now=old + timedelta(days=1), since=old - timedelta(days=1))
    assert ConnectorStat.objects.filter(resolution="hour").count() == 5
    totals = _stats()

    report = rollup.rollup(now=NOW)
    again = rollup.rollup(now=NOW)

    assert report.hours_rolled == 5 and again.hours_rolled == 0
    day = ConnectorStat.objects.get()
    assert day.resolution == "day"
    assert day.bucket == datetime(old.year, old.month, old.day, tzinfo=UTC)
    assert (
        _stats()
        == totals
        == {
            "commands": 10,
            "grabbed": 5,
            "no_results": 5,
            "acquired_ours": 0,
            "acquired_rss": 1,
        }
    )


def test_recent_hours_stay_hourly_and_old_days_are_dropped(settings):
    settings.ANALYTICS_HOURLY_RETENTION_DAYS = 30
    settings.ANALYTICS_DAILY_RETENTION_DAYS = 365
    conn = b.connector("radarr", kind="radarr")
    recording.add_counts(connector_id=conn.pk, at=NOW - timedelta(days=2), exhausted=3)
    recording.add_counts(connector_id=conn.pk, at=NOW - timedelta(days=400), exhausted=1)
    rollup.rollup(now=NOW)
    assert list(ConnectorStat.objects.values_list("resolution", "exhausted")) == [("hour", 3)]


def test_snapshots_keep_the_last_of_each_day(settings):
    settings.ANALYTICS_HOURLY_RETENTION_DAYS = 30
    conn = b.connector("radarr", kind="radarr")
    b.movie(conn, title="A", has_file=True, file_acquired_at=NOW)
    b.movie(conn, title="B", monitored=True, is_available=True)
    day = NOW - timedelta(days=35)
    recording.snapshot_libraries(now=day.replace(hour=1))
    b.movie(conn, title="C", has_file=True, file_acquired_at=NOW)
    recording.snapshot_libraries(now=day.replace(hour=22))
    rollup.rollup(now=NOW)
    snap = LibrarySnapshot.objects.get()
    assert (snap.resolution, snap.items, snap.have_file, snap.missing_monitored) == (
        "day",
        3,
        2,
        1,
    )
    assert snap.completion == pytest.approx(66.7)


def test_backfill_is_idempotent_and_old_history_lands_in_days(settings):
    settings.ANALYTICS_HOURLY_RETENTION_DAYS = 30
    conn = b.connector("radarr", kind="radarr")
    _history(conn, NOW - timedelta(days=90))
    _history(conn, NOW - timedelta(hours=3), outcome="no_results")
    _acq(conn, NOW - timedelta(days=60))
    SyncRun.objects.create(
        connector=conn,
        trigger="manual",
        kind="full",
        started_at=NOW - timedelta(days=90),
        http_requests=7,
    )
    recording.backfill(now=NOW)
    first = list(ConnectorStat.objects.order_by("bucket").values())
    recording.backfill(now=NOW)
    assert list(ConnectorStat.objects.order_by("bucket").values()) == first
    by_res = {(r["resolution"], r["commands"], r["acquired_ours"]) for r in first}
    assert by_res == {("day", 1, 0), ("day", 0, 1), ("hour", 1, 0)}
    assert sum(r["api_requests"] for r in first) == 7 + 2  # the sync's requests, two POSTs
    # Rolling up afterwards does not count the backfilled days twice.
    rollup.rollup(now=NOW)
    assert _stats()["commands"] == 2


def test_first_collect_job_backfills(settings, monkeypatch):
    conn = b.connector("radarr", kind="radarr")
    _history(conn, datetime(2026, 1, 5, 8, tzinfo=UTC))
    from analytics import jobs

    assert recording.needs_backfill()
    jobs.collect()
    assert ConnectorStat.objects.filter(resolution="day", commands=1).exists()
    assert not recording.needs_backfill()


def test_daily_maintenance_rolls_up(settings):
    settings.ANALYTICS_HOURLY_RETENTION_DAYS = 30
    conn = b.connector("radarr", kind="radarr")
    recording.add_counts(connector_id=conn.pk, at=NOW - timedelta(days=31), exhausted=2)
    maintenance_run(now=NOW, vacuum=False)
    assert list(ConnectorStat.objects.values_list("resolution", "exhausted")) == [("day", 2)]


def test_exhausted_event_adds_to_the_hour():
    conn = b.connector("radarr", kind="radarr")
    events.emit(events.items_exhausted, connector=conn, registry_ids=[1, 2, 3])
    events.emit(events.items_exhausted, connector=conn, registry_ids=[4])
    assert ConnectorStat.objects.get(connector=conn).exhausted == 4


def test_command_backfill_and_rollup(capsys):
    conn = b.connector("radarr", kind="radarr")
    _history(conn, NOW - timedelta(days=3))
    call_command("analytics", "backfill")
    call_command("analytics", "rollup")
    out = capsys.readouterr().out
    assert '"search history": 1' in out and '"hours_rolled"' in out


def test_every_tick_samples_the_queue_depth():
    conn = b.connector("radarr", kind="radarr")
    events.emit(events.dispatch_ticked, now=NOW, report=None)
    stat = ConnectorStat.objects.get(connector=conn)
    assert (stat.queue_depth_samples, stat.queue_depth_sum, stat.queue_depth_max) == (1, 0, 0)


def test_collection_is_a_contributed_periodic_job():
    from queueing.builtin_schedules import all_jobs

    job = next(job for job in all_jobs() if job.key == "analytics")
    assert job.func == "analytics.jobs.collect" and job.cron == "*/10 * * * *"


def test_snapshot_counts_gaps_by_age():
    from django.utils import timezone

    now = timezone.now()
    conn = b.connector("radarr", kind="radarr")
    b.movie(conn, title="New", is_available=True, digital_release=now - timedelta(days=3))
    b.movie(conn, title="Month", is_available=True, digital_release=now - timedelta(days=10))
    b.movie(conn, title="Old", is_available=True, in_cinemas=now - timedelta(days=4000))
    b.movie(conn, title="Undated", is_available=True, in_cinemas=None)
    b.movie(conn, title="Owned", is_available=True, has_file=True, file_acquired_at=now)
    recording.snapshot_libraries(now=now)
    snap = LibrarySnapshot.objects.get(connector=conn)
    assert snap.missing_monitored == 4
    assert snap.gap_ages == {
        "under a week": 1,
        "1 to 4 weeks": 1,
        "over 5 years": 1,
        "unknown": 1,
    }
