"""Finding the items a manual action is about: one item, a season, a series."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from connectors.models import Connector
from content.models import Episode, Movie, Series


class TargetError(ValueError):
    """The description matches nothing, or more than one thing."""


@dataclass
class Target:
    connector: Connector
    #: The most specific object named: a Series (whole series or season), Episode or Movie.
    obj: Series | Episode | Movie
    items: QuerySet
    season_number: int | None = None

    @property
    def description(self) -> str:
        if isinstance(self.obj, Series) and self.season_number is not None:
            return f"{self.obj.title} season {self.season_number}"
        return str(self.obj)


def _one(qs: QuerySet, what: str, value: str):
    matches = list(qs[:2])
    if not matches:
        raise TargetError(f"no {what} matches {value!r}")
    if len(matches) > 1:
        raise TargetError(f"{value!r} matches several {what}s; use the arr id")
    return matches[0]


#: Longer than any title the mirror can hold (varchar 500).
MAX_TITLE = 500


def _by_id_or_title(qs: QuerySet, value: str, what: str):
    value = value.strip()
    if not value or len(value) > MAX_TITLE or not value.isprintable():
        raise TargetError(f"no {what} matches {value[:50]!r}")
    if value.isdigit():
        return _one(qs.filter(arr_id=int(value)), what, value)
    exact = qs.filter(title__iexact=value)
    if exact.exists():
        return _one(exact, what, value)
    return _one(qs.filter(title__icontains=value), what, value)


def find_target(
    *,
    connector: Connector,
    series: str | None = None,
    season: int | None = None,
    episode: int | None = None,
    movie: str | None = None,
) -> Target:
    """Series by arr id or title (optionally one season), an episode by arr id, a movie."""
    if movie:
        obj = _by_id_or_title(Movie.objects.filter(connector=connector), movie, "movie")
        return Target(connector, obj, Movie.objects.filter(pk=obj.pk))
    if episode is not None:
        obj = _one(
            Episode.objects.filter(connector=connector, arr_id=episode), "episode", str(episode)
        )
        return Target(connector, obj, Episode.objects.filter(pk=obj.pk))
    if series:
        obj = _by_id_or_title(Series.objects.filter(connector=connector), series, "series")
        items = Episode.objects.filter(series=obj)
        if season is not None:
            items = items.filter(season_number=season)
            if not items.exists():
                raise TargetError(f"{obj.title} has no season {season} in the mirror")
        return Target(connector, obj, items, season_number=season)
    raise TargetError("name a --series (optionally --season), an --episode or a --movie")
