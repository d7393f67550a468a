"""Search commands for Sonarr-shaped apps (Sonarr, Whisparr v2).

Names and fields from docs/arr-api.md section 5: the app finds the Command class
whose name minus "Command" equals `name` and binds the rest of the body.
"""

from __future__ import annotations

from collections.abc import Sequence

from connectors.common.types import CommandRequest


def _positive_id(value: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{what} must be a positive integer, got {value!r}")
    return value


def unique_ids(ids: Sequence[int], what: str) -> list[int]:
    """Positive ids, duplicates dropped, order kept; at least one."""
    if isinstance(ids, str | bytes):
        raise ValueError(f"{what} must be a sequence of integers")
    seen: dict[int, None] = {}
    for value in ids:
        seen[_positive_id(value, what)] = None
    if not seen:
        raise ValueError(f"{what} must not be empty")
    return list(seen)


def series_search(series_id: int) -> CommandRequest:
    """Search every monitored episode of a series (monitored seasons only)."""
    series_id = _positive_id(series_id, "series_id")
    return CommandRequest(name="SeriesSearch", body={"name": "SeriesSearch", "seriesId": series_id})


def season_search(series_id: int, season_number: int) -> CommandRequest:
    """Search one season (monitored episodes only); indexers may return a season pack."""
    series_id = _positive_id(series_id, "series_id")
    if isinstance(season_number, bool) or not isinstance(season_number, int) or season_number < 0:
        raise ValueError(f"season_number must be a non-negative integer, got {season_number!r}")
    return CommandRequest(
        name="SeasonSearch",
        body={"name": "SeasonSearch", "seriesId": series_id, "seasonNumber": season_number},
    )


def episode_search(episode_ids: Sequence[int]) -> CommandRequest:
    """Search these episodes, monitored or not (the app uses monitoredOnly=false)."""
    ids = unique_ids(episode_ids, "episode_ids")
    return CommandRequest(name="EpisodeSearch", body={"name": "EpisodeSearch", "episodeIds": ids})
