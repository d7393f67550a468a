"""Prowlarr client (/api/v1): indexers, their status and spend, and the apps it feeds."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from connectors.common.client import ArrClient
from connectors.prowlarr import mapper
from connectors.prowlarr.capabilities import SHAPE_INDEXERS
from connectors.prowlarr.types import (
    Application,
    Indexer,
    IndexerEvent,
    IndexerStats,
    IndexerStatus,
)


class ProwlarrClient(ArrClient):
    kind: ClassVar[str] = "prowlarr"
    shape: ClassVar[str] = SHAPE_INDEXERS
    display_name: ClassVar[str] = "Prowlarr"

    def probe_facts(self) -> tuple[tuple[str, str], ...]:
        indexers = self.indexers()
        enabled = sum(1 for indexer in indexers if indexer.enabled)
        return (("Indexers", f"{len(indexers)} ({enabled} enabled)"),)

    def indexers(self) -> list[Indexer]:
        return mapper.map_indexers(self.http.get(f"{self.api_prefix}/indexer"))

    def indexer_statuses(self) -> list[IndexerStatus]:
        return mapper.map_indexer_statuses(self.http.get(f"{self.api_prefix}/indexerstatus"))

    def indexer_stats(self, start: datetime, end: datetime) -> list[IndexerStats]:
        """Spend of every indexer between two aware datetimes (one request)."""
        if start.tzinfo is None or end.tzinfo is None:
            raise ValueError("start and end must be aware datetimes")
        params = [("startDate", start), ("endDate", end)]
        return mapper.map_indexer_stats(self.http.get(f"{self.api_prefix}/indexerstats", params))

    def indexer_events(self, indexer_id: int, *, limit: int) -> list[IndexerEvent]:
        """The newest ``limit`` history events of one indexer, newest first."""
        params = [("indexerId", indexer_id), ("limit", max(1, limit))]
        return mapper.map_indexer_events(
            self.http.get(f"{self.api_prefix}/history/indexer", params)
        )

    def applications(self) -> list[Application]:
        return mapper.map_applications(self.http.get(f"{self.api_prefix}/applications"))
