"""The django-q2 task functions of the queueing app: the only module that names them.

Each takes ids (or nothing), returns quietly when its row is gone, runs inside
its overlap lock (comradarr.locks: a second copy of a job gives up at once and
returns None) and calls one service. Fan-out jobs enqueue one task per
connector so a slow or failing connector never holds up the others, and each
per-connector task has a timeout of its own.

The built-in schedules (queueing.builtin_schedules) and every async_task call
name these functions through :func:`task_path`, so a rename here is the only
edit; ``setup_schedules`` rewrites rows and queued tasks that still carry an
old path (see ``LEGACY_TASK_PATHS`` there).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from comradarr.locks import advisory_lock
from connectors.models import Connector
from queueing.models import SweepRun, SweepSchedule

logger = logging.getLogger(__name__)


def task_path(func: Callable) -> str:
    """The dotted path django-q2 stores for ``func`` (schedule rows, queued tasks)."""
    return f"{func.__module__}.{func.__qualname__}"


def sync_libraries(kind: str = "incremental") -> list[int] | None:
    """Enqueue one sync task per enabled connector (content.tasks, each with its own lock)."""
    from content.tasks import sync_all_connectors

    with advisory_lock(f"sync_libraries:{kind}") as acquired:
        if not acquired:
            return None
        return sync_all_connectors(kind=kind)


def dispatch() -> dict | None:
    """One engine tick over all enabled connectors: resolve, poll in-flight commands, dispatch.

    The lock keeps a slow tick from overlapping the next minute's (the engine
    itself is safe to overlap: claims skip locked rows).
    """
    from queueing.engine import run_tick

    with advisory_lock("dispatch") as acquired:
        if not acquired:
            return None
        return run_tick().as_dict()


def health_checks() -> list[int] | None:
    """Enqueue a health check of every enabled connector, unhealthy ones included.

    Checking the unhealthy ones is what lets them resume by themselves: a
    passing check marks the connector healthy, and sweeps and dispatch pick
    it up again on their next run.
    """
    from django_q.tasks import async_task

    with advisory_lock("health_checks") as acquired:
        if not acquired:
            return None
        ids = list(Connector.objects.filter(enabled=True).values_list("pk", flat=True))
        for connector_id in ids:
            async_task(
                task_path(health_check),
                connector_id,
                task_name=f"health check connector {connector_id}",
            )
        return ids


def health_check(connector_id: int) -> str | None:
    from connectors.tasks import check_connector_health

    with advisory_lock("health_check", connector_id) as acquired:
        if not acquired:
            return None
        return check_connector_health(connector_id)


def run_due_sweep_schedules() -> dict | None:
    from queueing.sweep_schedules import sweep_schedules_run_due

    with advisory_lock("run_due_sweep_schedules") as acquired:
        if not acquired:
            return None
        return sweep_schedules_run_due().as_dict()


def sweep_schedule(schedule_id: int) -> dict | None:
    """Run the sweep of one schedule (enqueued by run_due_sweep_schedules).

    A schedule's throttle profile override gives the batch size of the entries it plans.
    """
    from queueing.sweep import sweep_connector

    schedule = (
        SweepSchedule.objects.select_related("connector", "throttle_profile")
        .filter(pk=schedule_id, enabled=True)
        .first()
    )
    if schedule is None:
        return None
    # sweep_connector holds the connector's sweep lock itself (a busy one is a skipped run).
    result = sweep_connector(
        connector=schedule.connector,
        kind=schedule.kind,
        item_limit=schedule.item_limit,
        trigger=SweepRun.Trigger.SCHEDULE,
        # The override sets how the sweep batches (ids per command); the rate limits and
        # budgets stay the connector's, since they protect indexers the connector shares.
        batch_size=schedule.throttle_profile.batch_size if schedule.throttle_profile else None,
    )
    return {k: v for k, v in result.as_dict().items() if k != "plan"}


def maintenance(run_id: int | None = None, kind: str = "full") -> dict | None:
    """The daily maintenance (no run_id), or a run enqueued from the Database page."""
    from queueing.maintenance_runs import maintenance_execute

    return maintenance_execute(run_id=run_id, kind=kind)


def refresh_indexer_managers() -> dict[str, str] | None:
    """Read every enabled indexer manager (Prowlarr): name -> "" or the error."""
    from connectors.indexers import indexer_manager_refresh

    with advisory_lock("refresh_indexer_managers") as acquired:
        if not acquired:
            return None
        return {
            manager.name: indexer_manager_refresh(manager=manager)
            for manager in Connector.objects.indexer_managers().filter(enabled=True)
        }
