"""Small builders of the client layer's domain values, for mirror tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from connectors.common.types import EpisodeData, MovieData, SeasonData, SeriesData
from connectors.models import Connector

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def make_connector(name: str = "sonarr", kind: str = "sonarr", **fields) -> Connector:
    return Connector.objects.create(
        name=name,
        kind=kind,
        url=fields.pop("url", "http://127.0.0.1:1"),
        api_key=fields.pop("api_key", "k" * 32),
        **fields,
    )


def season(number: int = 1, **fields) -> SeasonData:
    values = {
        "season_number": number,
        "monitored": True,
        "episode_file_count": 0,
        "episode_count": 2,
        "total_episode_count": 2,
        "percent_of_episodes": 0.0,
        "size_on_disk": 0,
        "next_airing": None,
        "previous_airing": T0,
    }
    values.update(fields)
    return SeasonData(**values)


def series(arr_id: int = 1, **fields) -> SeriesData:
    values = {
        "arr_id": arr_id,
        "title": f"Series {arr_id}",
        "sort_title": f"series {arr_id}",
        "year": 2020,
        "status": "continuing",
        "monitored": True,
        "series_type": "standard",
        "quality_profile_id": 1,
        "tvdb_id": 1000 + arr_id,
        "tmdb_id": None,
        "imdb_id": None,
        "added": T0,
        "next_airing": None,
        "previous_airing": T0,
        "episode_file_count": 0,
        "episode_count": 2,
        "total_episode_count": 2,
        "size_on_disk": 0,
        "seasons": (season(1),),
    }
    values.update(fields)
    return SeriesData(**values)


def episode(arr_id: int, series_arr_id: int = 1, **fields) -> EpisodeData:
    values = {
        "arr_id": arr_id,
        "series_arr_id": series_arr_id,
        "season_number": 1,
        "episode_number": arr_id,
        "title": f"Episode {arr_id}",
        "air_date_utc": T0,
        "release_date": None,
        "monitored": True,
        "has_file": False,
        "episode_file_id": None,
        "quality_name": None,
        "quality_resolution": None,
        "quality_cutoff_not_met": False,
        "custom_format_score": None,
        "last_search_time": None,
    }
    values.update(fields)
    return EpisodeData(**values)


def with_file(
    item, file_id: int = 500, *, cutoff_not_met: bool = False, quality: str = "HDTV-720p"
):
    """The same item with a file of the given quality (episode or movie)."""
    file_field = "episode_file_id" if isinstance(item, EpisodeData) else "movie_file_id"
    return replace(
        item,
        has_file=True,
        quality_name=quality,
        quality_resolution=720,
        quality_cutoff_not_met=cutoff_not_met,
        **{file_field: file_id},
    )


def movie(arr_id: int = 1, **fields) -> MovieData:
    values = {
        "arr_id": arr_id,
        "title": f"Movie {arr_id}",
        "sort_title": f"movie {arr_id}",
        "year": 2020,
        "status": "released",
        "monitored": True,
        "minimum_availability": "released",
        "is_available": True,
        "in_cinemas": T0,
        "digital_release": None,
        "physical_release": None,
        "tmdb_id": 5000 + arr_id,
        "imdb_id": f"tt{arr_id:07d}",
        "quality_profile_id": 1,
        "has_file": False,
        "movie_file_id": None,
        "quality_name": None,
        "quality_resolution": None,
        "quality_cutoff_not_met": False,
        "custom_format_score": None,
        "last_search_time": None,
        "item_type": "movie",
        "added": T0,
    }
    values.update(fields)
    return MovieData(**values)
