import io
from datetime import UTC, datetime
from importlib import import_module

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django_q.models import Schedule

from queueing import tasks as jobs
from queueing.builtin_schedules import (
    NAME_PREFIX,
    all_jobs,
    resolve_jobs,
    schedules_reconcile,
)

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 26, 10, 7, tzinfo=UTC)


def snapshot():
    return sorted(Schedule.objects.values_list("pk", "name", "func", "cron", "kwargs", "next_run"))


def test_reconcile_creates_every_builtin_job_once_and_is_idempotent():
    first = schedules_reconcile(env={}, now=NOW)
    assert len(first.created) == len(all_jobs()) == 11
    rows = snapshot()
    second = schedules_reconcile(env={}, now=NOW)
    assert second.created == second.updated == second.removed == []
    assert len(second.unchanged) == len(all_jobs())
    assert snapshot() == rows  # same rows, same ids, same next runs
    by_name = {s.name: s for s in Schedule.objects.all()}
    incremental = by_name[NAME_PREFIX + "incremental library sync"]
    assert incremental.cron == "*/15 * * * *"
    assert incremental.func == "queueing.tasks.sync_libraries"
    assert incremental.kwargs == "{'kind': 'incremental'}"
    assert incremental.next_run == datetime(2026, 11, 26, 10, 15, tzinfo=UTC)
    assert by_name[NAME_PREFIX + "dispatch search commands"].cron == "* * * * *"
    assert by_name[NAME_PREFIX + "connector health checks"].cron == "*/5 * * * *"
    daily = by_name[NAME_PREFIX + "daily maintenance"]
    assert daily.next_run == datetime(2026, 11, 27, 4, 15, tzinfo=UTC)  # not "now": no burst
    full = by_name[NAME_PREFIX + "full library reconciliation"]
    assert full.kwargs == "{'kind': 'full'}" and full.schedule_type == Schedule.CRON


def test_every_job_func_is_a_real_function():
    for job in all_jobs():
        module, name = job.func.rsplit(".", 1)
        assert callable(getattr(import_module(module), name))


def test_changed_env_cron_updates_the_row_in_place():
    schedules_reconcile(env={}, now=NOW)
    pk = Schedule.objects.get(name=NAME_PREFIX + "incremental library sync").pk
    report = schedules_reconcile(
        env={"COMRADARR_SCHEDULE_SYNC_INCREMENTAL": "  */5   * * * * "}, now=NOW
    )
    assert report.updated == [NAME_PREFIX + "incremental library sync"]
    assert report.created == [] and len(report.unchanged) == len(all_jobs()) - 1
    row = Schedule.objects.get(name=NAME_PREFIX + "incremental library sync")
    assert (row.pk, row.cron) == (pk, "*/5 * * * *")
    assert row.next_run == datetime(2026, 11, 26, 10, 10, tzinfo=UTC)
    assert Schedule.objects.count() == len(all_jobs())
    # Back to the default: updated again, still one row.
    report = schedules_reconcile(env={}, now=NOW)
    assert report.updated == [NAME_PREFIX + "incremental library sync"]
    assert Schedule.objects.filter(name=NAME_PREFIX + "incremental library sync").count() == 1


def test_unchanged_cron_keeps_the_planned_next_run():
    schedules_reconcile(env={}, now=NOW)
    Schedule.objects.filter(name__startswith=NAME_PREFIX).update(func="elsewhere.old")
    with time_machine.travel(datetime(2026, 11, 26, 10, 14, 30, tzinfo=UTC), tick=False):
        report = schedules_reconcile(env={})
    assert len(report.updated) == len(all_jobs())
    row = Schedule.objects.get(name=NAME_PREFIX + "incremental library sync")
    assert row.next_run == datetime(2026, 11, 26, 10, 15, tzinfo=UTC)
    assert row.func == "queueing.tasks.sync_libraries"


