"""Background tasks of the content app (django-q2).

Thin by design: load the connector by id, return quietly if it is gone or
disabled, call the sync service. Running one twice is harmless: the upsert is
idempotent and a second concurrent run is skipped by the per-connector lock.
"""

from __future__ import annotations

from connectors.models import Connector
from content.models import SyncRun
from content.sync.runner import connector_sync


def sync_connector(connector_id: int, kind: str = "incremental", trigger: str = "schedule"):
    """Sync one connector; returns the run's status, or None when nothing ran."""
    connector = Connector.objects.libraries().filter(pk=connector_id, enabled=True).first()
    if connector is None:
        return None
    if kind not in SyncRun.Kind.values or trigger not in SyncRun.Trigger.values:
        raise ValueError(f"unknown sync kind {kind!r} or trigger {trigger!r}")
    run = connector_sync(connector=connector, kind=kind, trigger=trigger)
    return run.status if run else None


def sync_all_connectors(kind: str = "incremental") -> list[int]:
    """The schedule's entry point: one task per enabled connector.

    Fanning out gives each connector its own task timeout and lets several
    workers sync different connectors at once; one connector failing (or
    being slow) never holds up the others. Returns the connector ids enqueued.
    """
    from django_q.tasks import async_task

    if kind not in SyncRun.Kind.values:
        raise ValueError(f"unknown sync kind {kind!r}")
    ids = list(Connector.objects.libraries().filter(enabled=True).values_list("pk", flat=True))
    for connector_id in ids:
        async_task(
            "content.tasks.sync_connector",
            connector_id,
            kind,
            SyncRun.Trigger.SCHEDULE,
            task_name=f"sync {kind} connector {connector_id}",
        )
    return ids
