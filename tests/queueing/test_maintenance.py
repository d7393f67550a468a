from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection

from comradarr.locks import advisory_lock
from queueing import tasks as jobs
from queueing.maintenance import BIG_MODELS, maintenance_run
from queueing.models import DispatchLog, RequestQueue
from searchstate.models import SearchHistory, SearchRegistry
from searchstate.states import SearchState
from tests.searchstate import builders as b

NOW = datetime(2026, 11, 26, 4, 15, tzinfo=UTC)


def registry(conn, item, state):
    return SearchRegistry.objects.create(
        connector=conn, episode=item, search_type="gap", state=state
    )


def history(conn, days_ago):
    return SearchHistory.objects.create(
        connector=conn,
        connector_name=conn.name,
        command_name="EpisodeSearch",
        dispatched_at=NOW - timedelta(days=days_ago),
    )


def queue_entry(conn, status, days_ago):
    entry = RequestQueue.objects.create(
        connector=conn,
        command="EpisodeSearch",
        payload={"name": "EpisodeSearch", "episodeIds": [1]},
        search_type="gap",
        status=status,
        priority=1,
        scheduled_at=NOW,
    )
    RequestQueue.objects.filter(pk=entry.pk).update(updated_at=NOW - timedelta(days=days_ago))
    return entry


def library():
    conn = b.connector()
    show = b.series(conn)
    old_exhausted, new_exhausted, pending, elsewhere = b.episodes(show, 1, 4)
    old = registry(conn, old_exhausted, SearchState.EXHAUSTED)
    registry(conn, new_exhausted, SearchState.EXHAUSTED)
    registry(conn, pending, SearchState.PENDING)
    SearchRegistry.objects.filter(pk=old.pk).update(updated_at=NOW - timedelta(days=31))
    SearchRegistry.objects.exclude(pk=old.pk).update(updated_at=NOW - timedelta(days=60))
    SearchRegistry.objects.filter(episode=new_exhausted).update(updated_at=NOW - timedelta(days=29))
    # An orphan: a row whose episode belongs to another connector.
    other = b.connector("other")
    stray = registry(other, elsewhere, SearchState.PENDING)
    history(conn, 31)
    keep_history = history(conn, 29)
    DispatchLog.objects.create(connector=conn, dispatched_at=NOW - timedelta(days=31))
    DispatchLog.objects.create(connector=conn, dispatched_at=NOW - timedelta(hours=1))
    queue_entry(conn, "done", 31)
    queue_entry(conn, "cancelled", 40)
    keep_entries = [
        queue_entry(conn, "done", 2),
        queue_entry(conn, "queued", 90),  # live entries are never pruned, however old
        queue_entry(conn, "dispatched", 90),
    ]
    Session.objects.create(session_key="old", session_data="x", expire_date=NOW - timedelta(1))
    Session.objects.create(session_key="new", session_data="x", expire_date=NOW + timedelta(1))
    return conn, stray, keep_history, keep_entries


@pytest.mark.django_db
def test_prunes_what_it_should_and_keeps_the_rest(settings):
    settings.SEARCH_HISTORY_RETENTION_DAYS = 30
    _, stray, keep_history, keep_entries = library()
    report = maintenance_run(now=NOW, vacuum=False)
    assert report.errors == {}
    assert report.pruned == {
        "exhausted": 1,
        "orphans": 1,
        "search_history": 1,
        "dispatch_log": 1,
        "finished_queue_entries": 2,
        "expired_sessions": 1,
    }
    assert sorted(SearchRegistry.objects.values_list("state", flat=True)) == [
        "exhausted",
        "pending",
    ]
    assert not SearchRegistry.objects.filter(pk=stray.pk).exists()
    assert list(SearchHistory.objects.all()) == [keep_history]
    assert DispatchLog.objects.count() == 1
    assert sorted(RequestQueue.objects.values_list("pk", flat=True)) == sorted(
        e.pk for e in keep_entries
    )
    assert list(Session.objects.values_list("session_key", flat=True)) == ["new"]
    # Idempotent: a second run finds nothing more.
    again = maintenance_run(now=NOW, vacuum=False)
    assert set(again.pruned.values()) == {0}


@pytest.mark.django_db
def test_history_retention_setting_is_honoured(settings):
    settings.SEARCH_HISTORY_RETENTION_DAYS = 7
    conn = b.connector()
    history(conn, 8)
    kept = history(conn, 6)
    assert maintenance_run(now=NOW, vacuum=False).pruned["search_history"] == 1
    assert list(SearchHistory.objects.all()) == [kept]


@pytest.mark.django_db
def test_a_failing_step_is_reported_and_the_others_still_run(monkeypatch):
    from searchstate import services

    def broken(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(services, "prune_exhausted", broken)
    conn = b.connector()
    history(conn, 400)
    report = maintenance_run(now=NOW, vacuum=False)
    assert report.errors == {"exhausted": "disk on fire"}
    assert report.pruned["search_history"] == 1


@pytest.mark.django_db
def test_vacuum_is_skipped_inside_a_transaction():
    report = maintenance_run(now=NOW)
    assert report.vacuumed == []
    assert report.notes == ["VACUUM ANALYZE skipped: inside a transaction"]


@pytest.mark.django_db(transaction=True)
def test_vacuum_analyze_runs_outside_a_transaction():
    report = maintenance_run(now=NOW)
    assert report.errors == {}
    assert set(report.vacuumed) == {m._meta.db_table for m in BIG_MODELS}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT last_vacuum IS NOT NULL AND last_analyze IS NOT NULL"
            " FROM pg_stat_user_tables WHERE relname = %s",
            ["searchstate_searchregistry"],
        )
        assert cursor.fetchone() == (True,)


@pytest.mark.django_db(transaction=True)
def test_maintenance_job_does_not_overlap_itself():
    with advisory_lock("maintenance"):
        assert jobs.maintenance() is None
    result = jobs.maintenance()
    assert result["errors"] == {} and "expired_sessions" in result["pruned"]
