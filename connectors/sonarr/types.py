"""The raw Sonarr resources Comradarr reads (field names from sonarr-v3.json).

total=False everywhere: the apps omit null properties, so any key may be missing.
"""

from __future__ import annotations

from typing import TypedDict

from connectors.common.resources import QualityModel


class SeasonStatisticsResource(TypedDict, total=False):
    nextAiring: str
    previousAiring: str
    episodeFileCount: int
    episodeCount: int
    totalEpisodeCount: int
    sizeOnDisk: int
    releaseGroups: list[str]
    percentOfEpisodes: float


class SeasonResource(TypedDict, total=False):
    seasonNumber: int
    monitored: bool
    statistics: SeasonStatisticsResource


class SeriesStatisticsResource(TypedDict, total=False):
    seasonCount: int
    episodeFileCount: int
    episodeCount: int
    totalEpisodeCount: int
    sizeOnDisk: int
    releaseGroups: list[str]
    percentOfEpisodes: float


class SeriesResource(TypedDict, total=False):
    id: int
    title: str
    sortTitle: str
    status: str  # continuing | ended | upcoming | deleted
    ended: bool
    nextAiring: str
    previousAiring: str
    seasons: list[SeasonResource]
    year: int
    qualityProfileId: int
    monitored: bool
    seriesType: str  # standard | daily | anime
    tvdbId: int
    tmdbId: int
    imdbId: str
    added: str
    statistics: SeriesStatisticsResource


class EpisodeFileResource(TypedDict, total=False):
    id: int
    seriesId: int
    seasonNumber: int
    relativePath: str
    size: int
    dateAdded: str
    quality: QualityModel
    customFormatScore: int
    qualityCutoffNotMet: bool


class EpisodeResource(TypedDict, total=False):
    id: int
    seriesId: int
    tvdbId: int
    episodeFileId: int  # 0 when there is no file
    seasonNumber: int
    episodeNumber: int
    title: str
    airDate: str
    airDateUtc: str
    lastSearchTime: str  # Sonarr >= 4.0.9.2332
    hasFile: bool
    monitored: bool
    episodeFile: EpisodeFileResource  # only with includeEpisodeFile=true (>= 4.0.9.2421)
