"""Whisparr search commands: v2 uses the Sonarr-shaped ones, v3 (Eros) MoviesSearch."""

from __future__ import annotations

from connectors.radarr.commands import movies_search
from connectors.sonarr.commands import episode_search, season_search, series_search

__all__ = ["episode_search", "movies_search", "season_search", "series_search"]
