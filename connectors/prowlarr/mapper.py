"""Prowlarr JSON -> typed values (docs/arr-api.md section 10).

Indexer limits are nested settings that Prowlarr's schema builder flattens into
``fields`` as ``baseSettings.queryLimit``, ``baseSettings.grabLimit`` and
``baseSettings.limitsUnit`` (0 per day, the default; 1 per hour).
"""

from __future__ import annotations

from typing import Any

from connectors.common.errors import BadResponseError
from connectors.common.parsing import (
    as_bool,
    as_datetime,
    as_int,
    as_str,
    require_int,
    require_list,
)
from connectors.prowlarr.types import (
    PER_DAY,
    PER_HOUR,
    Application,
    Indexer,
    IndexerEvent,
    IndexerStats,
    IndexerStatus,
)

QUERY_LIMIT = "baseSettings.queryLimit"
GRAB_LIMIT = "baseSettings.grabLimit"
LIMITS_UNIT = "baseSettings.limitsUnit"
#: Counted against queryLimit / grabLimit (IndexerLimitService).
QUERY_EVENTS = frozenset({"indexerQuery", "indexerRss"})
GRAB_EVENTS = frozenset({"releaseGrabbed"})


def _fields(raw: dict) -> dict[str, Any]:
    fields = raw.get("fields")
    if not isinstance(fields, list):
        return {}
    return {f["name"]: f.get("value") for f in fields if isinstance(f, dict) and "name" in f}


def _tags(raw: dict) -> tuple[int, ...]:
    tags = raw.get("tags")
    if not isinstance(tags, list):
        return ()
    return tuple(sorted({t for t in (as_int(v) for v in tags) if t is not None}))


def _limit(value: Any) -> int | None:
    number = as_int(value)
    return number if number is not None and number > 0 else None


def _unit(value: Any) -> str:
    # An int enum on the wire; a name in some builds. Unknown -> Prowlarr's default (day).
    if as_int(value) == 1 or (isinstance(value, str) and value.lower() == "hour"):
        return PER_HOUR
    return PER_DAY


def map_indexer(raw: dict) -> Indexer:
    fields = _fields(raw)
    return Indexer(
        arr_id=require_int(raw, "id", "indexer"),
        name=as_str(raw.get("name")) or f"Indexer {raw.get('id')}",
        enabled=bool(as_bool(raw.get("enable"), False)),
        protocol=as_str(raw.get("protocol")) or "unknown",
        priority=as_int(raw.get("priority")) or 25,
        tags=_tags(raw),
        query_limit=_limit(fields.get(QUERY_LIMIT)),
        grab_limit=_limit(fields.get(GRAB_LIMIT)),
        limits_unit=_unit(fields.get(LIMITS_UNIT)),
    )


def map_indexers(raw: Any) -> list[Indexer]:
    return [map_indexer(item) for item in require_list(raw, "indexer")]


def map_indexer_statuses(raw: Any) -> list[IndexerStatus]:
    statuses = []
    for item in require_list(raw, "indexer status"):
        statuses.append(
            IndexerStatus(
                indexer_id=require_int(item, "indexerId", "indexer status"),
                disabled_till=as_datetime(item.get("disabledTill")),
                most_recent_failure=as_datetime(item.get("mostRecentFailure")),
            )
        )
    return statuses


def map_indexer_stats(raw: Any) -> list[IndexerStats]:
    if not isinstance(raw, dict):
        raise BadResponseError("Prowlarr's indexer stats are not an object.")
    stats = []
    for item in require_list(raw.get("indexers") or [], "indexer stats"):
        stats.append(
            IndexerStats(
                indexer_id=require_int(item, "indexerId", "indexer stats"),
                name=as_str(item.get("indexerName")) or "",
                queries=as_int(item.get("numberOfQueries")) or 0,
                rss_queries=as_int(item.get("numberOfRssQueries")) or 0,
                grabs=as_int(item.get("numberOfGrabs")) or 0,
                failed_queries=as_int(item.get("numberOfFailedQueries")) or 0,
            )
        )
    return stats


def map_indexer_events(raw: Any) -> list[IndexerEvent]:
    events = []
    for item in require_list(raw, "history"):
        date = as_datetime(item.get("date"))
        indexer_id = as_int(item.get("indexerId"))
        if date is None or indexer_id is None:
            continue
        events.append(IndexerEvent(indexer_id, as_str(item.get("eventType")) or "unknown", date))
    return events


def map_applications(raw: Any) -> list[Application]:
    apps = []
    for item in require_list(raw, "application"):
        fields = _fields(item)
        apps.append(
            Application(
                arr_id=require_int(item, "id", "application"),
                name=as_str(item.get("name")) or "",
                implementation=as_str(item.get("implementation")) or "",
                base_url=as_str(fields.get("baseUrl")) or "",
                sync_level=as_str(item.get("syncLevel")) or "disabled",
                tags=_tags(item),
            )
        )
    return apps
