import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from connectors.models import Connector
from queueing import tasks as jobs
from queueing.cron import cron_describe, cron_next_runs, cron_validate
from queueing.models import SweepRun, SweepSchedule, ThrottleProfile
from queueing.sweep_schedules import (
    sweep_schedule_create,
    sweep_schedule_update,
    sweep_schedules_create_defaults,
    sweep_schedules_run_due,
)
from tests.searchstate import builders as b

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 26, 10, 7, tzinfo=UTC)


# --- cron validation and description ---------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "   ",
        "* * * *",
        "* * * * * *",
        "60 * * * *",
        "* 24 * * *",
        "* * 32 * *",
        "* * * 13 *",
        "* * * * 8",
        "*/0 * * * *",
        "every hour",
        "@daily",
        "x" * 200,
        None,
        5,
    ],
)
def test_invalid_cron_is_refused_with_a_clear_message(bad):
    with pytest.raises(ValidationError) as exc:
        cron_validate(bad)
    message = " ".join(exc.value.messages)
    assert "cron" in message.lower()
    if isinstance(bad, str) and len(bad) < 100:
        assert "five fields" in message  # says how to write one


@pytest.mark.parametrize(
    ("cron", "words"),
    [
        ("0 * * * *", "Every hour"),
        ("0 */6 * * *", "Every 6 hours"),
        ("*/15 * * * *", "Every 15 minutes"),
        ("30 2 * * 1-5", "At 02:30, Monday through Friday"),
    ],
)
def test_valid_cron_is_described(cron, words):
    assert cron_describe(cron) == words


def test_description_of_invalid_cron_is_refused():
    with pytest.raises(ValidationError):
        cron_describe("61 * * * *")


def test_next_runs_are_utc_and_in_order():
    runs = cron_next_runs("0 */6 * * *", after=NOW, count=3)
    assert runs == [
        datetime(2026, 11, 26, 12, tzinfo=UTC),
        datetime(2026, 11, 26, 18, tzinfo=UTC),
        datetime(2026, 11, 27, 0, tzinfo=UTC),
    ]
    assert all(r.tzinfo is UTC for r in runs)


def test_next_runs_follow_local_time_across_spring_forward():
    # Berlin: 2026-03-29 02:00 CET -> 03:00 CEST.
    after = datetime(2026, 3, 27, 12, tzinfo=UTC)
    runs = cron_next_runs("30 1 * * *", tz="Europe/Berlin", after=after, count=3)
    assert runs == [
        datetime(2026, 3, 28, 0, 30, tzinfo=UTC),  # 01:30 CET
        datetime(2026, 3, 29, 0, 30, tzinfo=UTC),  # 01:30 CET, just before the change
        datetime(2026, 3, 29, 23, 30, tzinfo=UTC),  # 01:30 CEST
    ]
    # 02:30 does not exist on the 29th: it runs once, right after the gap.
    gap = cron_next_runs("30 2 * * *", tz="Europe/Berlin", after=after, count=3)
    assert gap[1] == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # 03:00 CEST
    assert gap[2] == datetime(2026, 3, 30, 0, 30, tzinfo=UTC)  # 02:30 CEST


def test_next_runs_fall_back_runs_a_repeated_time_once():
    # Berlin: 2026-10-25 03:00 CEST -> 02:00 CET, so 02:30 happens twice.
    after = datetime(2026, 10, 24, 12, tzinfo=UTC)
    runs = cron_next_runs("30 2 * * *", tz="Europe/Berlin", after=after, count=2)
    assert runs == [
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # 02:30 CEST
        datetime(2026, 10, 26, 1, 30, tzinfo=UTC),  # next day, 02:30 CET
    ]


def test_next_runs_refuse_bad_timezone_and_count():
    with pytest.raises(ValidationError, match="time zone"):
        cron_next_runs("0 * * * *", tz="Mars/Olympus")
    with pytest.raises(ValidationError, match="time zone"):
        cron_next_runs("0 * * * *", tz="../../etc/passwd")
    with pytest.raises(ValueError):
        cron_next_runs("0 * * * *", count=0)


