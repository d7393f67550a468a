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


def filtered(connector: Connector, query: BrowseQuery, *, now: datetime) -> QuerySet:
    """The items of ``connector`` the query's filters keep (unsorted)."""
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
    if query.query:
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


def item_page(
    *,
    connector: Connector,
    query: BrowseQuery,
    size: int = PAGE_SIZE,
    now: datetime | None = None,
) -> ItemPage:
    now = now or timezone.now()
    model = model_for(query.kind)
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
        rows=_with_status(rows, model),
        next_cursor=key(rows[-1]) if has_next and rows else None,
        prev_cursor=key(rows[0]) if has_prev and rows else None,
        is_first=not has_prev,
    )


def _hydrate(qs: QuerySet, model, now: datetime) -> QuerySet:
    qs = qs.annotate(item_reason=mirror_reason(model, now))
    return qs.select_related("series") if model is Episode else qs


def _with_status(items: list, model) -> list[ItemRow]:
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
