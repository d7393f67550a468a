"""Read side of the library browser: filtered, keyset-paginated pages of the mirror.

A page never counts the whole table (COUNT(*) over a large mirror is the
slowest query of a list page): it reads ``size + 1`` rows after a cursor, and
the extra row only says whether a next page exists. The cursor is the last
row's sort key (sort title, id), so page 500 costs what page 1 costs.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from connectors.common.shape import MOVIES, SERIES
from connectors.models import Connector
from content.models import Episode, Movie, Season, Series
from searchstate.item_states import mirror_reason

PAGE_SIZE = 50
#: Longer searches are cut: titles are at most 500 characters anyway.
MAX_QUERY = 200
#: Episodes shown for one season; Whisparr "seasons" (years of a site) can be large.
SEASON_EPISODE_LIMIT = 500


class Filter:
    ALL = "all"
    MISSING = "missing"
    CUTOFF = "cutoff"
    CHOICES = (
        (ALL, "All"),
        (MISSING, "Missing"),
        (CUTOFF, "Cutoff unmet"),
    )
    VALUES = frozenset(v for v, _ in CHOICES)


def clean_filter(raw: str | None) -> str:
    return raw if raw in Filter.VALUES else Filter.ALL


def clean_query(raw: str | None) -> str:
    """A printable search text, trimmed (control characters and NULs dropped)."""
    text = "".join(ch for ch in (raw or "") if ch.isprintable())
    return text.strip()[:MAX_QUERY]


def encode_cursor(sort_title: str, pk: int) -> str:
    raw = json.dumps([sort_title, pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str | None) -> tuple[str, int] | None:
    """The (sort title, id) a cursor carries; None for a missing or tampered one."""
    if not token or len(token) > 2000:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        value = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    if (
        isinstance(value, list)
        and len(value) == 2
        and isinstance(value[0], str)
        and isinstance(value[1], int)
        and not isinstance(value[1], bool)
    ):
        return value[0], value[1]
    return None


@dataclass
class Page:
    rows: list[Any]
    next_cursor: str | None
    prev_cursor: str | None
    is_first: bool


def _page(qs: QuerySet, *, after: str | None, before: str | None, size: int) -> Page:
    """Keyset page over (sort_title, id), forwards after a cursor or backwards before one."""
    back = decode_cursor(before) if before else None
    forward = decode_cursor(after) if not back else None
    if back:
        title, pk = back
        rows = list(
            qs.filter(Q(sort_title__lt=title) | Q(sort_title=title, pk__lt=pk)).order_by(
                "-sort_title", "-pk"
            )[: size + 1]
        )
        has_prev = len(rows) > size
        rows = list(reversed(rows[:size]))
        has_next = True
    else:
        if forward:
            title, pk = forward
            qs = qs.filter(Q(sort_title__gt=title) | Q(sort_title=title, pk__gt=pk))
        rows = list(qs.order_by("sort_title", "pk")[: size + 1])
        has_next = len(rows) > size
        rows = rows[:size]
        has_prev = forward is not None
    return Page(
        rows=rows,
        next_cursor=encode_cursor(rows[-1].sort_title, rows[-1].pk) if has_next and rows else None,
        prev_cursor=encode_cursor(rows[0].sort_title, rows[0].pk) if has_prev and rows else None,
        is_first=not has_prev,
    )


def series_page(
    *,
    connector: Connector,
    filter_: str = Filter.ALL,
    query: str = "",
    after: str | None = None,
    before: str | None = None,
    size: int = PAGE_SIZE,
) -> Page:
    """Series of a connector with their seasons (one extra query for the page's seasons)."""
    qs = Series.objects.filter(connector=connector)
    if query:
        qs = qs.filter(title__icontains=query)
    if filter_ == Filter.MISSING:
        qs = qs.filter(
            Exists(Season.objects.filter(series=OuterRef("pk"), missing_monitored_episodes__gt=0))
        )
    elif filter_ == Filter.CUTOFF:
        qs = qs.filter(
            Exists(Season.objects.filter(series=OuterRef("pk"), cutoff_unmet_episodes__gt=0))
        )
    qs = qs.prefetch_related(Prefetch("seasons", queryset=Season.objects.order_by("season_number")))
    return _page(qs, after=after, before=before, size=size)


def movie_page(
    *,
    connector: Connector,
    filter_: str = Filter.ALL,
    query: str = "",
    after: str | None = None,
    before: str | None = None,
    size: int = PAGE_SIZE,
) -> Page:
    qs = Movie.objects.filter(connector=connector)
    if query:
        qs = qs.filter(title__icontains=query)
    if filter_ == Filter.MISSING:
        qs = qs.missing().filter(monitored=True)
    elif filter_ == Filter.CUTOFF:
        qs = qs.cutoff_unmet()
    return _page(qs, after=after, before=before, size=size)


@dataclass
class SeasonView:
    season: Season
    episodes: list[Episode]
    truncated: bool


def series_season(
    *, series: Series, season_number: int | None, filter_: str = Filter.ALL
) -> SeasonView | None:
    """One season's episodes (the first with missing monitored episodes by default)."""
    seasons = list(series.seasons.order_by("season_number"))
    if not seasons:
        return None
    chosen = None
    if season_number is not None:
        chosen = next((s for s in seasons if s.season_number == season_number), None)
    if chosen is None:
        chosen = next(
            (s for s in seasons if s.missing_monitored_episodes and s.season_number > 0),
            next((s for s in reversed(seasons) if s.season_number > 0), seasons[-1]),
        )
    qs = Episode.objects.filter(series=series, season_number=chosen.season_number)
    if filter_ == Filter.MISSING:
        qs = qs.missing()
    elif filter_ == Filter.CUTOFF:
        qs = qs.cutoff_unmet()
    # The reason the mirror gives for not searching each one (its search state column).
    qs = qs.annotate(item_reason=mirror_reason(Episode, timezone.now()))
    rows = list(qs.order_by("episode_number", "release_date", "pk")[: SEASON_EPISODE_LIMIT + 1])
    return SeasonView(
        season=chosen,
        episodes=rows[:SEASON_EPISODE_LIMIT],
        truncated=len(rows) > SEASON_EPISODE_LIMIT,
    )


# --- one item --------------------------------------------------------------------------

ITEM_KINDS = (SERIES.item, MOVIES.item)
HISTORY_ROWS = 20


def item_get(*, kind: str, pk: int) -> Episode | Movie | None:
    """The episode (with its series and connector) or movie, or None."""
    if kind == SERIES.item:
        return Episode.objects.select_related("series", "connector").filter(pk=pk).first()
    if kind == MOVIES.item:
        return Movie.objects.select_related("connector").filter(pk=pk).first()
    return None


def item_page_url(*, kind: str, pk: int) -> str:
    """The library page of an episode, a movie or a series (searchstate.hooks.item_page_url)."""
    if kind == "series":
        return reverse("library:series", args=[pk])
    return reverse("library:item", args=[kind, pk])


def item_kind(item: Episode | Movie) -> str:
    """The item noun of the shape the row belongs to ("episode" or "movie")."""
    return MOVIES.item if isinstance(item, Movie) else SERIES.item
