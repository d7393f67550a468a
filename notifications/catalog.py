"""The event types a channel can receive: label, severity and default template of each.

Backup events join this list with the backups issue; nothing else changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class Severity(models.TextChoices):
    INFO = "info", "Info"
    WARNING = "warning", "Warning"
    ERROR = "error", "Error"


SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


def at_least(severity: str, minimum: str) -> bool:
    return SEVERITY_RANK.get(severity, 0) >= SEVERITY_RANK.get(minimum, 0)


#: The placeholders a template may use; anything else is refused at save time.
PLACEHOLDERS: dict[str, str] = {
    "content_title": "Title of the item (or the first of several)",
    "content_year": "Its year, when known",
    "connector_name": "Name of the connector, e.g. Sonarr (Main)",
    "connector_type": "Sonarr, Radarr or Whisparr",
    "event_type": "What happened, e.g. Search succeeded",
    "timestamp": "When, in Comradarr's time zone",
    "statistics": "The numbers of the event (found, queued, added, ...)",
    "url": "Link to the page in Comradarr",
    "count": "How many items",
}


@dataclass(frozen=True)
class EventType:
    key: str
    label: str
    severity: str
    template: str


EVENT_TYPES: tuple[EventType, ...] = (
    EventType(
        "sweep_started", "Sweep started", Severity.INFO,
        "Sweep started on {connector_name}. {url}",
    ),
    EventType(
        "sweep_completed", "Sweep completed", Severity.INFO,
        "Sweep of {connector_name} finished. {statistics}. {url}",
    ),
    EventType(
        "batch_search_completed", "Batch search completed", Severity.INFO,
        "Search of {count} items on {connector_name} finished: {statistics}.",
    ),
    EventType(
        "search_succeeded", "Search succeeded", Severity.INFO,
        "Grabbed {content_title} on {connector_name}. {url}",
    ),
    EventType(
        "item_imported", "Item imported", Severity.INFO,
        "Imported {content_title} on {connector_name}. {url}",
    ),
    EventType(
        "search_exhausted", "Search exhausted", Severity.WARNING,
        "{count} items on {connector_name} reached the maximum searches: {content_title}. {url}",
    ),
    EventType(
        "connector_health_changed", "Connector health changed", Severity.WARNING,
        "{connector_name} is now {statistics}. {url}",
    ),
    EventType(
        "sync_completed", "Sync completed", Severity.INFO,
        "Library sync of {connector_name} finished: {statistics}.",
    ),
    EventType(
        "sync_failed", "Sync failed", Severity.ERROR,
        "Library sync of {connector_name} failed: {statistics}. {url}",
    ),
    EventType(
        "connector_paused", "Connector paused", Severity.WARNING,
        "Searches on {connector_name} paused: {statistics}. {url}",
    ),
    EventType(
        "connector_resumed", "Connector resumed", Severity.INFO,
        "Searches on {connector_name} resumed.",
    ),
    EventType(
        "application_started", "Application started", Severity.INFO,
        "Comradarr {statistics} started at {timestamp}.",
    ),
    EventType(
        "maintenance_completed", "Database maintenance completed", Severity.INFO,
        "Database maintenance finished: {statistics}.",
    ),
    EventType(
        "backup_completed", "Backup completed", Severity.INFO,
        "Backup {statistics} written. {url}",
    ),
    EventType(
        "backup_failed", "Backup failed", Severity.ERROR,
        "Backup failed: {statistics}. {url}",
    ),
    EventType(
        "error_threshold_exceeded", "Error threshold exceeded", Severity.ERROR,
        "{statistics}. {url}",
    ),
    EventType(
        "update_available", "Update available", Severity.INFO,
        "Comradarr {statistics} is available. {url}",
    ),
)  # fmt: skip

BY_KEY: dict[str, EventType] = {event.key: event for event in EVENT_TYPES}
EVENT_CHOICES: list[tuple[str, str]] = [(event.key, event.label) for event in EVENT_TYPES]


def label(key: str) -> str:
    event = BY_KEY.get(key)
    return event.label if event else key
