"""Signal receivers of the queueing app: side effects only, no business rules.

Connected in QueueingConfig.ready(), so the connectors app never imports
queueing: a new connector gets its default sweep schedules (gaps hourly,
upgrades every 6 hours) from :func:`queueing.sweep_schedules.sweep_schedules_create_defaults`,
and its first library sync is enqueued at once (once the row commits), whichever
surface added it (pages, manage.py, later the API), unless the user unticked
"Sync now" (``Connector.sync_on_create``). The first successful sync of
a connector never swept before starts its gap sweeps right away instead of
waiting for the schedule's next minute 0 (:func:`first_sync_completed`).
"""

from __future__ import annotations

from typing import Any


def connector_created(sender: Any, instance: Any, created: bool, raw: bool = False, **_: Any):
    """post_save of Connector: side effect only - create the default sweep schedules once."""
    if not created or raw:  # raw: loaddata replays rows, schedules come with the fixture
        return
    if not instance.is_library:  # an indexer manager is never swept
        return
    from queueing.sweep_schedules import sweep_schedules_create_defaults

    sweep_schedules_create_defaults(connector=instance)
    if instance.enabled and instance.sync_on_create:
        _enqueue_first_sync(instance.pk)


def _enqueue_first_sync(connector_id: int) -> None:
    from django.db import transaction

    def enqueue() -> None:
        from django_q.tasks import async_task

        from content.models import SyncRun

        async_task(
            "content.tasks.sync_connector",
            connector_id,
            SyncRun.Kind.FULL,
            SyncRun.Trigger.MANUAL,
            task_name=f"first sync connector {connector_id}",
        )

    transaction.on_commit(enqueue)


def first_sync_completed(sender: Any = None, *, connector: Any, run: Any, **_: Any) -> None:
    """sync_completed: after a connector's first successful sync, sweep its gaps now."""
    from queueing.sweep_schedules import sweep_schedules_start_first

    sweep_schedules_start_first(connector=connector, run=run)
