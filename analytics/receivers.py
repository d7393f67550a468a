"""Receivers of the domain events (side effects only: counting, and starting analytics' jobs).

Analytics has no schedule of its own: the engine's minute tick and the daily
maintenance announce themselves (``dispatch_ticked``, ``maintenance_finished``),
and these receivers hang analytics' periodic work on them, so no engine app
names an analytics function.
"""

from __future__ import annotations

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from analytics import recording, rollup
from comradarr import events

#: The ledger counters are recomputed at every tick whose minute is a multiple of this.
COLLECT_EVERY_MINUTES = 10
COLLECT_TASK = "analytics.jobs.collect"


@receiver(events.items_exhausted, dispatch_uid="analytics.items_exhausted")
def count_exhausted(*, connector, registry_ids, **kwargs) -> None:
    if registry_ids:
        recording.add_counts(
            connector_id=connector.pk, at=timezone.now(), exhausted=len(registry_ids)
        )


@receiver(events.sweep_completed, dispatch_uid="analytics.sweep_completed")
def count_discoveries(*, connector, run, **kwargs) -> None:
    if not run.dry_run:
        recording.count_discoveries(connector_id=connector.pk, run_started_at=run.started_at)


@receiver(events.dispatch_ticked, dispatch_uid="analytics.dispatch_ticked")
def on_tick(*, now=None, **kwargs) -> None:
    now = now or timezone.now()
    recording.sample_queue_depth(now=now)
    if now.minute % COLLECT_EVERY_MINUTES == 0:
        from django_q.tasks import async_task

        # Its own task: a big library's snapshot must not delay the next dispatch.
        transaction.on_commit(lambda: async_task(COLLECT_TASK))


@receiver(events.maintenance_finished, dispatch_uid="analytics.maintenance_finished")
def on_maintenance(*, now=None, **kwargs) -> None:
    rollup.rollup(now=now)
