"""The content browser's item lists (episodes, movies): filters, sorts and keyset pages.

A page reads ``size + 1`` keys after (or before) a cursor, ordered by the sort
key and the row id, so a deep page costs what the first does and the order
is stable when values tie. web.browse_filters defines each order, and
:func:`reference_page` sorts by it in one ORM query (movies by title, year or
added); at 500,000 episodes the other pages walk indexes instead, row for row
the same order: the series in order (web.browse_series_walk) or the registry
and the mirror as streams (web.browse_streams), unless a narrow filter keeps
few episodes (web.browse_narrow). Then the page's items, with
whether each is excluded, and their registry rows, from which
searchstate.item_states gives each row its state. Nothing here counts the whole
library, except :func:`matching_ids` for a bulk selection, which the user asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.utils import timezone

from connectors.models import Connector
from content.models import Episode, Movie
from searchstate.item_states import ItemState, ItemStatus, excluded_q, mirror_reason, state_of
from searchstate.models import Exclusion, SearchRegistry
from web.browse_filters import filtered, model_for, sort_keys, sort_types
from web.browse_narrow import gather_for
from web.browse_query import BrowseQuery, encode_cursor
from web.browse_series_walk import SERIES_KEYS, after, series_walk_keys
from web.browse_streams import ROW_STATES, VALUES, Streams, walk
from web.library import PAGE_SIZE

__all__ = [
    "ItemPage",
    "ItemRow",
    "filtered",
    "item_page",
    "matching_ids",
    "model_for",
    "reference_page",
    "sort_keys",
    "sort_types",
    "with_status",
]


@dataclass
class ItemRow:
    item: Episode | Movie
    status: ItemStatus


@dataclass
class ItemPage:
    rows: list[ItemRow]
    next_cursor: str | None
    prev_cursor: str | None
    is_first: bool


def _walked_page(model, query: BrowseQuery, *, size: int, now: datetime, walk) -> ItemPage:
    """A page whose keys (each ending in the item id) come from ``walk(cursor, descending, limit)``.

    Two queries: the keys, then the items themselves.
    """
    back = query.before is not None
    keys = walk(
        query.before if back else query.after,
        (query.direction == "desc") != back,
        size + 1,
    )
    more = len(keys) > size
    keys = keys[:size]
    if back:
        keys.reverse()
    items = _hydrate(model.objects.filter(pk__in=[k[-1] for k in keys]).order_by(), model, now)
    by_pk = {row.pk: row for row in items}
    rows = [by_pk[k[-1]] for k in keys if k[-1] in by_pk]
    has_next = True if back else more
    has_prev = more if back else query.after is not None
    return ItemPage(
        rows=with_status(rows, model),
        next_cursor=encode_cursor(list(keys[-1])) if has_next and keys else None,
        prev_cursor=encode_cursor(list(keys[0])) if has_prev and keys else None,
        is_first=not has_prev,
    )


def _series_walk_page(connector: Connector, query: BrowseQuery, *, size: int, now: datetime):
    qs = filtered(connector, query, now=now, search=False)
    gather = gather_for(connector, query, now)

    def walk(cursor, descending: bool, limit: int) -> list[tuple]:
        return series_walk_keys(
            qs,
            sort=query.sort,
            connector_id=connector.pk,
            search=query.query,
            cursor=cursor,
            descending=descending,
            limit=limit,
            gather=gather,
        )

    return _walked_page(Episode, query, size=size, now=now, walk=walk)


def _stream_page(connector: Connector, query: BrowseQuery, *, size: int, now: datetime):
    model = model_for(query.kind)
    source = Streams(filtered(connector, query, now=now), connector_id=connector.pk, now=now)
    if query.sort == "state":
        streams = source.by_state(only=query.state)
    else:
        untracked = query.state in (ItemState.ELIGIBLE, ItemState.NOT_ELIGIBLE)
        streams = source.by_value(query.sort, untracked=untracked)
        if query.state in ROW_STATES:
            streams = [s for s in streams if s[0] == 1]  # a tracked state: searched items only
    gather = gather_for(connector, query, now)

    def walk_streams(cursor, descending: bool, limit: int) -> list[tuple]:
        return walk(streams, cursor, descending=descending, limit=limit, gather=gather)

    return _walked_page(model, query, size=size, now=now, walk=walk_streams)


def item_page(
    *,
    connector: Connector,
    query: BrowseQuery,
    size: int = PAGE_SIZE,
    now: datetime | None = None,
) -> ItemPage:
    now = now or timezone.now()
    model = model_for(query.kind)
    if model is Episode and query.sort in SERIES_KEYS:
        return _series_walk_page(connector, query, size=size, now=now)
    if query.sort == "state" or query.sort in VALUES:
        return _stream_page(connector, query, size=size, now=now)
    return reference_page(connector=connector, query=query, size=size, now=now)


def reference_page(
    *, connector: Connector, query: BrowseQuery, size: int = PAGE_SIZE, now: datetime
) -> ItemPage:
    """A page sorted by :func:`sort_keys` in one ORM query: every matching item, sorted.

    What the walks above must give, row for row (tests compare them); the
    path of movies sorted by title, year or added, which need no walk.
    """
    model = model_for(query.kind)
    keys = sort_keys(model, query.sort, now)
    qs = filtered(connector, query, now=now).annotate(**{n: expr for n, expr, _ in keys})
    names = [n for n, _, _ in keys]
    desc = query.direction == "desc"
    if query.before:
        order = [(f"{n}" if desc else f"-{n}") for n in [*names, "pk"]]
        qs = qs.filter(after(names, query.before, descending=not desc))
        rows = list(_hydrate(qs.order_by(*order), model, now)[: size + 1])
        has_prev = len(rows) > size
        rows = list(reversed(rows[:size]))
        has_next = True
    else:
        order = [(f"-{n}" if desc else n) for n in [*names, "pk"]]
        if query.after:
            qs = qs.filter(after(names, query.after, descending=desc))
        rows = list(_hydrate(qs.order_by(*order), model, now)[: size + 1])
        has_next = len(rows) > size
        rows = rows[:size]
        has_prev = query.after is not None

    def key(row) -> str:
        return encode_cursor([getattr(row, n) for n in names] + [row.pk])

    return ItemPage(
        rows=with_status(rows, model),
        next_cursor=key(rows[-1]) if has_next and rows else None,
        prev_cursor=key(rows[0]) if has_prev and rows else None,
        is_first=not has_prev,
    )


def _hydrate(qs: QuerySet, model, now: datetime) -> QuerySet:
    """The page's items with what their state needs from the mirror: the reason the mirror
    gives for not searching them, and whether they are excluded (so no query for that)."""
    qs = qs.annotate(
        item_reason=mirror_reason(model, now),
        item_excluded=ExpressionWrapper(excluded_q(model), output_field=BooleanField()),
    )
    return qs.select_related("series") if model is Episode else qs


def with_status(items: list, model) -> list[ItemRow]:
    """Each item with its state: one query for the registry rows, one for exclusions unless
    the items were read by :func:`_hydrate`, which tells."""
    if not items:
        return []
    ids = [i.pk for i in items]
    fk = "movie_id" if model is Movie else "episode_id"
    rows: dict[int, list[SearchRegistry]] = {}
    for row in SearchRegistry.objects.filter(**{f"{fk}__in": ids}):
        rows.setdefault(getattr(row, fk), []).append(row)
    if all(hasattr(i, "item_excluded") for i in items):

        def is_excluded(pk: int) -> bool:
            return by_pk[pk].item_excluded

        by_pk = {i.pk: i for i in items}
    elif model is Movie:
        excluded = set(
            Exclusion.objects.filter(movie_id__in=ids).values_list("movie_id", flat=True)
        )
        is_excluded = excluded.__contains__
    else:
        series_ids = {i.series_id for i in items}
        hits = Exclusion.objects.filter(
            Q(episode_id__in=ids) | Q(series_id__in=series_ids)
        ).values_list("episode_id", "series_id")
        episodes = {e for e, _ in hits if e}
        shows = {s for _, s in hits if s}
        by_pk = {i.pk: i for i in items}

        def is_excluded(pk: int) -> bool:
            return pk in episodes or by_pk[pk].series_id in shows

    return [
        ItemRow(
            item=item,
            status=state_of(
                rows=rows.get(item.pk, ()),
                excluded=is_excluded(item.pk),
                mirror_reason_code=item.item_reason,
            ),
        )
        for item in items
    ]


def matching_ids(connector: Connector, query: BrowseQuery, *, limit: int) -> list[int]:
    """Ids of every item the query's filters keep (up to ``limit``), for a bulk selection."""
    now = timezone.now()
    return list(
        filtered(connector, query, now=now).order_by("pk").values_list("pk", flat=True)[:limit]
    )
