"""The JSON resources of the fake Prowlarr (shapes from prowlarr-v1.json)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .prowlarr import FakeApplication, FakeIndexer


def iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class ProwlarrResources:
    """Rendering for FakeProwlarr: reads its indexers, applications and events."""

    indexers: dict[int, Any]
    applications: dict[int, Any]
    events: list[Any]

    def render_indexer(self, i: FakeIndexer) -> dict:
        fields = [
            {"name": "baseUrl", "value": f"https://{i.name.lower().replace(' ', '')}.example"},
            {"name": "baseSettings.queryLimit", "value": i.query_limit},
            {"name": "baseSettings.grabLimit", "value": i.grab_limit},
            {"name": "baseSettings.limitsUnit", "value": 1 if i.per_hour else 0},
        ]
        return {
            "id": i.id,
            "name": i.name,
            "enable": i.enable,
            "protocol": i.protocol,
            "priority": i.priority,
            "tags": list(i.tags),
            "appProfileId": 1,
            "implementation": "Newznab",
            "implementationName": "Newznab",
            "configContract": "NewznabSettings",
            "fields": fields,
        }

    def render_status(self, at: float) -> list[dict]:
        return [
            {
                "id": i.id,
                "indexerId": i.id,
                "disabledTill": iso(i.disabled_till),
                "mostRecentFailure": iso(i.failures[-1]),
                "initialFailure": iso(i.failures[0]),
            }
            for i in self.indexers.values()
            if i.failures and i.disabled_till and i.disabled_till > at
        ]

    def render_stats(self, start: float, end: float) -> dict:
        rows = []
        for i in self.indexers.values():
            kinds = Counter(
                e.event_type for e in self.events if e.indexer_id == i.id and start <= e.ts <= end
            )
            rows.append(
                {
                    "indexerId": i.id,
                    "indexerName": i.name,
                    "averageResponseTime": 350,
                    "averageGrabResponseTime": 0,
                    "numberOfQueries": kinds["indexerQuery"],
                    "numberOfGrabs": kinds["releaseGrabbed"],
                    "numberOfRssQueries": kinds["indexerRss"],
                    "numberOfAuthQueries": 0,
                    "numberOfFailedQueries": 0,
                    "numberOfFailedGrabs": 0,
                    "numberOfFailedRssQueries": 0,
                    "numberOfFailedAuthQueries": 0,
                }
            )
        return {"id": 0, "indexers": rows, "userAgents": [], "hosts": []}

    def render_history(self, indexer_id: int | None, event_type: str | None, limit: int) -> list:
        events = [
            e
            for e in reversed(self.events)
            if (indexer_id is None or e.indexer_id == indexer_id)
            and (event_type is None or e.event_type == event_type)
        ][: max(0, limit)]
        return [
            {
                "id": e.id,
                "indexerId": e.indexer_id,
                "date": iso(e.ts),
                "successful": e.successful,
                "eventType": e.event_type,
                "data": {},
            }
            for e in events
        ]

    def render_application(self, app: FakeApplication) -> dict:
        return {
            "id": app.id,
            "name": app.name,
            "implementation": app.implementation,
            "implementationName": app.implementation,
            "configContract": f"{app.implementation}Settings",
            "syncLevel": app.sync_level,
            "tags": list(app.tags),
            "fields": [
                {"name": "prowlarrUrl", "value": "http://prowlarr:9696"},
                {"name": "baseUrl", "value": app.base_url},
                {"name": "apiKey", "value": "********"},
            ],
        }
