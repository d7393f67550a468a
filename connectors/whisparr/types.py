"""The raw Whisparr resources Comradarr reads.

Whisparr v2 (whisparr-v3.json, Sonarr-shaped) and Whisparr v3 "Eros"
(whisparr-eros-v3.json, Radarr-shaped). Only the fields that differ from the
Sonarr and Radarr resources are declared here; the rest is shared.
total=False everywhere: null properties are omitted by the apps.
"""

from __future__ import annotations

from typing import TypedDict

from connectors.radarr.types import MovieFileResource, MovieStatisticsResource
from connectors.sonarr.types import EpisodeFileResource, SeasonResource, SeriesStatisticsResource


class SiteResource(TypedDict, total=False):
    """Whisparr v2 SeriesResource: a site. No seriesType, tmdbId, imdbId or lastAired."""

    id: int
    title: str
    sortTitle: str
    status: str
    nextAiring: str
    previousAiring: str
    seasons: list[SeasonResource]  # a season is a year
    year: int
    qualityProfileId: int
    monitored: bool
    tvdbId: int
    added: str
    statistics: SeriesStatisticsResource


class SceneEpisodeResource(TypedDict, total=False):
    """Whisparr v2 EpisodeResource: a scene. No episodeNumber, airDateUtc or lastSearchTime."""

    id: int
    seriesId: int
    episodeFileId: int
    seasonNumber: int  # the year
    title: str
    releaseDate: str  # "yyyy-MM-dd" on the wire (the spec shows a DateOnly object)
    hasFile: bool
    monitored: bool
    seriesTitle: str
    grabbed: bool
    episodeFile: EpisodeFileResource


class ErosMovieResource(TypedDict, total=False):
    """Whisparr v3 MovieResource: a movie or a scene. No cinema/digital/physical dates."""

    id: int
    title: str
    sortTitle: str
    status: str
    releaseDate: str
    year: int
    qualityProfileId: int
    hasFile: bool
    monitored: bool
    isAvailable: bool
    imdbId: str
    tmdbId: int
    foreignId: str
    stashId: str
    added: str
    movieFile: MovieFileResource
    itemType: str  # movie | scene
    statistics: MovieStatisticsResource
    lastSearchTime: str  # in Eros source from 3.2.0, not in its committed spec
