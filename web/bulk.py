"""Bulk actions of the content browser: one service call per action, never one request per item.

A small selection (up to :data:`INLINE_LIMIT` items) is changed in the request,
in one transaction. A larger one (every item a filter matches) is confirmed
first, then done by one django-q task that walks the matching items by id in
chunks and records its progress in a :class:`web.models.BulkRun` row the page
polls. Every write goes through searchstate.services (reset, mark exhausted,
exclude, priority) or web.search_now (one forced sweep for all the items).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.db.models import F
from django.http import QueryDict
from django.utils import timezone

from connectors.models import Connector
from content.models import Episode, Movie
from searchstate import services as search_services
from web import browse, browse_query
from web.models import BulkAction, BulkRun
from web.search_now import enqueue_search_now

#: Above this many items, the user confirms and a background task does the work.
INLINE_LIMIT = 100
#: Items loaded and changed per transaction by the background task.
CHUNK = 1000
TASK = "web.bulk.bulk_task"


def apply(
    *,
    connector: Connector,
    action: str,
    items: Sequence[Episode | Movie],
    priority: int | None = None,
    search: bool = True,
) -> int:
    """Apply ``action`` to ``items`` through searchstate's services; returns how many changed.

    ``search=False`` leaves a search action to the caller (the task enqueues one
    sweep for every chunk together).
    """
    if not items:
        return 0
    if action == BulkAction.SEARCH:
        if search:
            enqueue_search_now(connector_id=connector.pk, item_ids=[i.pk for i in items])
        return len(items)
    if action == BulkAction.PRIORITY:
        return search_services.items_set_priority(items=items, priority=priority)
    if action == BulkAction.EXCLUDE:
        return search_services.items_exclude(items=items)
    if action == BulkAction.RESET:
        return search_services.registry_reset(items=items)
    if action == BulkAction.EXHAUST:
        return search_services.registry_mark_exhausted(connector=connector, items=items)
    raise ValueError(f"unknown bulk action {action!r}")


def items_of(connector: Connector, kind: str, ids: Sequence[int]) -> list[Episode | Movie]:
    """The items of ``connector`` among ``ids``: ids of other connectors or gone are dropped."""
    model = browse.model_for(kind)
    return list(model.objects.filter(connector=connector, pk__in=list(ids)).order_by("pk"))


def run_inline(
    *, connector: Connector, action: str, items: Sequence[Episode | Movie], priority: int | None
) -> int:
    with transaction.atomic():
        return apply(connector=connector, action=action, items=items, priority=priority)


def start(
    *,
    connector: Connector,
    action: str,
    query: browse_query.BrowseQuery,
    priority: int | None,
    total: int,
) -> BulkRun:
    """Record the run and enqueue its one task once the transaction commits."""
    run = BulkRun.objects.create(
        connector=connector,
        action=action,
        priority=priority,
        params=browse_query.filter_params(query),
        total=total,
        started_at=timezone.now(),
    )

    def enqueue() -> None:
        from django_q.tasks import async_task

        async_task(TASK, run.pk, task_name=f"bulk {action} {run.pk}")

    transaction.on_commit(enqueue)
    return run


def _query_of(run: BulkRun) -> browse_query.BrowseQuery:
    params = QueryDict(mutable=True)
    for key, value in run.params.items():
        params[key] = value
    connector = run.connector
    return browse_query.parse(
        params,
        series_shape=connector.shape.is_series,
        profile_ids={int(run.params["profile"])} if run.params.get("profile") else set(),
        sort_types={},
    )


def bulk_task(run_id: int) -> None:
    """Do one bulk run: the matching items by id, chunk after chunk, progress recorded."""
    run = (
        BulkRun.objects.select_related("connector")
        .filter(pk=run_id, status=BulkRun.Status.RUNNING, finished_at__isnull=True)
        .first()
    )
    if run is None:
        return  # gone, or already done by an earlier attempt
    try:
        _walk(run)
    except Exception as error:  # the ledger says what went wrong; the task is not retried
        BulkRun.objects.filter(pk=run.pk).update(
            status=BulkRun.Status.FAILED, error=str(error)[:500], finished_at=timezone.now()
        )
        raise
    BulkRun.objects.filter(pk=run.pk).update(
        status=BulkRun.Status.SUCCEEDED, finished_at=timezone.now()
    )


def _walk(run: BulkRun) -> None:
    connector = run.connector
    query = _query_of(run)
    matching = browse.filtered(connector, query, now=timezone.now()).order_by("pk")
    searched: list[int] = []
    last = 0
    while True:
        ids = list(matching.filter(pk__gt=last).values_list("pk", flat=True)[:CHUNK])
        if not ids:
            break
        last = ids[-1]
        items = items_of(connector, query.kind, ids)
        with transaction.atomic():
            changed = apply(
                connector=connector,
                action=run.action,
                items=items,
                priority=run.priority,
                search=False,
            )
            BulkRun.objects.filter(pk=run.pk).update(
                done=F("done") + len(ids), changed=F("changed") + changed
            )
        if run.action == BulkAction.SEARCH:
            searched.extend(ids)
    if searched:
        enqueue_search_now(connector_id=connector.pk, item_ids=searched)
