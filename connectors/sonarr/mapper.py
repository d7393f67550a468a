"""Sonarr JSON (SeriesResource, EpisodeResource, EpisodeFileResource) -> domain values.

Whisparr v2 reuses these with its own episode differences (connectors/whisparr/mapper.py).
"""

from __future__ import annotations

from typing import Any

from connectors.common.errors import BadResponseError
from connectors.common.parsing import (
    as_bool,
    as_date,
    as_datetime,
    as_float,
    as_int,
    as_positive_id,
    as_str,
    quality_of,
    require_int,
)
from connectors.common.types import EpisodeData, SeasonData, SeriesData


def _stats(raw: dict) -> dict:
    stats = raw.get("statistics")
    return stats if isinstance(stats, dict) else {}


def map_season(raw: Any) -> SeasonData:
    if not isinstance(raw, dict):
        raise BadResponseError("A season is not an object.")
    stats = _stats(raw)
    return SeasonData(
        season_number=require_int(raw, "seasonNumber", "season"),
        monitored=bool(as_bool(raw.get("monitored"), False)),
        episode_file_count=as_int(stats.get("episodeFileCount")) or 0,
        episode_count=as_int(stats.get("episodeCount")) or 0,
        total_episode_count=as_int(stats.get("totalEpisodeCount")) or 0,
        percent_of_episodes=as_float(stats.get("percentOfEpisodes")) or 0.0,
        size_on_disk=as_int(stats.get("sizeOnDisk")) or 0,
        next_airing=as_datetime(stats.get("nextAiring")),
        previous_airing=as_datetime(stats.get("previousAiring")),
    )


def map_series(raw: Any) -> SeriesData:
    arr_id = require_int(raw, "id", "series")
    stats = _stats(raw)
    seasons = raw.get("seasons")
    title = as_str(raw.get("title")) or ""
    return SeriesData(
        arr_id=arr_id,
        title=title,
        sort_title=as_str(raw.get("sortTitle")) or title.lower(),
        year=as_positive_id(raw.get("year")),
        status=as_str(raw.get("status")) or "continuing",
        monitored=bool(as_bool(raw.get("monitored"), False)),
        series_type=as_str(raw.get("seriesType")) or "standard",
        quality_profile_id=as_positive_id(raw.get("qualityProfileId")),
        tvdb_id=as_positive_id(raw.get("tvdbId")),
        tmdb_id=as_positive_id(raw.get("tmdbId")),
        imdb_id=as_str(raw.get("imdbId")) or None,
        added=as_datetime(raw.get("added")),
        next_airing=as_datetime(raw.get("nextAiring")),
        previous_airing=as_datetime(raw.get("previousAiring")),
        episode_file_count=as_int(stats.get("episodeFileCount")) or 0,
        episode_count=as_int(stats.get("episodeCount")) or 0,
        total_episode_count=as_int(stats.get("totalEpisodeCount")) or 0,
        size_on_disk=as_int(stats.get("sizeOnDisk")) or 0,
        seasons=tuple(
            sorted(
                (map_season(season) for season in seasons if isinstance(season, dict)),
                key=lambda season: season.season_number,
            )
        )
        if isinstance(seasons, list)
        else (),
    )


def map_episode(
    raw: Any,
    *,
    episode_file: dict | None = None,
    cutoff_listed: bool = False,
    scene: bool = False,
) -> EpisodeData:
    """One EpisodeResource, with its file from `episodeFile` or from /episodefile.

    qualityCutoffNotMet lives only on the file resource (docs/arr-api.md section 8.1).
    `cutoff_listed` marks records read from /wanted/cutoff: listed there means
    below cutoff even when the file was not embedded.
    `scene` maps a Whisparr v2 scene: no episode number or air time, a releaseDate.
    """
    arr_id = require_int(raw, "id", "episode")
    embedded = raw.get("episodeFile")
    file_raw = embedded if isinstance(embedded, dict) else episode_file
    file_id = as_positive_id(raw.get("episodeFileId"))
    if file_id is None and isinstance(file_raw, dict):
        file_id = as_positive_id(file_raw.get("id"))
    has_file = bool(as_bool(raw.get("hasFile"), False)) or file_id is not None
    quality_name, quality_resolution = quality_of(file_raw)
    if isinstance(file_raw, dict) and isinstance(file_raw.get("qualityCutoffNotMet"), bool):
        cutoff_not_met = file_raw["qualityCutoffNotMet"]
    else:
        cutoff_not_met = cutoff_listed and has_file
    return EpisodeData(
        arr_id=arr_id,
        series_arr_id=require_int(raw, "seriesId", "episode"),
        season_number=as_int(raw.get("seasonNumber")) or 0,
        episode_number=None if scene else as_int(raw.get("episodeNumber")),
        title=as_str(raw.get("title")) or "",
        air_date_utc=None if scene else as_datetime(raw.get("airDateUtc")),
        release_date=as_date(raw.get("releaseDate")) if scene else None,
        monitored=bool(as_bool(raw.get("monitored"), False)),
        has_file=has_file,
        episode_file_id=file_id,
        quality_name=quality_name,
        quality_resolution=quality_resolution,
        quality_cutoff_not_met=bool(cutoff_not_met) and has_file,
        custom_format_score=as_int(file_raw.get("customFormatScore"))
        if isinstance(file_raw, dict)
        else None,
        last_search_time=as_datetime(raw.get("lastSearchTime")),
    )
