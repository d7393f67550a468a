"""Typed values read from Prowlarr (docs/arr-api.md section 10)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

PER_DAY = "day"
PER_HOUR = "hour"
WINDOWS = {PER_DAY: timedelta(hours=24), PER_HOUR: timedelta(hours=1)}


@dataclass(frozen=True, slots=True)
class Indexer:
    arr_id: int
    name: str
    enabled: bool
    protocol: str  # usenet | torrent | unknown
    priority: int
    tags: tuple[int, ...]
    query_limit: int | None  # baseSettings.queryLimit (None or 0: unlimited)
    grab_limit: int | None  # baseSettings.grabLimit
    limits_unit: str  # PER_DAY | PER_HOUR (baseSettings.limitsUnit 0 | 1)

    @property
    def window(self) -> timedelta:
        return WINDOWS[self.limits_unit]


@dataclass(frozen=True, slots=True)
class IndexerStatus:
    """An indexer Prowlarr switched off after failures, until ``disabled_till``."""

    indexer_id: int
    disabled_till: datetime | None
    most_recent_failure: datetime | None


@dataclass(frozen=True, slots=True)
class IndexerStats:
    """What an indexer spent between two dates (IndexerStatistics)."""

    indexer_id: int
    name: str
    queries: int  # numberOfQueries: IndexerQuery events
    rss_queries: int  # numberOfRssQueries: IndexerRss events
    grabs: int  # numberOfGrabs
    failed_queries: int

    @property
    def counted_queries(self) -> int:
        """What Prowlarr counts against queryLimit: searches and RSS polls."""
        return self.queries + self.rss_queries


@dataclass(frozen=True, slots=True)
class IndexerEvent:
    """One history event of an indexer (HistoryResource)."""

    indexer_id: int
    event_type: str  # indexerQuery | indexerRss | releaseGrabbed | ...
    date: datetime


@dataclass(frozen=True, slots=True)
class Application:
    """An *arr app Prowlarr feeds (ApplicationResource)."""

    arr_id: int
    name: str
    implementation: str  # Sonarr | Radarr | Whisparr | ...
    base_url: str  # fields[baseUrl]: the app's URL as Prowlarr reaches it
    sync_level: str  # disabled | addOnly | fullSync
    tags: tuple[int, ...]

    def handles(self, indexer: Indexer) -> bool:
        """ApplicationService.ShouldHandleIndexer: no tags = every indexer, else a shared tag."""
        return not self.tags or bool(set(self.tags) & set(indexer.tags))
