"""Whisparr clients: v2 is series-shaped, v3 "Eros" is movie-shaped (both /api/v3)."""

from __future__ import annotations

from typing import ClassVar

from connectors.common.client import MovieClient, SeriesClient
from connectors.common.errors import BadResponseError
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

    def library_count(self) -> int | None:
        """Eros lists every item id at /movie/list (an int array, docs/arr-api.md
        section 4): a few bytes per item where /movie sends kilobytes."""
        raw = self.http.get(f"{self.api_prefix}/movie/list")
        if not isinstance(raw, list):
            raise BadResponseError(f"{self.http.where} answered /movie/list without a list.")
        return len(raw)
