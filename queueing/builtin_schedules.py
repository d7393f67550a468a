"""The built-in background jobs: the one list in code, reconciled into django-q2 Schedule rows.

:data:`BUILTIN_JOBS` declares queueing's periodic jobs; apps above queueing add theirs
with :func:`job_contribute`. At start-up
``manage.py setup_schedules`` (``serve`` calls it) applies the list with
``update_or_create`` by name: running it twice changes nothing, a changed
cron updates the row in place, a job removed from the list (or switched off
from the environment) has its row deleted. Rows are recognised as ours by the
:data:`NAME_PREFIX` of their name; schedules anyone else created are left alone.

Every job's cron is overridable from the environment, like paperless-ngx::

    COMRADARR_SCHEDULE_SYNC_INCREMENTAL="*/15 * * * *"
    COMRADARR_SCHEDULE_MAINTENANCE="disable"     # no row at all

Rows are found by name, so a task moved or renamed in queueing.tasks only
needs its function renamed there: the next reconciliation rewrites the row's
``func``, and :data:`LEGACY_TASK_PATHS` rewrites any other schedule row or
queued task that still names an old path.

Cron times are read in the TZ setting's time zone (django-q2 computes them
with ``localtime()``); stored next-run times are UTC.
"""

from __future__ import annotations

import logging
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from croniter import croniter
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django_q.models import OrmQ, Schedule
from django_q.signing import SignedPackage

from comradarr import config
from comradarr.locks import advisory_lock
from queueing import tasks
from queueing.cron import cron_normalise

logger = logging.getLogger(__name__)

#: Schedule rows whose name starts with this are owned (created and deleted) by the reconciler.
NAME_PREFIX = "comradarr: "
#: The environment value that switches a built-in job off.
DISABLED = "disable"


@dataclass(frozen=True)
class BuiltinJob:
    key: str  # stable id: the env variable's suffix and the overlap lock's name
    title: str  # shown in `schedules list`; the Schedule row is NAME_PREFIX + title
    func: str  # dotted path of the thin task in queueing.tasks
    cron: str  # default, five fields
    description: str
    kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def env_var(self) -> str:
        return f"COMRADARR_SCHEDULE_{self.key.upper()}"

    @property
    def schedule_name(self) -> str:
        return NAME_PREFIX + self.title


BUILTIN_JOBS: tuple[BuiltinJob, ...] = (
    BuiltinJob(
        key="sync_incremental",
        title="incremental library sync",
        func=tasks.task_path(tasks.sync_libraries),
        cron="*/15 * * * *",
        description="Fetch what changed in every enabled connector's library.",
        kwargs={"kind": "incremental"},
    ),
    BuiltinJob(
        key="sync_full",
        title="full library reconciliation",
        func=tasks.task_path(tasks.sync_libraries),
        cron="30 3 * * *",
        description="Re-read every library in full and drop what the *arr deleted.",
        kwargs={"kind": "full"},
    ),
    BuiltinJob(
        key="dispatch",
        title="dispatch search commands",
        func=tasks.task_path(tasks.dispatch),
        cron="* * * * *",
        description="Send due searches within the throttle limits and poll those in flight.",
    ),
    BuiltinJob(
        key="sweeps",
        title="run due sweep schedules",
        func=tasks.task_path(tasks.run_due_sweep_schedules),
        cron="* * * * *",
        description="Start the sweeps whose schedule is due (per connector, user-edited).",
    ),
    BuiltinJob(
        key="health_checks",
        title="connector health checks",
        func=tasks.task_path(tasks.health_checks),
        cron="*/5 * * * *",
        description="Check every enabled connector; unhealthy ones resume when they answer.",
    ),
    BuiltinJob(
        key="indexer_budgets",
        title="read indexer limits from Prowlarr",
        func=tasks.task_path(tasks.refresh_indexer_managers),
        cron="*/5 * * * *",
        description="Read each indexer manager's limits and spend (a handful of requests).",
    ),
    BuiltinJob(
        key="maintenance",
        title="daily maintenance",
        func=tasks.task_path(tasks.maintenance),
        cron="15 4 * * *",
        description="Prune old exhausted rows, history, finished queue entries and sessions; "
        "remove orphans; VACUUM ANALYZE the big tables.",
    ),
)

#: Jobs of the apps above queueing (notifications, analytics), added by
#: :func:`job_contribute` from their AppConfig.ready(): queueing never names them.
_CONTRIBUTED: list[BuiltinJob] = []


def job_contribute(job: BuiltinJob) -> None:
    """Add a higher app's periodic job to the reconciled list (idempotent by key)."""
    if any(known.key == job.key for known in all_jobs()):
        return
    _CONTRIBUTED.append(job)


def all_jobs() -> tuple[BuiltinJob, ...]:
    """Every periodic job: queueing's own, then the ones other apps contributed."""
    return (*BUILTIN_JOBS, *_CONTRIBUTED)


#: Task paths of earlier versions -> today's. Schedule rows and queued tasks that still
#: name one are rewritten by :func:`schedules_reconcile` (``serve`` runs it at start-up).
LEGACY_TASK_PATHS: dict[str, str] = {
    **{
        f"queueing.jobs.{func.__name__}": tasks.task_path(func)
        for func in (
            tasks.sync_libraries,
            tasks.dispatch,
            tasks.health_checks,
            tasks.health_check,
            tasks.run_due_sweep_schedules,
            tasks.sweep_schedule,
            tasks.maintenance,
        )
    },
    # The engine tick the dispatch job ran by string; the job itself is the tick now.
    "queueing.tasks.process_queue_tick": tasks.task_path(tasks.dispatch),
}