# --- rows ---------------------------------------------------------------------------------


def test_defaults_created_for_a_new_connector_exactly_once():
    with time_machine.travel(NOW, tick=False):
        conn = b.connector()
    rows = list(SweepSchedule.objects.filter(connector=conn).order_by("kind"))
    assert [(s.kind, s.cron, s.timezone, s.enabled) for s in rows] == [
        ("gaps", "0 * * * *", "UTC", True),
        ("upgrades", "0 */6 * * *", "UTC", True),
    ]
    assert rows[0].next_run_at == datetime(2026, 11, 26, 11, tzinfo=UTC)
    assert rows[1].next_run_at == datetime(2026, 11, 26, 12, tzinfo=UTC)
    # Saving the connector again, or calling the service again, adds nothing.
    conn.name = "renamed"
    conn.save()
    assert sweep_schedules_create_defaults(connector=conn) == []
    assert SweepSchedule.objects.filter(connector=conn).count() == 2
    # A deleted default does not come back.
    rows[1].delete()
    conn.save()
    assert SweepSchedule.objects.filter(connector=conn).count() == 1


def test_create_and_update_validate_every_field():
    conn = b.connector()
    with pytest.raises(ValidationError) as exc:
        sweep_schedule_create(
            connector=conn, kind="everything", cron="nope", tz="Nowhere/Land", item_limit=0
        )
    assert set(exc.value.message_dict) == {"kind", "cron", "timezone", "item_limit"}
    schedule = sweep_schedule_create(
        connector=conn, kind="both", cron="0 3 * * *", tz="America/New_York", now=NOW
    )
    assert schedule.next_run_at == datetime(2026, 11, 27, 8, tzinfo=UTC)  # 03:00 EST
    profile = ThrottleProfile.objects.get(name="aggressive")
    sweep_schedule_update(
        schedule=schedule, cron="*/30 * * * *", throttle_profile=profile, item_limit=50, now=NOW
    )
    schedule.refresh_from_db()
    assert (schedule.cron, schedule.item_limit, schedule.throttle_profile) == (
        "*/30 * * * *",
        50,
        profile,
    )
    assert schedule.next_run_at == datetime(2026, 11, 26, 10, 30, tzinfo=UTC)
    with pytest.raises(TypeError):
        sweep_schedule_update(schedule=schedule, connector=conn)
    with pytest.raises(ValidationError):
        sweep_schedule_update(schedule=schedule, cron="* * *")
    schedule.refresh_from_db()
    assert schedule.cron == "*/30 * * * *"


# --- running the due ones ----------------------------------------------------------------


def due_setup():
    healthy = b.connector("healthy")
    sick = b.connector("sick", health_status=Connector.Health.UNHEALTHY)
    offline = b.connector("offline", health_status=Connector.Health.OFFLINE)
    disabled = b.connector("disabled", enabled=False)
    SweepSchedule.objects.update(next_run_at=NOW - timedelta(minutes=1))
    return healthy, sick, offline, disabled


def test_due_runner_starts_usable_connectors_and_skips_the_others():
    due_setup()
    sent = []
    report = sweep_schedules_run_due(now=NOW, enqueue=sent.append)
    assert sorted(s.connector.name for s in sent) == ["healthy", "healthy"]
    assert len(report.started) == 2
    skipped_connectors = {SweepSchedule.objects.get(pk=pk).connector.name for pk in report.skipped}
    assert skipped_connectors == {"sick", "offline", "disabled"}
    # Every schedule moved to its next time; only the started ones record a run.
    for schedule in SweepSchedule.objects.select_related("connector"):
        assert schedule.next_run_at > NOW
        assert (schedule.last_run_at == NOW) == (schedule.connector.name == "healthy")
    # Nothing is due any more: a second run in the same minute starts nothing.
    assert sweep_schedules_run_due(now=NOW, enqueue=sent.append).started == []
    assert len(sent) == 2


