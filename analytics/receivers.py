"""Receivers of the domain events (side effects only: counting, and starting analytics' jobs).

Every request to an *arr app is added to this process's counts
(analytics.arr_requests), written at the end of each task and at the end of a
web request once a minute has passed.

The engine's minute tick and the daily maintenance announce themselves
(``dispatch_ticked``, ``maintenance_completed``): the tick samples the queue
depth and the maintenance rolls hours up into days. The ledger collection is a
periodic job of its own, contributed to queueing's built-in list from
AnalyticsConfig.ready(), so no engine app names an analytics function.
"""

from __future__ import annotations

from django.core.signals import request_finished
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone
from django_q.signals import post_execute_in_worker

from analytics import arr_requests, recording, rollup
from comradarr import events
from connectors.common import timing


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


@receiver(timing.request_timed, dispatch_uid="analytics.request_timed")
def count_request(*, connector_id, method, endpoint, status, duration_ms, **kwargs) -> None:
    arr_requests.record(
        connector_id=connector_id,
        method=method,
        endpoint=endpoint,
        status=status,
        duration_ms=duration_ms,
    )


@receiver(post_execute_in_worker, dispatch_uid="analytics.task_done")
def flush_after_task(**kwargs) -> None:
    # Every task: django-q2 may recycle this worker next, and its exit runs no atexit hook.
    arr_requests.flush()


@receiver(request_finished, dispatch_uid="analytics.web_request_done")
def flush_after_web_request(**kwargs) -> None:
    arr_requests.flush(only_if_due=True)