@dataclass(frozen=True)
class ResolvedJob:
    """A built-in job with the cron the environment chose (None: switched off)."""

    job: BuiltinJob
    cron: str | None

    @property
    def enabled(self) -> bool:
        return self.cron is not None


def resolve_jobs(env: Mapping[str, str] | None = None) -> list[ResolvedJob]:
    """The built-in jobs with env overrides applied; ImproperlyConfigured names the variable."""
    resolved = []
    for job in all_jobs():
        value = config.read_str(job.env_var, None, env=env)
        if value is None:
            resolved.append(ResolvedJob(job, job.cron))
        elif value.lower() in (DISABLED, "disabled", "off"):
            resolved.append(ResolvedJob(job, None))
        else:
            try:
                cron = cron_normalise(value, source=job.env_var)
            except ValueError as exc:
                raise ImproperlyConfigured(
                    f"{exc}; e.g. {job.env_var}={job.cron!r}, or {DISABLED!r} to switch it off"
                ) from None
            resolved.append(ResolvedJob(job, cron))
    return resolved


@dataclass
class ReconcileReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    #: Rows and queued tasks moved from an old task path to today's.
    renamed: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed or self.renamed)


def _next_run(cron: str, after: datetime) -> datetime:
    # What django-q2's scheduler does (croniter over the local time of TIME_ZONE), but from
    # ``after`` instead of the wall clock, so a first run is never "now".
    local = timezone.localtime(after, timezone=zoneinfo.ZoneInfo(settings.TIME_ZONE))
    return croniter(cron, local).get_next(datetime).astimezone(UTC)


def schedules_reconcile(
    *, env: Mapping[str, str] | None = None, now: datetime | None = None
) -> ReconcileReport:
    """Make the django-q2 Schedule rows match :func:`all_jobs`; idempotent.

    Runs in one transaction under an advisory lock, so two processes starting
    together cannot both create a row. Extra rows with one of our names (left
    by older versions or a manual copy) are deleted: never duplicates.
    """
    jobs = resolve_jobs(env)  # raises before anything is written
    now = now or timezone.now()
    report = ReconcileReport()
    with advisory_lock("setup_schedules") as acquired:
        if not acquired:
            raise RuntimeError("another process is reconciling the schedules right now")
        with transaction.atomic():
            wanted = {r.job.schedule_name: r for r in jobs if r.enabled}
            ours = Schedule.objects.filter(name__startswith=NAME_PREFIX).order_by("pk")
            seen: set[str] = set()
            for row in ours:
                if row.name not in wanted or row.name in seen:
                    report.removed.append(row.name)
                    row.delete()
                else:
                    seen.add(row.name)
            for name, resolved in wanted.items():
                _apply(name, resolved, now, report)
            report.renamed = _rename_legacy_paths()
    for name in report.created + report.updated + report.removed:
        logger.info("schedule reconciled", extra={"schedule": name})
    return report


def _apply(name: str, resolved: ResolvedJob, now: datetime, report: ReconcileReport) -> None:
    job = resolved.job
    fields = {
        "func": job.func,
        "schedule_type": Schedule.CRON,
        "cron": resolved.cron,
        "minutes": None,
        "args": None,
        "kwargs": repr(job.kwargs) if job.kwargs else None,
        "hook": None,
        "repeats": -1,
        "cluster": None,
    }
    row = Schedule.objects.filter(name=name).first()
    if row is not None and all(getattr(row, key) == value for key, value in fields.items()):
        report.unchanged.append(name)
        return
    first_run = {"next_run": _next_run(resolved.cron, now)}
    # A new cron gets a new first run; an unchanged one keeps the run already planned.
    defaults = fields if row is not None and row.cron == resolved.cron else fields | first_run
    row, created = Schedule.objects.update_or_create(
        name=name, defaults=defaults, create_defaults=fields | first_run
    )
    if created:
        # Schedule.save() replaces a new cron row's next run with one from the wall
        # clock; keep the one computed from ``now`` (the same moment outside tests).
        Schedule.objects.filter(pk=row.pk).update(**first_run)
    (report.created if created else report.updated).append(name)


def _rename_legacy_paths() -> int:
    """Point schedule rows and queued tasks that name an old task path at today's."""
    renamed = 0
    for old, new in LEGACY_TASK_PATHS.items():
        renamed += Schedule.objects.filter(func=old).update(func=new)
    # Queued tasks are signed pickles; a few at most wait at start-up.
    for queued in OrmQ.objects.select_for_update(skip_locked=True):
        try:
            task = SignedPackage.loads(queued.payload)
        except Exception:  # noqa: S112 - django-q2 reports unreadable packages itself
            continue
        new = LEGACY_TASK_PATHS.get(task.get("func")) if isinstance(task, dict) else None
        if new is None:
            continue
        task["func"] = new
        OrmQ.objects.filter(pk=queued.pk).update(payload=SignedPackage.dumps(task))
        renamed += 1
    return renamed


def builtin_rows() -> dict[str, Schedule]:
    """Our Schedule rows by name (for listing)."""
    return {s.name: s for s in Schedule.objects.filter(name__startswith=NAME_PREFIX)}
