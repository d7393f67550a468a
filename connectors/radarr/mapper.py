"""Radarr JSON (MovieResource with its MovieFileResource) -> MovieData.

Whisparr v3 (Eros) movies and scenes go through the same function.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from connectors.common.availability import radarr_available_from
from connectors.common.parsing import (
    as_bool,
    as_datetime,
    as_int,
    as_positive_id,
    as_str,
    quality_of,
    require_int,
)
from connectors.common.types import MovieData


def _has_file(raw: dict, file_raw: dict | None) -> bool:
    # hasFile is nullable (derived from statistics, >= 5.3); older apps rely on movieFile.
    has_file = raw.get("hasFile")
    if isinstance(has_file, bool):
        return has_file
    stats = raw.get("statistics")
    if isinstance(stats, dict) and as_int(stats.get("movieFileCount")) is not None:
        return (as_int(stats.get("movieFileCount")) or 0) > 0
    return as_positive_id(raw.get("movieFileId")) is not None or isinstance(file_raw, dict)


def _is_available(raw: dict, minimum_availability: str) -> bool:
    """The app's isAvailable; recomputed with Radarr's rule when a version omits it."""
    reported = raw.get("isAvailable")
    if isinstance(reported, bool):
        return reported
    available_from = radarr_available_from(
        minimum_availability=minimum_availability,
        in_cinemas=as_datetime(raw.get("inCinemas")),
        digital_release=as_datetime(raw.get("digitalRelease")),
        physical_release=as_datetime(raw.get("physicalRelease")),
    )
    return available_from is not None and available_from <= datetime.now(UTC)


def map_movie(
    raw: Any, *, movie_file: dict | None = None, cutoff_listed: bool = False
) -> MovieData:
    """One MovieResource. qualityCutoffNotMet comes from the file (docs/arr-api.md section 8.1);
    `cutoff_listed` marks records read from /wanted/cutoff."""
    arr_id = require_int(raw, "id", "movie")
    embedded = raw.get("movieFile")
    file_raw = embedded if isinstance(embedded, dict) else movie_file
    has_file = _has_file(raw, file_raw)
    file_id = as_positive_id(raw.get("movieFileId"))
    if file_id is None and isinstance(file_raw, dict):
        file_id = as_positive_id(file_raw.get("id"))
    quality_name, quality_resolution = quality_of(file_raw)
    if isinstance(file_raw, dict) and isinstance(file_raw.get("qualityCutoffNotMet"), bool):
        cutoff_not_met = file_raw["qualityCutoffNotMet"]
    else:
        cutoff_not_met = cutoff_listed
    title = as_str(raw.get("title")) or ""
    # Eros has no minimumAvailability: it decides availability from the release date.
    minimum_availability = as_str(raw.get("minimumAvailability")) or "released"
    return MovieData(
        arr_id=arr_id,
        title=title,
        sort_title=as_str(raw.get("sortTitle")) or title.lower(),
        year=as_positive_id(raw.get("year")),
        status=as_str(raw.get("status")) or "tba",
        monitored=bool(as_bool(raw.get("monitored"), False)),
        minimum_availability=minimum_availability,
        is_available=_is_available(raw, minimum_availability),
        in_cinemas=as_datetime(raw.get("inCinemas")),
        digital_release=as_datetime(raw.get("digitalRelease")),
        physical_release=as_datetime(raw.get("physicalRelease")),
        tmdb_id=as_positive_id(raw.get("tmdbId")),
        imdb_id=as_str(raw.get("imdbId")) or None,
        quality_profile_id=as_positive_id(raw.get("qualityProfileId")),
        has_file=has_file,
        movie_file_id=file_id if has_file else None,
        quality_name=quality_name if has_file else None,
        quality_resolution=quality_resolution if has_file else None,
        quality_cutoff_not_met=bool(cutoff_not_met) and has_file,
        custom_format_score=as_int(file_raw.get("customFormatScore"))
        if has_file and isinstance(file_raw, dict)
        else None,
        last_search_time=as_datetime(raw.get("lastSearchTime")),
        item_type=as_str(raw.get("itemType")) or "movie",
        added=as_datetime(raw.get("added")),
        release_date=as_datetime(raw.get("releaseDate")),
    )
