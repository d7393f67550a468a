"""Receivers of the domain events (side effects only: counting, and starting analytics' jobs).

The engine's minute tick and the daily maintenance announce themselves
(``dispatch_ticked``, ``maintenance_completed``): the tick samples the queue
depth and the maintenance rolls hours up into days. The ledger collection is a
periodic job of its own, contributed to queueing's built-in list from
AnalyticsConfig.ready(), so no engine app names an analytics function.
"""

from __future__ import annotations

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from analytics import recording, rollup
from comradarr import events


@receiver(events.items_exhausted, dispatch_uid="analytics.items_exhausted")
@transaction.atomic  # a failure rolls back only our writes, not the emitter's
def count_exhausted(*, connector, registry_ids, **kwargs) -> None:
    if registry_ids:
        recording.add_counts(
            connector_id=connector.pk, at=timezone.now(), exhausted=len(registry_ids)
        )


@receiver(events.sweep_completed, dispatch_uid="analytics.sweep_completed")
@transaction.atomic  # a failure rolls back only our writes, not the emitter's
def count_discoveries(*, connector, run, **kwargs) -> None:
    if not run.dry_run:
        recording.count_discoveries(connector_id=connector.pk, run_started_at=run.started_at)


@receiver(events.dispatch_ticked, dispatch_uid="analytics.dispatch_ticked")
@transaction.atomic  # a failure rolls back only our writes, not the emitter's
def on_tick(*, now=None, **kwargs) -> None:
    recording.sample_queue_depth(now=now or timezone.now())


@receiver(events.maintenance_completed, dispatch_uid="analytics.maintenance_completed")
@transaction.atomic  # a failure rolls back only our writes, not the emitter's
def on_maintenance(*, now=None, **kwargs) -> None:
    rollup.rollup(now=now)
