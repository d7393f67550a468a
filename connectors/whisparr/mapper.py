"""Whisparr JSON -> domain values.

v2 sites/years/scenes map like Sonarr series/seasons/episodes, except that a
scene has a releaseDate and no episode number or air time. v3 movies and
scenes map like Radarr movies, with itemType kept.
"""

from __future__ import annotations

from typing import Any

from connectors.common.types import EpisodeData, MovieData, SeriesData
from connectors.radarr.mapper import map_movie as _map_movie
from connectors.sonarr.mapper import map_episode as _map_episode
from connectors.sonarr.mapper import map_series as _map_series


def map_site(raw: Any) -> SeriesData:
    return _map_series(raw)


def map_scene_episode(
    raw: Any, *, episode_file: dict | None = None, cutoff_listed: bool = False
) -> EpisodeData:
    return _map_episode(raw, episode_file=episode_file, cutoff_listed=cutoff_listed, scene=True)


def map_eros_item(
    raw: Any, *, movie_file: dict | None = None, cutoff_listed: bool = False
) -> MovieData:
    return _map_movie(raw, movie_file=movie_file, cutoff_listed=cutoff_listed)
