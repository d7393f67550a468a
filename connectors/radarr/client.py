"""Radarr client (apps v3 to v6, all through /api/v3)."""

from __future__ import annotations

from typing import ClassVar

from connectors.common.capabilities import at_least
from connectors.common.client import MovieClient
from connectors.common.parsing import require_list
from connectors.radarr import mapper


class RadarrClient(MovieClient):
    kind: ClassVar[str] = "radarr"
    display_name: ClassVar[str] = "Radarr"
    map_movie = mapper.map_movie

    def _files_not_embedded(self, raw: list[dict]) -> dict[int, dict]:
        caps = self.capabilities
        if caps is None or not caps.version or at_least(caps.version, (5,)):
            return super()._files_not_embedded(raw)
        # Radarr < 5 binds /moviefile?movieId= as a single integer: one request per movie.
        files: dict[int, dict] = {}
        for item in raw:
            if isinstance(item.get("movieFile"), dict) or item.get("hasFile") is not True:
                continue
            movie_id = item.get("id")
            for file_raw in require_list(
                self.http.get(f"{self.api_prefix}/moviefile", {"movieId": movie_id}), "movie file"
            ):
                files[movie_id] = file_raw
        return files
