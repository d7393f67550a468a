"""Whisparr clients: v2 is series-shaped, v3 "Eros" is movie-shaped (both /api/v3)."""

from __future__ import annotations

from typing import ClassVar

from connectors.common.client import MovieClient, SeriesClient
from connectors.whisparr import mapper


class WhisparrV2Client(SeriesClient):
    kind: ClassVar[str] = "whisparr"
    display_name: ClassVar[str] = "Whisparr"
    map_series = mapper.map_site
    map_episode = mapper.map_scene_episode
    # No sort-key allow-list in v2: the raw key goes into SQL, and Episodes has AirDateUtc.
    wanted_sort_key: ClassVar[str] = "episodes.airDateUtc"


class WhisparrV3Client(MovieClient):
    kind: ClassVar[str] = "whisparr"
    display_name: ClassVar[str] = "Whisparr"
    map_movie = mapper.map_eros_item
