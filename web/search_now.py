"""Manual "search now": a forced sweep of chosen items, run by a worker.

The one place that enqueues it, for the library pages and (through
searchstate.hooks) searchstate's admin action. A sweep reads the *arr's
download queue over HTTP, which never runs inside a web request.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

SWEEP_TASK = "queueing.sweep.sweep_task"


def enqueue_search_now(*, connector_id: int, item_ids: Sequence[int]) -> None:
    """Enqueue the sweep of ``item_ids`` once the transaction commits.

    It ignores cooldown and exhaustion, like ``manage.py searchstate search-now``.
    """
    only = list(item_ids)

    def enqueue() -> None:
        from django_q.tasks import async_task

        async_task(SWEEP_TASK, connector_id, only=only, force=True, trigger="manual")

    transaction.on_commit(enqueue)
