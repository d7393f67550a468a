"""The content browser's item lists (episodes, movies): filters, sorts and keyset pages.

A page reads ``size + 1`` keys after (or before) a cursor, ordered by the sort
key and the row id, so a deep page costs what the first does and the order
is stable when values tie. :func:`sort_keys` defines each order, and
:func:`reference_page` sorts by it in one ORM query (movies by title, year or
added); at 500,000 episodes the other pages walk indexes instead, row for row
the same order: the series in order (web.browse_series_walk) or the registry
and the mirror as streams (web.browse_streams). Then the page's items, with
whether each is excluded, and their registry rows, from which
searchstate.item_states gives each row its state. Nothing here counts the whole
library, except :func:`matching_ids` for a bulk selection, which the user asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone

from connectors.models import Connector
from content.models import Episode, Movie, Season, Series
from searchstate.item_states import (
    ItemState,
    ItemStatus,
    excluded_q,
    mirror_reason,
    state_filter,
    state_of,
    state_rank,
)
from searchstate.models import Exclusion, SearchRegistry
from searchstate.reasons import Reason
from web.browse_query import MOVIES, SORTS, BrowseQuery, encode_cursor
from web.browse_series_walk import SERIES_KEYS, Gather, after, series_walk_keys
from web.browse_streams import EPOCH, ROW_STATES, VALUES, Streams, walk
from web.library import PAGE_SIZE, Filter

#: Per registry-value sort: the registry field, and its Python type in a cursor.
_VALUE_FIELDS = {
    "last_searched": ("last_searched_at", datetime),
    "attempts": ("attempts", int),
    "priority": ("priority", int),
}


def model_for(kind: str) -> type[Episode] | type[Movie]:
    return Movie if kind == MOVIES else Episode


def _episode_order(series_keys: list[tuple[str, Any, type]]) -> list[tuple[str, Any, type]]:
    """An episode's key in a series order: the series' keys, its id, season and number."""
    return [
        *series_keys,
        ("k_series", F("series_id"), int),
        ("k_season", F("season_number"), int),
        ("k_number", Coalesce("episode_number", Value(-1)), int),
    ]


def sort_keys(model, sort: str, now: datetime) -> list[tuple[str, Any, type]]:
    """(annotation name, expression, Python type) of each part of a sort, id excluded.

    The definition of each order, as one ORM expression per part: the walks
    (web.browse_series_walk, web.browse_streams) give the same order from indexes.
    """
    movie = model is Movie
    title = ("k_title", F("sort_title" if movie else "series__sort_title"), str)
    if sort == "title":
        return [title] if movie else _episode_order([title])
    if sort == "year":
        year = ("k_year", Coalesce("year" if movie else "series__year", Value(0)), int)
        return [year] if movie else _episode_order([year, title])
    if sort == "added":
        added = Coalesce("added" if movie else "series__added", Value(EPOCH))
        return (
            [("k_added", added, datetime)]
            if movie
            else _episode_order([("k_added", added, datetime), title])
        )
    if sort == "state":
        return [("k_state", state_rank(model, now=now), int)]
    if sort in _VALUE_FIELDS:
        field, kind = _VALUE_FIELDS[sort]
        rows = SearchRegistry.objects.filter(**{"movie" if movie else "episode": OuterRef("pk")})
        greatest = rows.order_by(F(field).desc(nulls_last=True)).values(field)[:1]
        default = VALUES[sort][1]
        searched = Case(When(Exists(rows), then=Value(1)), default=Value(0))
        return [
            ("k_rows", searched, int),
            ("k_value", Coalesce(Subquery(greatest), Value(default)), kind),
        ]
    raise ValueError(f"unknown sort {sort!r}")


def sort_types(model) -> dict[str, tuple]:
    now = timezone.now()
    return {sort: tuple(t for _, _, t in sort_keys(model, sort, now)) for sort in SORTS}


def filtered(
    connector: Connector, query: BrowseQuery, *, now: datetime, search: bool = True
) -> QuerySet:
    """The items of ``connector`` the query's filters keep (unsorted).

    ``search=False`` leaves the title search out, for a caller that applies it
    to the series itself (the title-ordered episode page).
    """
    model = model_for(query.kind)
    qs = model.objects.filter(connector=connector)
    if query.filter == Filter.MISSING:
        qs = qs.missing()
    elif query.filter == Filter.CUTOFF:
        qs = qs.cutoff_unmet()
    if query.monitored:
        if model is Movie:
            qs = qs.filter(monitored=query.monitored == "yes")
        else:
            off_season = Season.objects.filter(
                series=OuterRef("series_id"),
                season_number=OuterRef("season_number"),
                monitored=False,
            )
            on = Q(monitored=True, series__monitored=True) & ~Q(Exists(off_season))
            qs = qs.filter(on if query.monitored == "yes" else ~on)
    if query.profile is not None:
        field = "quality_profile_id" if model is Movie else "series__quality_profile_id"
        qs = qs.filter(**{field: query.profile})
    if query.query and search:
        if model is Movie:
            qs = qs.filter(title__icontains=query.query)
        else:
            shows = Series.objects.filter(connector=connector, title__icontains=query.query)
            qs = qs.filter(series_id__in=shows.values("pk"))
    if query.state:
        qs = qs.filter(state_filter(model, query.state, reason=query.reason, now=now))
    return qs


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


#: Up to this many candidates, a narrow filter's episodes are sorted instead of walked.
GATHER_LIMIT = 20_000


def _narrow(query: BrowseQuery, now: datetime) -> Q | None:
    """An indexed condition every episode the filters keep meets, when it may be few of them.

    A filter the walk checks episode by episode costs a walk of the whole
    library when it keeps few (cutoff unmet and not monitored: all 500,000):
    such a filter's candidates, read on a partial index, are sorted instead
    when there are at most :data:`GATHER_LIMIT` of them.
    """
    if query.filter == Filter.MISSING:
        return Q(has_file=False)
    if query.filter == Filter.CUTOFF:
        return Q(has_file=True, quality_cutoff_not_met=True)
    if query.state == ItemState.NOT_ELIGIBLE and query.reason == Reason.NOT_AIRED:
        # Not aired comes after "cutoff met" among the reasons: no file, or one below cutoff
        # (each a partial index by air date); a Whisparr scene without one has a release date.
        files = ({"has_file": False}, {"has_file": True, "quality_cutoff_not_met": True})
        return reduce(
            or_,
            (
                Q(**file, **air)
                for file in files
                for air in ({"air_date_utc__gt": now}, {"air_date_utc__isnull": True})
            ),
        )
    return None


def _gather(connector: Connector, query: BrowseQuery, now: datetime) -> Gather | None:
    """For a narrow filter of episodes: its candidates, and its page by the reference sort."""
    narrow = _narrow(query, now) if model_for(query.kind) is Episode else None
    if narrow is None:
        return None
    # Missing and cutoff unmet filter on their partial index's condition itself: their
    # candidates are counted from the index alone, and the filters sort them.
    in_filters = query.filter in (Filter.MISSING, Filter.CUTOFF)
    found = Episode.objects.filter(connector=connector).filter(narrow).order_by()
    column = F("connector_id" if in_filters else "pk")
    candidates = found.values(cand_id=column)[: GATHER_LIMIT + 1].query.sql_with_params()
    keys = sort_keys(Episode, query.sort, now)
    names = [n for n, _, _ in keys]

    def page_sql(cursor, descending: bool, limit: int) -> tuple[str, tuple]:
        """The episodes the filters keep, sorted by the reference order (their keys)."""
        picked = filtered(connector, query, now=now)
        if not in_filters:
            # The candidates, not the narrow condition: implied by the filters, the planner
            # would count it twice and, expecting one row, join the series by scanning them.
            picked = picked.filter(pk__in=RawSQL("SELECT cand_id FROM candidates", ()))
        picked = picked.annotate(**{n: e for n, e, _ in keys})
        if cursor:
            picked = picked.filter(after(names, cursor, descending=descending))
        order = [("-" if descending else "") + n for n in [*names, "pk"]]
        picked = picked.order_by(*order).values(*names, item_id=F("pk"))[:limit]
        return picked.query.sql_with_params()

    return Gather(candidates=candidates, most=GATHER_LIMIT, page_sql=page_sql)


def _series_walk_page(connector: Connector, query: BrowseQuery, *, size: int, now: datetime):
    qs = filtered(connector, query, now=now, search=False)
    gather = _gather(connector, query, now)

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
    gather = _gather(connector, query, now)

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
