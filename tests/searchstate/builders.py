"""Mirror rows built straight through the ORM, for search-state tests."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from connectors.models import Connector
from content.models import Episode, Movie, QualityProfile, Season, Series

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
LONG_AGO = NOW - timedelta(days=400)
_ids = itertools.count(1000)


def connector(name: str = "sonarr", kind: str = "sonarr", **fields) -> Connector:
    fields.setdefault("health_status", Connector.Health.HEALTHY)
    return Connector.objects.create(
        name=name, kind=kind, url="http://127.0.0.1:1", api_key="k" * 32, **fields
    )


def profile(conn: Connector, arr_id: int = 1, **fields) -> QualityProfile:
    return QualityProfile.objects.create(
        connector=conn, arr_id=arr_id, name=f"profile {arr_id}", **fields
    )


def series(conn: Connector, title: str = "Show", **fields) -> Series:
    arr_id = fields.pop("arr_id", next(_ids))
    fields.setdefault("quality_profile_id", 1)
    return Series.objects.create(
        connector=conn, arr_id=arr_id, title=title, sort_title=title.lower(), **fields
    )


def season(show: Series, number: int, **fields) -> Season:
    return Season.objects.create(series=show, season_number=number, **fields)


def episodes(
    show: Series,
    season_number: int,
    count: int,
    *,
    aired: datetime | None = LONG_AGO,
    has_file: int = 0,
    monitored: bool = True,
    **fields,
) -> list[Episode]:
    """``count`` episodes of a season, the first ``has_file`` of them with a file."""
    if not Season.objects.filter(series=show, season_number=season_number).exists():
        season(show, season_number)
    rows = []
    for n in range(1, count + 1):
        with_file = n <= has_file
        values = {
            "connector_id": show.connector_id,
            "series": show,
            "arr_id": next(_ids),
            "season_number": season_number,
            "episode_number": n,
            "title": f"Episode {n}",
            "air_date_utc": aired + timedelta(hours=n) if aired else None,
            "monitored": monitored,
            "has_file": with_file,
            "file_acquired_at": LONG_AGO if with_file else None,
            "cutoff_met_at": (
                LONG_AGO if with_file and not fields.get("quality_cutoff_not_met") else None
            ),
        }
        values.update(fields)
        rows.append(Episode(**values))
    return Episode.objects.bulk_create(rows)


def episode(show: Series, season_number: int = 1, **fields) -> Episode:
    aired = fields.pop("aired", LONG_AGO)
    return episodes(show, season_number, 1, aired=aired, **fields)[0]


def movie(conn: Connector, title: str = "Film", **fields) -> Movie:
    fields.setdefault("status", "released")
    fields.setdefault("minimum_availability", "released")
    fields.setdefault("is_available", True)
    fields.setdefault("quality_profile_id", 1)
    fields.setdefault("in_cinemas", LONG_AGO)
    if fields.get("has_file"):
        fields.setdefault("file_acquired_at", LONG_AGO)
        if not fields.get("quality_cutoff_not_met"):
            fields.setdefault("cutoff_met_at", LONG_AGO)
    return Movie.objects.create(
        connector=conn, arr_id=fields.pop("arr_id", next(_ids)), title=title, **fields
    )
