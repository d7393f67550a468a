"""The content browser's item lists (episodes, movies): filters, sorts and keyset pages.

A page reads ``size + 1`` rows after (or before) a cursor, ordered by the sort
key and the row id, so a deep page costs what the first does and the order
is stable when values tie. Then two more queries: the page's registry rows and
exclusions, from which searchstate.item_states gives each row its state.
Nothing here counts the whole library, except :func:`matching_ids` for a bulk
selection, which the user asked for.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import reduce
from operator import or_
from typing import Any

from django.db import connection
from django.db.models import (
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone

from connectors.models import Connector
from content.models import Episode, Movie, Season, Series
from searchstate.item_states import (
    ItemStatus,
    mirror_reason,
    state_filter,
    state_of,
    state_rank,
)
from searchstate.models import Exclusion, SearchRegistry
from web.browse_query import MOVIES, SORTS, BrowseQuery, encode_cursor
from web.library import PAGE_SIZE, Filter

#: Stand-ins for "none" in sort keys, so every key compares (never searched sorts as oldest).
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
NO_PRIORITY = -(10**6)


def model_for(kind: str) -> type[Episode] | type[Movie]:
    return Movie if kind == MOVIES else Episode


def _registry_value(model, field: str, order: str) -> Subquery:
    fk = "movie" if model is Movie else "episode"
    rows = SearchRegistry.objects.filter(**{fk: OuterRef("pk")}).order_by(order)
    return Subquery(rows.values(field)[:1])


def sort_keys(model, sort: str, now: datetime) -> list[tuple[str, Any, type]]:
    """(annotation name, expression, Python type) of each part of a sort, id excluded."""
    movie = model is Movie
    if sort == "title":
        if movie:
            return [("k_title", F("sort_title"), str)]
        return [
            ("k_title", F("series__sort_title"), str),
            ("k_series", F("series_id"), int),
            ("k_season", F("season_number"), int),
            ("k_number", Coalesce("episode_number", Value(-1)), int),
        ]
    if sort == "year":
        return [("k_year", Coalesce("year" if movie else "series__year", Value(0)), int)]
    if sort == "added":
        added = Coalesce("added" if movie else "series__added", Value(EPOCH))
        return [("k_added", added, datetime)]
    if sort == "state":
        return [("k_state", state_rank(model, now=now), int)]
    if sort == "last_searched":
        last = _registry_value(model, "last_searched_at", "-last_searched_at")
        return [("k_last", Coalesce(last, Value(EPOCH)), datetime)]
    if sort == "attempts":
        value = _registry_value(model, "attempts", "-attempts")
        return [("k_attempts", Coalesce(value, Value(0), output_field=IntegerField()), int)]
    if sort == "priority":
        value = _registry_value(model, "priority", "-priority")
        value = Coalesce(value, Value(NO_PRIORITY), output_field=IntegerField())
        return [("k_priority", value, int)]
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


def _after(keys: list[tuple[str, type]], values: list[Any], *, descending: bool) -> Q:
    """Rows strictly after ``values`` in the (keys..., id) order: a lexicographic comparison."""
    op = "lt" if descending else "gt"
    names = [name for name, _ in keys] + ["pk"]
    terms = []
    for i, name in enumerate(names):
        equal = {n: v for n, v in zip(names[:i], values[:i], strict=True)}
        terms.append(Q(**equal, **{f"{name}__{op}": values[i]}))
    return reduce(or_, terms)


_TITLE_SQL = """
SELECT outer_s.sort_title, outer_s.id, lat.season_number, lat.k_number, lat.id
FROM (
    SELECT id, sort_title FROM content_series
    WHERE connector_id = %s {bound}
    ORDER BY sort_title {dir}, id {dir}
) AS outer_s
CROSS JOIN LATERAL ({inner}) AS lat
ORDER BY outer_s.sort_title {dir}, outer_s.id {dir}, lat.season_number {dir},
         lat.k_number {dir}, lat.id {dir}
