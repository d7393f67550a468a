"""Reading an indexer manager (Prowlarr): the refresh that stores what it says.

A handful of requests per refresh (indexers, their status, spend over the last
hour and day, applications, and the history of indexers near their limit), run
by a scheduled job every few minutes, never per dispatch. The rows it writes
(IndexerSnapshot, IndexerApplication, IndexerLink) are what queueing's budget
reads (docs/arr-api.md section 10).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from comradarr import events
from connectors.common.errors import ArrError
from connectors.common.urls import InvalidURLError, normalize_base_url
from connectors.models import (
    Connector,
    IndexerApplication,
    IndexerLink,
    IndexerManagerState,
    IndexerSnapshot,
)
from connectors.prowlarr.mapper import QUERY_EVENTS
from connectors.prowlarr.types import PER_HOUR, Application, Indexer, IndexerStats
from connectors.registry import client_for

logger = logging.getLogger(__name__)

DAY = timedelta(hours=24)
HOUR = timedelta(hours=1)
#: An indexer with less than this share of its limit left has its counted events read,
#: so the budget knows when the window frees up.
NEAR_LIMIT = 0.3


def comparable_url(raw: str) -> str:
    """The URL as connectors.common.urls normalises it, without a trailing slash; "" if invalid."""
    try:
        return normalize_base_url(raw).rstrip("/")
    except (InvalidURLError, ValueError, TypeError):
        return ""


def indexer_manager_refresh(*, manager: Connector, now: datetime | None = None) -> str:
    """Read the manager and store what it said; returns "" or the error (also stored)."""
    now = now or timezone.now()
    state, _ = IndexerManagerState.objects.get_or_create(manager=manager)
    try:
        client = client_for(manager)
        indexers = client.indexers()
        statuses = {s.indexer_id: s for s in client.indexer_statuses()}
        day = {s.indexer_id: s for s in client.indexer_stats(now - DAY, now)}
        hour = {s.indexer_id: s for s in client.indexer_stats(now - HOUR, now)}
        applications = client.applications()
        counted = {
            indexer.arr_id: _counted_dates(client, indexer, _window_stats(indexer, day, hour), now)
            for indexer in indexers
            if _near_limit(indexer, _window_stats(indexer, day, hour))
        }
    except ArrError as err:
        IndexerManagerState.objects.filter(pk=state.pk).update(attempted_at=now, error=str(err))
        logger.warning(
            "indexer manager unreachable: budgets fall back to the throttle profiles",
            extra={"connector": manager.name, "error": type(err).__name__},
        )
        return str(err)
    with transaction.atomic():
        before = {s.indexer_id: s for s in IndexerSnapshot.objects.filter(manager=manager)}
        rows = [
            _snapshot(manager, i, statuses.get(i.arr_id), day, hour, counted, now) for i in indexers
        ]
        IndexerSnapshot.objects.filter(manager=manager).delete()
        IndexerSnapshot.objects.bulk_create(rows)
        _store_applications(manager, applications, indexers)
        IndexerManagerState.objects.filter(pk=state.pk).update(
            attempted_at=now, refreshed_at=now, error=""
        )
        link_libraries(now=now)
        _announce(manager, before, rows, now)
    return ""


def _window_stats(indexer: Indexer, day: dict, hour: dict) -> IndexerStats | None:
    return (hour if indexer.limits_unit == PER_HOUR else day).get(indexer.arr_id)


def _near_limit(indexer: Indexer, stats: IndexerStats | None) -> bool:
    if not indexer.query_limit or stats is None:
        return False
    return indexer.query_limit - stats.counted_queries <= indexer.query_limit * NEAR_LIMIT


def _counted_dates(client, indexer: Indexer, stats: IndexerStats | None, now: datetime) -> list:
    """Dates of the queries Prowlarr counts in the window, oldest first (ISO strings)."""
    used = stats.counted_queries if stats else 0
    events_ = client.indexer_events(indexer.arr_id, limit=used + 100)
    start = now - indexer.window
    dates = sorted(e.date for e in events_ if e.event_type in QUERY_EVENTS and e.date > start)
    return [d.isoformat() for d in dates]


def _snapshot(manager, indexer, status, day, hour, counted, now) -> IndexerSnapshot:
    stats = _window_stats(indexer, day, hour)
    day_stats = day.get(indexer.arr_id)
    return IndexerSnapshot(
        manager=manager,
        indexer_id=indexer.arr_id,
        name=indexer.name[:200],
        enabled=indexer.enabled,
        protocol=indexer.protocol[:20],
        priority=indexer.priority,
        tags=list(indexer.tags),
        query_limit=indexer.query_limit,
        grab_limit=indexer.grab_limit,
        limits_unit=indexer.limits_unit,
        queries=stats.counted_queries if stats else 0,
        rss_queries=stats.rss_queries if stats else 0,
        grabs=stats.grabs if stats else 0,
        rss_per_hour=(day_stats.rss_queries / 24) if day_stats else 0.0,
        disabled_till=status.disabled_till if status else None,
        counted_at=counted.get(indexer.arr_id, []),
        taken_at=now,
    )


def _store_applications(
    manager: Connector, applications: list[Application], indexers: list[Indexer]
) -> None:
    seen = []
    for app in applications:
        seen.append(app.arr_id)
        IndexerApplication.objects.update_or_create(
            manager=manager,
            app_id=app.arr_id,
            defaults={
                "name": app.name[:200],
                "implementation": app.implementation[:50],
                "base_url": app.base_url[:2000],
                "normalized_url": comparable_url(app.base_url),
                "sync_level": app.sync_level[:20],
                "indexer_ids": [i.arr_id for i in indexers if app.handles(i)],
            },
        )
    IndexerApplication.objects.filter(manager=manager).exclude(app_id__in=seen).delete()


def link_libraries(*, now: datetime | None = None) -> int:
    """Match every library connector the user has not decided for to an application by URL.

    Returns how many links changed. A connector matching no application (or
    several managers' applications ambiguously) is linked to none: it keeps its
    throttle profile alone.
    """
    by_url: dict[str, list[IndexerApplication]] = {}
    for app in IndexerApplication.objects.exclude(normalized_url=""):
        by_url.setdefault(app.normalized_url, []).append(app)
    changed = 0
    for connector in Connector.objects.libraries().select_related("indexer_link"):
        link = getattr(connector, "indexer_link", None)
        if link is not None and link.source != IndexerLink.Source.AUTO:
            continue
        matches = by_url.get(comparable_url(connector.url), [])
        application = matches[0] if len(matches) == 1 else None
        if link is None:
            IndexerLink.objects.create(connector=connector, application=application)
            changed += 1
        elif link.application_id != (application.pk if application else None):
            link.application = application
            link.save(update_fields=["application"])
            changed += 1
    return changed


def indexer_link_set(
    *, connector: Connector, application: IndexerApplication | None
) -> IndexerLink:
    """The user's choice: this application, or none (keep the profile alone)."""
    if not connector.is_library:
        raise ValueError(f"{connector.name} is not a library connector.")
    source = IndexerLink.Source.USER if application else IndexerLink.Source.NONE
    link, _ = IndexerLink.objects.update_or_create(
        connector=connector, defaults={"application": application, "source": source}
    )
    return link


def indexer_link_reset(*, connector: Connector) -> IndexerLink:
    """Back to matching by URL."""
    link, _ = IndexerLink.objects.update_or_create(
        connector=connector, defaults={"source": IndexerLink.Source.AUTO, "application": None}
    )
    link_libraries()
    link.refresh_from_db()
    return link


def _announce(manager, before: dict, rows: list[IndexerSnapshot], now: datetime) -> None:
    """Events for indexers that reached a limit or were disabled since the last refresh."""
    for row in rows:
        old = before.get(row.indexer_id)
        for kind, limit, used, old_used in (
            ("queries", row.query_limit, row.queries, old.queries if old else 0),
            ("grabs", row.grab_limit, row.grabs, old.grabs if old else 0),
        ):
            if limit and used >= limit and not (old and old_used >= limit):
                events.emit(
                    events.indexer_limit_reached,
                    manager=manager,
                    indexer=row.name,
                    indexer_id=row.indexer_id,
                    limit=limit,
                    used=used,
                    kind=kind,
                )
        was_disabled = old is not None and old.disabled_till and old.disabled_till > now
        if row.disabled_till and row.disabled_till > now and not was_disabled:
            events.emit(
                events.indexer_disabled,
                manager=manager,
                indexer=row.name,
                indexer_id=row.indexer_id,
                disabled_till=row.disabled_till,
            )
