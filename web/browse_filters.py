"""What a content browser page keeps and in which order: its filters and sort keys.

:func:`sort_keys` defines each order as ORM expressions, one per part of the key
(the item id breaks ties): web.browse.reference_page sorts by them in one query,
and the walks (web.browse_series_walk, web.browse_streams) give the same order from
indexes. :func:`filtered` is the query's filters, shared by pages and bulk actions.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from connectors.models import Connector
from content.models import Episode, Movie, Season, Series
from searchstate.item_states import state_filter, state_rank
from searchstate.models import SearchRegistry
from web.browse_query import MOVIES, SORTS, BrowseQuery
from web.browse_streams import EPOCH, VALUES
from web.library import Filter

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