LIMIT %s
"""


def _episode_title_keys(
    qs: QuerySet,
    *,
    connector: Connector,
    search: str,
    cursor: list[Any] | None,
    descending: bool,
    limit: int,
) -> list[tuple]:
    """Sort keys of the next ``limit`` episodes in series-title order, after ``cursor``.

    Walks the series in title order (their index on connector, sort title, id)
    and, for each, its first matching episodes (the (series, season) index),
    so a page reads a few series instead of sorting the whole library: a join
    ordered by the series' title cannot use an index of the episodes.
    """
    direction = "DESC" if descending else "ASC"
    inner = qs.filter(series_id=RawSQL("outer_s.id", ())).annotate(
        k_number=Coalesce("episode_number", Value(-1))
    )
    bound, params = "", [connector.pk]
    if search:
        # As icontains matches, with LIKE's wildcards taken literally.
        pattern = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        bound += "AND UPPER(title) LIKE UPPER(%s) "
        params.append(f"%{pattern}%")
    if cursor:
        title, series_id, season, number, pk = cursor
        bound += f"AND (sort_title, id) {'<=' if descending else '>='} (%s, %s)"
        params += [title, series_id]
        inner = inner.filter(
            ~Q(series_id=series_id)
            | _after(
                [("season_number", int), ("k_number", int)],
                [season, number, pk],
                descending=descending,
            )
        )
    order = ["season_number", "k_number", "pk"]
    inner = inner.order_by(*[f"-{o}" if descending else o for o in order])
    inner_sql, inner_params = inner.values("id", "season_number", "k_number")[
        :limit
    ].query.sql_with_params()
    sql = _TITLE_SQL.format(bound=bound, dir=direction, inner=inner_sql)
    with connection.cursor() as db:
        db.execute(sql, [*params, *inner_params, limit])
        return db.fetchall()


def _episode_title_page(
    connector: Connector, query: BrowseQuery, *, size: int, now: datetime
) -> ItemPage:
    qs = filtered(connector, query, now=now, search=False)
    desc = query.direction == "desc"
    back = query.before is not None
    cursor = query.before if back else query.after
    keys = _episode_title_keys(
        qs,
        connector=connector,
        search=query.query,
        cursor=cursor,
        descending=desc != back,
        limit=size + 1,
    )
    more = len(keys) > size
    keys = keys[:size]
    if back:
        keys.reverse()
    by_pk = {
        row.pk: row
        for row in _hydrate(Episode.objects.filter(pk__in=[k[-1] for k in keys]), Episode, now)
    }
    rows = [by_pk[k[-1]] for k in keys if k[-1] in by_pk]
    has_next = True if back else more
    has_prev = more if back else query.after is not None
    return ItemPage(
        rows=with_status(rows, Episode),
        next_cursor=encode_cursor(list(keys[-1])) if has_next and keys else None,
        prev_cursor=encode_cursor(list(keys[0])) if has_prev and keys else None,
        is_first=not has_prev,
    )


def item_page(
    *,
    connector: Connector,
    query: BrowseQuery,
    size: int = PAGE_SIZE,
    now: datetime | None = None,
) -> ItemPage:
    now = now or timezone.now()
    model = model_for(query.kind)
    if model is Episode and query.sort == "title":
        return _episode_title_page(connector, query, size=size, now=now)
    keys = sort_keys(model, query.sort, now)
    qs = filtered(connector, query, now=now).annotate(**{n: expr for n, expr, _ in keys})
    names = [n for n, _, _ in keys]
    typed = [(n, t) for n, _, t in keys]
    desc = query.direction == "desc"
    if query.before:
        order = [(f"{n}" if desc else f"-{n}") for n in [*names, "pk"]]
        qs = qs.filter(_after(typed, query.before, descending=not desc))
        rows = list(_hydrate(qs.order_by(*order), model, now)[: size + 1])
        has_prev = len(rows) > size
        rows = list(reversed(rows[:size]))
        has_next = True
    else:
        order = [(f"-{n}" if desc else n) for n in [*names, "pk"]]
        if query.after:
            qs = qs.filter(_after(typed, query.after, descending=desc))
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
    qs = qs.annotate(item_reason=mirror_reason(model, now))
    return qs.select_related("series") if model is Episode else qs


def with_status(items: list, model) -> list[ItemRow]:
    """Each item with its state: one query for the registry rows, one for exclusions."""
    if not items:
        return []
    ids = [i.pk for i in items]
    fk = "movie_id" if model is Movie else "episode_id"
    rows: dict[int, list[SearchRegistry]] = {}
    for row in SearchRegistry.objects.filter(**{f"{fk}__in": ids}):
        rows.setdefault(getattr(row, fk), []).append(row)
    if model is Movie:
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
