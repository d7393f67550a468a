"""Maintenance runs with a ledger row: the daily job, and "Vacuum/analyze now" / "Prune now".

Every run leaves a comradarr.MaintenanceRun row (the Database settings page
reads the newest). A manual run is enqueued, never run in the web request:
``maintenance_enqueue`` records it as queued and hands its id to the task
once the transaction commits; the worker (queueing.tasks.maintenance) marks
it running, runs the steps the kind names, and stores the report. One run at
a time: a run that finds another holding the lock is recorded as skipped.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from comradarr.locks import advisory_lock
from comradarr.models import MaintenanceRun
from queueing.maintenance import maintenance_run

logger = logging.getLogger(__name__)

Kind = MaintenanceRun.Kind
#: A run was asked for while another still ran (the lock was held).
BUSY = "Another maintenance run was in progress; this one did nothing. Try again when it ends."


class MaintenanceBusy(Exception):
    """A run is queued or running already: a second would only wait for the lock."""


def maintenance_active() -> MaintenanceRun | None:
    """The run queued or running now, if any. One older than a task's timeout is ignored:
    its worker died, and it must not block the buttons forever."""
    since = timezone.now() - timedelta(seconds=settings.Q_CLUSTER["retry"])
    return (
        MaintenanceRun.objects.filter(
            status__in=[MaintenanceRun.Status.QUEUED, MaintenanceRun.Status.RUNNING],
            started_at__gte=since,
        )
        .order_by("-started_at")
        .first()
    )


def maintenance_enqueue(*, kind: str) -> MaintenanceRun:
    """Record a manual run as queued and enqueue it for a worker when the transaction commits.

    Raises ValueError for an unknown kind and MaintenanceBusy while another run is active.
    """
    from django_q.tasks import async_task

    from queueing import tasks

    if kind not in Kind.values:
        raise ValueError(f"unknown maintenance kind {kind!r}")
    active = maintenance_active()
    if active is not None:
        raise MaintenanceBusy(
            f"{active.get_kind_display()} is {active.get_status_display().lower()} already."
        )
    run = MaintenanceRun.objects.create(
        kind=kind,
        trigger=MaintenanceRun.Trigger.MANUAL,
        status=MaintenanceRun.Status.QUEUED,
        started_at=timezone.now(),
    )
    transaction.on_commit(
        lambda: async_task(
            tasks.task_path(tasks.maintenance),
            run_id=run.pk,
            kind=kind,
            task_name=f"maintenance run {run.pk} ({kind})",
        )
    )
    logger.info("maintenance enqueued", extra={"run_id": run.pk, "kind": kind})
    return run


def maintenance_execute(*, run_id: int | None = None, kind: str = Kind.FULL) -> dict | None:
    """Run maintenance under its lock and record it; the report as a dict, None when busy.

    ``run_id`` names a queued manual run; without one (the schedule) a row is created.
    A run whose row is gone (deleted while queued) returns quietly.
    """
    if run_id is None:
        run = MaintenanceRun.objects.create(
            kind=kind,
            trigger=MaintenanceRun.Trigger.SCHEDULE,
            status=MaintenanceRun.Status.RUNNING,
            started_at=timezone.now(),
        )
    else:
        # Claimed by a conditional update, so a re-delivered task never runs it twice.
        claimed = MaintenanceRun.objects.filter(
            pk=run_id, status=MaintenanceRun.Status.QUEUED
        ).update(status=MaintenanceRun.Status.RUNNING, started_at=timezone.now())
        if not claimed:
            return None
        run = MaintenanceRun.objects.get(pk=run_id)
    with advisory_lock("maintenance") as acquired:
        if not acquired:
            _finish(run, MaintenanceRun.Status.SKIPPED, error=BUSY)
            return None
        try:
            report = maintenance_run(
                prune=run.kind in (Kind.FULL, Kind.PRUNE),
                vacuum=run.kind in (Kind.FULL, Kind.VACUUM),
            ).as_dict()
        except Exception as exc:
            # maintenance_run records step errors itself; this is anything else.
            _finish(run, MaintenanceRun.Status.FAILED, error=str(exc) or type(exc).__name__)
            raise
    errors = report.get("errors") or {}
    status = MaintenanceRun.Status.FAILED if errors else MaintenanceRun.Status.SUCCEEDED
    error = "; ".join(f"{step}: {message}" for step, message in errors.items())
    _finish(run, status, error=error, report=report)
    return report


def _finish(run: MaintenanceRun, status: str, *, error: str = "", report: dict | None = None):
    run.status, run.error, run.finished_at = status, error[:2000], timezone.now()
    run.report = report or {}
    run.save(update_fields=["status", "error", "finished_at", "report"])