def test_duplicates_and_stale_builtin_rows_are_removed_others_kept():
    schedules_reconcile(env={}, now=NOW)
    name = NAME_PREFIX + "dispatch search commands"
    Schedule.objects.create(
        name=name, func="queueing.tasks.dispatch", schedule_type="C", cron="* * * * *"
    )
    Schedule.objects.create(name=NAME_PREFIX + "a job that no longer exists", func="x.y")
    Schedule.objects.create(name="someone else's job", func="x.z")
    report = schedules_reconcile(env={}, now=NOW)
    assert sorted(report.removed) == sorted([name, NAME_PREFIX + "a job that no longer exists"])
    assert Schedule.objects.filter(name=name).count() == 1
    assert Schedule.objects.filter(name="someone else's job").exists()
    assert Schedule.objects.count() == len(all_jobs()) + 1


def test_disable_from_env_removes_the_row_and_enables_again():
    schedules_reconcile(env={}, now=NOW)
    report = schedules_reconcile(env={"COMRADARR_SCHEDULE_MAINTENANCE": "disable"}, now=NOW)
    assert report.removed == [NAME_PREFIX + "daily maintenance"]
    assert not Schedule.objects.filter(name=NAME_PREFIX + "daily maintenance").exists()
    report = schedules_reconcile(env={}, now=NOW)
    assert report.created == [NAME_PREFIX + "daily maintenance"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("*/15 * * *", "must have 5 fields"),
        ("* * * * * *", "must have 5 fields"),
        ("61 * * * *", "not a valid cron expression"),
        ("every day", "must have 5 fields"),
        ("@hourly", "must have 5 fields"),
        (";DROP x -- * *", "not a valid cron expression"),
    ],
)
def test_bad_env_cron_is_improperly_configured_naming_the_variable(value, message):
    with pytest.raises(ImproperlyConfigured) as exc:
        resolve_jobs(env={"COMRADARR_SCHEDULE_DISPATCH": value})
    text = str(exc.value)
    assert "COMRADARR_SCHEDULE_DISPATCH" in text and message in text
    assert "'* * * * *'" in text  # shows the default as an example


def test_bad_env_writes_nothing():
    with pytest.raises(ImproperlyConfigured):
        schedules_reconcile(env={"COMRADARR_SCHEDULE_SYNC_FULL": "nope"}, now=NOW)
    assert Schedule.objects.count() == 0


def test_empty_env_value_means_default():
    jobs_ = {r.job.key: r for r in resolve_jobs(env={"COMRADARR_SCHEDULE_SWEEPS": "  "})}
    assert jobs_["sweeps"].cron == "* * * * *"


def test_reconcile_refuses_while_another_process_reconciles():
    from comradarr.locks import advisory_lock

    with advisory_lock("setup_schedules"), pytest.raises(RuntimeError, match="reconciling"):
        schedules_reconcile(env={}, now=NOW)


# --- the thin jobs behind the schedules ------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_each_job_returns_quietly_while_its_lock_is_held(monkeypatch):
    from comradarr.locks import advisory_lock
    from queueing import engine

    class Report:
        def as_dict(self):
            return {"ok": 1}

    ticks = []
    monkeypatch.setattr(engine, "run_tick", lambda: ticks.append(1) or Report())
    with advisory_lock("dispatch"):
        assert jobs.dispatch() is None
    assert ticks == []
    assert jobs.dispatch() == {"ok": 1} and ticks == [1]
    for name, call in (
        ("sync_libraries:full", lambda: jobs.sync_libraries("full")),
        ("health_checks", jobs.health_checks),
        ("run_due_sweep_schedules", jobs.run_due_sweep_schedules),
        ("maintenance", jobs.maintenance),
        ("refresh_indexer_managers", jobs.refresh_indexer_managers),
    ):
        with advisory_lock(name):
            assert call() is None, name


@pytest.mark.django_db(transaction=True)
def test_fan_out_jobs_enqueue_one_task_per_enabled_connector(monkeypatch):
    import django_q.tasks

    from tests.searchstate import builders as b

    sent = []
    monkeypatch.setattr(django_q.tasks, "async_task", lambda *a, **kw: sent.append(a))
    on = b.connector("on")
    sick = b.connector("sick", health_status="unhealthy")
    b.connector("off", enabled=False)
    sent.clear()  # each new enabled connector's first sync (test_first_hour.py)
    assert sorted(jobs.health_checks()) == sorted([on.pk, sick.pk])  # unhealthy ones too
    assert sorted(sent) == sorted(
        [("queueing.tasks.health_check", on.pk), ("queueing.tasks.health_check", sick.pk)]
    )
    sent.clear()
    assert sorted(jobs.sync_libraries("incremental")) == sorted([on.pk, sick.pk])
    assert {a[0] for a in sent} == {"content.tasks.sync_connector"}
    assert jobs.health_check(999999) is None  # the connector is gone


