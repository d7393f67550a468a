"""The raw Radarr resources Comradarr reads (field names from radarr-v3.json).

total=False everywhere: the apps omit null properties, so any key may be missing.
"""

from __future__ import annotations

from typing import TypedDict

from connectors.common.resources import QualityModel


class MovieFileResource(TypedDict, total=False):
    id: int
    movieId: int
    relativePath: str
    size: int
    dateAdded: str
    quality: QualityModel
    customFormatScore: int
    qualityCutoffNotMet: bool


class MovieStatisticsResource(TypedDict, total=False):
    movieFileCount: int
    sizeOnDisk: int
    releaseGroups: list[str]


class MovieResource(TypedDict, total=False):
    id: int
    title: str
    sortTitle: str
    status: str  # tba | announced | inCinemas | released | deleted
    inCinemas: str
    physicalRelease: str
    digitalRelease: str
    releaseDate: str  # >= 5.10
    year: int
    qualityProfileId: int
    hasFile: bool  # nullable; derived from statistics
    movieFileId: int  # >= 5.6
    monitored: bool
    minimumAvailability: str
    isAvailable: bool
    imdbId: str
    tmdbId: int
    added: str
    movieFile: MovieFileResource
    lastSearchTime: str  # >= 5.10.3
    statistics: MovieStatisticsResource  # >= 5.3
