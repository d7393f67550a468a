"""Mappers for the resources every *arr app shares (status, health, profiles, queue,
history, commands). App packages map their own library resources and reuse these.
"""

from __future__ import annotations

from typing import Any

from connectors.common.errors import BadResponseError
from connectors.common.parsing import (
    as_bool,
    as_datetime,
    as_int,
    as_positive_id,
    as_str,
    require,
    require_int,
    require_list,
)
from connectors.common.types import (
    CommandStatus,
    HealthItem,
    HistoryRecord,
    QualityProfile,
    QueueItem,
    QueueStatus,
    SystemStatus,
)


def map_system_status(raw: Any) -> SystemStatus:
    if not isinstance(raw, dict):
        raise BadResponseError("system/status did not answer with an object.")
    app_name = as_str(raw.get("appName"))
    version = as_str(raw.get("version"))
    if not app_name or not version:
        raise BadResponseError(
            "system/status has no appName or version: this does not look like Sonarr, "
            "Radarr or Whisparr."
        )
    return SystemStatus(
        app_name=app_name,
        version=version,
        instance_name=as_str(raw.get("instanceName")),
        url_base=as_str(raw.get("urlBase")),
        is_docker=as_bool(raw.get("isDocker")),
        raw_branch=as_str(raw.get("branch")),
    )


def _wiki_url(value: Any) -> str | None:
    # A string on the wire; the Sonarr spec types it as an HttpUri object {fullUri}.
    if isinstance(value, dict):
        return as_str(value.get("fullUri"))
    return as_str(value)


def map_health_item(raw: Any) -> HealthItem:
    if not isinstance(raw, dict):
        raise BadResponseError("A health entry is not an object.")
    return HealthItem(
        source=as_str(raw.get("source")) or "",
        type=as_str(raw.get("type")) or "warning",
        message=as_str(raw.get("message")) or "",
        wiki_url=_wiki_url(raw.get("wikiUrl")),
    )


def map_health(raw: Any) -> list[HealthItem]:
    return [map_health_item(item) for item in require_list(raw, "health")]


def map_quality_profile(raw: Any) -> QualityProfile:
    return QualityProfile(
        arr_id=require_int(raw, "id", "quality profile"),
        name=as_str(raw.get("name")) or "",
        upgrade_allowed=bool(as_bool(raw.get("upgradeAllowed"), False)),
        cutoff=as_int(raw.get("cutoff")) or 0,
        cutoff_format_score=as_int(raw.get("cutoffFormatScore")) or 0,
        min_format_score=as_int(raw.get("minFormatScore")) or 0,
    )


def map_quality_profiles(raw: Any) -> list[QualityProfile]:
    return [map_quality_profile(item) for item in require_list(raw, "quality profile")]


def map_queue_status(raw: Any) -> QueueStatus:
    if not isinstance(raw, dict):
        raise BadResponseError("queue/status did not answer with an object.")
    return QueueStatus(
        total_count=as_int(raw.get("totalCount")) or 0,
        count=as_int(raw.get("count")) or 0,
        unknown_count=as_int(raw.get("unknownCount")) or 0,
        errors=bool(as_bool(raw.get("errors"), False)),
        warnings=bool(as_bool(raw.get("warnings"), False)),
    )


def map_queue_item(raw: Any) -> QueueItem:
    return QueueItem(
        arr_id=require_int(raw, "id", "queue item"),
        series_arr_id=as_positive_id(raw.get("seriesId")),
        episode_arr_id=as_positive_id(raw.get("episodeId")),
        movie_arr_id=as_positive_id(raw.get("movieId")),
        title=as_str(raw.get("title")) or "",
        status=as_str(raw.get("status")) or "unknown",
        tracked_download_state=as_str(raw.get("trackedDownloadState")),
    )


def map_history_record(raw: Any) -> HistoryRecord:
    when = as_datetime(require(raw, "date", "history record"))
    if when is None:
        raise BadResponseError("A history record has an unreadable 'date'.")
    return HistoryRecord(
        arr_id=require_int(raw, "id", "history record"),
        event_type=as_str(raw.get("eventType")) or "unknown",
        date=when,
        series_arr_id=as_positive_id(raw.get("seriesId")),
        episode_arr_id=as_positive_id(raw.get("episodeId")),
        movie_arr_id=as_positive_id(raw.get("movieId")),
        source_title=as_str(raw.get("sourceTitle")),
        quality_cutoff_not_met=as_bool(raw.get("qualityCutoffNotMet")),
        download_id=as_str(raw.get("downloadId")),
    )


def map_history(raw: Any) -> list[HistoryRecord]:
    return [map_history_record(item) for item in require_list(raw, "history record")]


def map_command(raw: Any) -> CommandStatus:
    body = raw.get("body") if isinstance(raw, dict) else None
    return CommandStatus(
        arr_id=require_int(raw, "id", "command"),
        name=as_str(raw.get("name")) or as_str((body or {}).get("name")) or "",
        status=as_str(raw.get("status")) or "unknown",
        message=as_str(raw.get("message")),
        queued=as_datetime(raw.get("queued")),
        started=as_datetime(raw.get("started")),
        ended=as_datetime(raw.get("ended")),
        body=dict(body) if isinstance(body, dict) else {},
    )


def map_commands(raw: Any) -> list[CommandStatus]:
    return [map_command(item) for item in require_list(raw, "command")]