def test_system_check_names_a_bad_override(monkeypatch):
    from queueing.checks import check_schedule_overrides

    assert check_schedule_overrides() == []
    monkeypatch.setenv("COMRADARR_SCHEDULE_HEALTH_CHECKS", "*/5 * *")
    errors = check_schedule_overrides()
    assert [e.id for e in errors] == ["queueing.E001"]
    assert "COMRADARR_SCHEDULE_HEALTH_CHECKS" in errors[0].msg


def test_serve_reconciles_the_builtin_schedules_at_start_up(monkeypatch):
    from types import SimpleNamespace

    from django.core.management import call_command

    from comradarr.management.commands import serve

    ran = []

    def only_setup_schedules(name, *args, **kwargs):
        ran.append(name)
        if name == "setup_schedules":  # migrate & co. are the test database's business
            call_command(name, *args, stdout=io.StringIO(), **kwargs)

    monkeypatch.setattr(serve, "call_command", only_setup_schedules)
    monkeypatch.setattr(serve, "connections", SimpleNamespace(close_all=lambda: None))
    for _ in range(2):  # every start reconciles; a restart duplicates nothing
        serve.Command()._prepare_database(verbosity=0, checkpoint=lambda: None)
    assert ran.count("setup_schedules") == 2
    names = sorted(Schedule.objects.values_list("name", flat=True))
    assert names == sorted(job.schedule_name for job in all_jobs())


def test_q_cluster_is_set_on_purpose():
    from django.conf import settings

    q = settings.Q_CLUSTER
    # A task still running is never handed to a second worker.
    assert q["timeout"] < q["retry"]
    # A failing task is retried a bounded number of times, not forever.
    assert 1 <= q["max_attempts"] <= 5
    # Missed per-minute ticks are not replayed in a burst after a stop.
    assert q["catch_up"] is False
    assert q["orm"] == "default"


def test_reconcile_moves_rows_and_queued_tasks_off_old_task_paths():
    """Task paths stored by earlier versions (queueing.jobs.*) keep working after the move."""
    from django_q.models import OrmQ
    from django_q.signing import SignedPackage

    from queueing.builtin_schedules import LEGACY_TASK_PATHS

    schedules_reconcile(env={}, now=NOW)
    dispatch_row = Schedule.objects.get(name=NAME_PREFIX + "dispatch search commands")
    Schedule.objects.filter(pk=dispatch_row.pk).update(func="queueing.jobs.dispatch")
    mine = Schedule.objects.create(
        name="a user's copy",
        func="queueing.tasks.process_queue_tick",
        schedule_type="C",
        cron="*/2 * * * *",
    )
    queued = OrmQ.objects.create(
        key="default",
        payload=SignedPackage.dumps(
            {"id": "t1", "func": "queueing.jobs.sweep_schedule", "args": (7,)}
        ),
    )
    untouched = OrmQ.objects.create(
        key="default", payload=SignedPackage.dumps({"id": "t2", "func": "content.tasks.x"})
    )
    report = schedules_reconcile(env={}, now=NOW)
    assert report.updated == [NAME_PREFIX + "dispatch search commands"]
    assert report.renamed == 2  # the user's row and the queued task
    assert Schedule.objects.get(pk=dispatch_row.pk).func == "queueing.tasks.dispatch"
    assert Schedule.objects.get(pk=mine.pk).func == "queueing.tasks.dispatch"
    task = SignedPackage.loads(OrmQ.objects.get(pk=queued.pk).payload)
    assert (task["func"], task["args"]) == ("queueing.tasks.sweep_schedule", (7,))
    assert (
        SignedPackage.loads(OrmQ.objects.get(pk=untouched.pk).payload)["func"] == "content.tasks.x"
    )
    for new in LEGACY_TASK_PATHS.values():  # every target is a real task
        module, name = new.rsplit(".", 1)
        assert module == "queueing.tasks" and callable(getattr(jobs, name))
    assert schedules_reconcile(env={}, now=NOW).changed is False