def test_unhealthy_connector_resumes_by_itself_when_healthy_again():
    _, sick, _, _ = due_setup()
    sent = []
    sweep_schedules_run_due(now=NOW, enqueue=sent.append)
    assert not [s for s in sent if s.connector_id == sick.pk]
    Connector.objects.filter(pk=sick.pk).update(health_status=Connector.Health.HEALTHY)
    later = NOW + timedelta(hours=6)
    sweep_schedules_run_due(now=later, enqueue=sent.append)
    assert {s.kind for s in sent if s.connector_id == sick.pk} == {"gaps", "upgrades"}


def test_disabled_schedule_and_future_schedule_do_not_run():
    conn = b.connector()
    gaps, upgrades = SweepSchedule.objects.filter(connector=conn).order_by("kind")
    SweepSchedule.objects.filter(pk=gaps.pk).update(enabled=False, next_run_at=NOW)
    SweepSchedule.objects.filter(pk=upgrades.pk).update(next_run_at=NOW + timedelta(seconds=1))
    sent = []
    report = sweep_schedules_run_due(now=NOW, enqueue=sent.append)
    assert sent == [] and report.started == [] and report.skipped == {}


def test_missing_next_run_is_planned_not_run_and_invalid_cron_skipped():
    conn = b.connector()
    gaps, upgrades = SweepSchedule.objects.filter(connector=conn).order_by("kind")
    SweepSchedule.objects.filter(pk=gaps.pk).update(next_run_at=None)
    SweepSchedule.objects.filter(pk=upgrades.pk).update(cron="99 * * * *", next_run_at=NOW)
    sent = []
    report = sweep_schedules_run_due(now=NOW, enqueue=sent.append)
    assert sent == [] and report.planned == 1
    assert "invalid cron" in report.skipped[upgrades.pk]
    gaps.refresh_from_db()
    assert gaps.next_run_at == datetime(2026, 11, 26, 11, tzinfo=UTC)


