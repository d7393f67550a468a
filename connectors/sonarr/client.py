"""Sonarr client (apps v3, v4 and v5, all through /api/v3)."""

from __future__ import annotations

from typing import ClassVar

from connectors.common.capabilities import at_least
from connectors.common.client import SeriesClient
from connectors.sonarr import mapper


class SonarrClient(SeriesClient):
    kind: ClassVar[str] = "sonarr"
    display_name: ClassVar[str] = "Sonarr"
    map_series = mapper.map_series
    map_episode = mapper.map_episode

    def _wanted_sort_key(self) -> str:
        # The v3 app (Nancy) sorted by the bare property; v4 uses table-prefixed keys.
        caps = self.capabilities
        if caps is not None and caps.version and not at_least(caps.version, (4,)):
            return "airDateUtc"
        return self.wanted_sort_key
