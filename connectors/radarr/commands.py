"""Search commands for Radarr-shaped apps (Radarr, Whisparr v3).

The command is MoviesSearch (plural; there is no MovieSearch) with movieIds
(docs/arr-api.md section 5). The app searches every listed id, monitored and
available or not, so callers pre-filter to monitored and is_available.
"""

from __future__ import annotations

from collections.abc import Sequence

from connectors.common.types import CommandRequest
from connectors.sonarr.commands import unique_ids


def movies_search(movie_ids: Sequence[int]) -> CommandRequest:
    ids = unique_ids(movie_ids, "movie_ids")
    return CommandRequest(name="MoviesSearch", body={"name": "MoviesSearch", "movieIds": ids})