@pytest.mark.django_db(transaction=True)
def test_two_runners_at_once_start_each_schedule_once(monkeypatch):
    from django.db import connection

    from queueing import sweep_schedules

    conn = b.connector()
    SweepSchedule.objects.filter(connector=conn).update(next_run_at=NOW)
    barrier = threading.Barrier(2, timeout=10)
    real = sweep_schedules.next_run_after
    waited = threading.local()

    def both_have_read_the_due_rows(schedule, after=None):
        if not getattr(waited, "done", False):
            waited.done = True
            barrier.wait()
        return real(schedule, after)

    monkeypatch.setattr(sweep_schedules, "next_run_after", both_have_read_the_due_rows)
    sent, reports = [], []

    def runner():
        try:
            reports.append(sweep_schedules_run_due(now=NOW, enqueue=sent.append))
        finally:
            connection.close()

    threads = [threading.Thread(target=runner) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert sorted(s.kind for s in sent) == ["gaps", "upgrades"]
    assert sum(len(r.started) for r in reports) == 2
    assert sum(v == "claimed by another worker" for r in reports for v in r.skipped.values()) == 2


def test_default_enqueue_sends_the_sweep_task_on_commit(
    django_capture_on_commit_callbacks, monkeypatch
):
    import django_q.tasks

    calls = []
    monkeypatch.setattr(django_q.tasks, "async_task", lambda *a, **kw: calls.append((a, kw)))
    conn = b.connector()
    SweepSchedule.objects.filter(connector=conn).update(next_run_at=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        sweep_schedules_run_due(now=NOW)
    assert sorted(a for a, _ in calls) == sorted(
        ("queueing.tasks.sweep_schedule", s.pk) for s in SweepSchedule.objects.all()
    )


def test_sweep_schedule_job_runs_the_sweep_and_returns_quietly_when_gone(monkeypatch):
    from queueing import sweep as sweep_module

    monkeypatch.setattr(sweep_module, "downloading_arr_ids", lambda connector: frozenset())
    conn = b.connector()
    show = b.series(conn, title="Show")
    b.episodes(show, 1, 4, has_file=2)
    gaps = SweepSchedule.objects.get(connector=conn, kind="gaps")
    SweepSchedule.objects.filter(pk=gaps.pk).update(item_limit=1)
    result = jobs.sweep_schedule(gaps.pk)
    assert result["status"] == SweepRun.Status.SUCCEEDED and result["kind"] == "gaps"
    run = SweepRun.objects.get()
    assert (run.trigger, run.kind, run.item_limit) == ("schedule", "gaps", 1)
    assert jobs.sweep_schedule(999999) is None
    SweepSchedule.objects.filter(pk=gaps.pk).update(enabled=False)
    assert jobs.sweep_schedule(gaps.pk) is None


def test_scheduled_sweep_of_a_busy_connector_is_one_skipped_run(monkeypatch):
    """One lock guards a sweep (comradarr.locks "sweep"): the job does not take a second one."""
    from comradarr.locks import advisory_lock
    from queueing import sweep as sweep_module

    monkeypatch.setattr(sweep_module, "downloading_arr_ids", lambda connector: frozenset())
    conn = b.connector()
    b.episodes(b.series(conn, title="Show"), 1, 3)
    gaps = SweepSchedule.objects.get(connector=conn, kind="gaps")
    with advisory_lock("sweep", conn.pk):
        result = jobs.sweep_schedule(gaps.pk)
    assert result["status"] == SweepRun.Status.SKIPPED and "already running" in result["error"]
    run = SweepRun.objects.get()
    assert (run.status, run.trigger, run.queued) == ("skipped", "schedule", 0)
    assert jobs.sweep_schedule(gaps.pk)["status"] == SweepRun.Status.SUCCEEDED


def test_receiver_ignores_fixture_loading_and_updates():
    from queueing.receivers import connector_created

    conn = b.connector()
    SweepSchedule.objects.filter(connector=conn).delete()
    connector_created(Connector, conn, created=True, raw=True)  # loaddata: rows come with it
    connector_created(Connector, conn, created=False)  # an update
    assert not SweepSchedule.objects.filter(connector=conn).exists()
    connector_created(Connector, conn, created=True)
    assert SweepSchedule.objects.filter(connector=conn).count() == 2


def test_schedule_profile_override_sets_the_batch_size_of_its_entries(monkeypatch):
    from queueing import sweep as sweep_module
    from queueing.models import RequestQueue

    monkeypatch.setattr(sweep_module, "downloading_arr_ids", lambda connector: frozenset())
    conn = b.connector("radarr", kind="radarr")
    for n in range(6):
        b.movie(conn, title=f"Film {n}")
    gaps = SweepSchedule.objects.get(connector=conn, kind="gaps")
    small = ThrottleProfile.objects.create(name="two at a time", batch_size=2)
    sweep_schedule_update(schedule=gaps, throttle_profile=small, now=NOW)
    jobs.sweep_schedule(gaps.pk)
    assert sorted(e.item_count for e in RequestQueue.objects.all()) == [2, 2, 2]
    assert all(len(e.payload["movieIds"]) == 2 for e in RequestQueue.objects.all())

    # Without the override the connector's (default, balanced: 5 ids) profile batches.
    RequestQueue.objects.all().delete()
    from searchstate.models import SearchRegistry

    SearchRegistry.objects.all().delete()
    sweep_schedule_update(schedule=gaps, throttle_profile=None, now=NOW)
    jobs.sweep_schedule(gaps.pk)
    assert sorted(e.item_count for e in RequestQueue.objects.all()) == [1, 5]
