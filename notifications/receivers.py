"""Receivers of the domain signals: each writes one NotificationEvent row, nothing else.

The row is written in the emitting transaction (a savepoint of it: a failure
here never aborts the engine's work), so an event exists exactly when the
change that caused it was committed, and survives a crash after the commit.
Sending is the delivery task's job; for channels with no batching window the
task is enqueued once the transaction commits.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.dispatch import receiver
from django.utils import timezone

from comradarr import events
from notifications import catalog, links
from notifications.catalog import Severity
from notifications.messages import sweep_summary
from notifications.models import NotificationChannel, NotificationEvent

DELIVER_TASK = "notifications.tasks.deliver"
MAX_TITLES = 200


def _enqueue_delivery() -> None:
    from django_q.tasks import async_task

    async_task(DELIVER_TASK, task_name="deliver notifications")


def event_record(
    event_type: str,
    *,
    connector=None,
    severity: str | None = None,
    data: dict | None = None,
    occurred_at=None,
) -> NotificationEvent:
    """Write one outbox row (in the caller's transaction) and, on commit, wake the sender
    if a channel sends at once."""
    with transaction.atomic():
        row = NotificationEvent.objects.create(
            event_type=event_type,
            severity=severity or catalog.BY_KEY[event_type].severity,
            connector=connector,
            connector_name=getattr(connector, "name", "") or "",
            connector_type=connector.get_kind_display() if connector is not None else "",
            data=data or {},
            occurred_at=occurred_at or timezone.now(),
        )
    if NotificationChannel.objects.filter(enabled=True, batch_window_minutes=0).exists():
        transaction.on_commit(_enqueue_delivery)
    return row


def on_sweep_started(*, connector, run, **_) -> None:
    data = {
        "statistics": f"{run.get_kind_display().lower()} sweep",
        "path": links.queue(),
    }
    event_record("sweep_started", connector=connector, data=data)


def on_sweep_completed(*, connector, run, **_) -> None:
    entries = run.queue_entries.aggregate(
        movies=Sum("item_count", filter=Q(command="MoviesSearch"), default=0),
        episodes=Sum("item_count", filter=~Q(command="MoviesSearch"), default=0),
        series=Count("series_arr_id", distinct=True),
    )
    failed = run.status == "failed"
    found = sweep_summary(**entries)
    stats = (
        f"failed: {run.error[:300]}"
        if failed
        else f"{found}; {run.queued} queued in {run.entries} searches"
    )
    data = {
        **entries,
        "queued": run.queued,
        "count": run.queued,
        "statistics": stats,
        "path": links.queue(),
        "list_path": links.library(connector, missing=True),
    }
    event_record(
        "sweep_completed",
        connector=connector,
        data=data,
        severity=Severity.ERROR if failed else None,
    )


def on_search_completed(*, connector, history, outcome, **_) -> None:
    data = {
        "titles": [i.get("title", "") for i in history.items[:MAX_TITLES]],
        "count": history.item_count,
        "statistics": history.get_outcome_display().lower(),
        "path": links.library(connector),
    }
    event_record("batch_search_completed", connector=connector, data=data)


def on_items_grabbed(*, connector, history, items, **_) -> None:
    titles = [t for t in items if t][:MAX_TITLES]
    data = {
        "titles": titles,
        "title": titles[0] if titles else "",
        "count": len(items),
        "statistics": f"{len(items)} grabbed",
        "path": links.library(connector),
        "list_path": links.library(connector),
    }
    event_record("search_succeeded", connector=connector, data=data)


def on_items_imported(*, connector, count, resolved_at, **_) -> None:
    from searchstate.models import Acquisition

    titles = list(
        Acquisition.objects.filter(connector=connector, resolved_at=resolved_at)
        .order_by("pk")
        .values_list("title", flat=True)[:MAX_TITLES]
    )
    data = {
        "titles": titles,
        "count": count,
        "statistics": f"{count} imported",
        "path": links.library(connector),
        "list_path": links.library(connector),
    }
    event_record("item_imported", connector=connector, data=data)


def on_items_exhausted(*, connector, registry_ids, **_) -> None:
    from searchstate.models import SearchRegistry

    rows = SearchRegistry.objects.filter(pk__in=registry_ids[:MAX_TITLES]).select_related(
        "episode__series", "movie"
    )
    titles = [str(row.episode or row.movie or "") for row in rows]
    data = {
        "titles": [t for t in titles if t],
        "count": len(registry_ids),
        "statistics": f"{len(registry_ids)} exhausted",
        "path": links.library(connector),
    }
    event_record("search_exhausted", connector=connector, data=data)


def on_health_changed(*, connector, previous, current, message, **_) -> None:
    severity = {"healthy": Severity.INFO, "unhealthy": Severity.ERROR, "offline": Severity.ERROR}
    data = {
        "statistics": f"{current} (was {previous}): {message[:300]}",
        "path": links.connector_page(connector),
    }
    event_record(
        "connector_health_changed",
        connector=connector,
        data=data,
        severity=severity.get(current, Severity.WARNING),
    )


def on_sync_completed(*, connector, run, **_) -> None:
    stats = f"{run.added} added, {run.updated} updated, {run.removed} removed"
    data = {"statistics": stats, "count": run.items_seen, "path": links.connector_page(connector)}
    event_record("sync_completed", connector=connector, data=data)


def on_sync_failed(*, connector, run, error, **_) -> None:
    data = {"statistics": (error or "unknown error")[:500], "path": links.connector_page(connector)}
    event_record("sync_failed", connector=connector, data=data)


def on_paused(*, connector, reason, **_) -> None:
    data = {"statistics": reason[:300], "path": links.queue()}
    event_record("connector_paused", connector=connector, data=data)


def on_resumed(*, connector, **_) -> None:
    event_record("connector_resumed", connector=connector, data={"path": links.queue()})


def on_application_started(*, version, **_) -> None:
    event_record("application_started", data={"statistics": version, "path": links.dashboard()})


def on_maintenance_completed(*, report, **_) -> None:
    pruned = sum(int(n) for n in (report.get("pruned") or {}).values() if isinstance(n, int))
    errors = report.get("errors") or {}
    stats = f"{pruned} rows pruned" + (f", {len(errors)} steps failed" if errors else "")
    event_record(
        "maintenance_completed",
        data={"statistics": stats, "count": pruned},
        severity=Severity.WARNING if errors else None,
    )


def on_update_available(*, version, current, **_) -> None:
    # The link is the About page (which links the release notes): messages link Comradarr only.
    data = {"statistics": f"{version} (you run {current})", "path": links.about()}
    event_record("update_available", data=data)


def on_backup_completed(*, run, **_) -> None:
    size = f"{(run.size_bytes or 0) / 1024**2:.1f} MB"
    data = {"statistics": f"{run.file_name} ({size})", "path": links.backups()}
    event_record("backup_completed", data=data)


def on_backup_failed(*, error, **_) -> None:
    event_record("backup_failed", data={"statistics": error[:500], "path": links.backups()})


CONNECTIONS = {
    events.sweep_started: on_sweep_started,
    events.sweep_completed: on_sweep_completed,
    events.search_completed: on_search_completed,
    events.items_grabbed: on_items_grabbed,
    events.items_imported: on_items_imported,
    events.items_exhausted: on_items_exhausted,
    events.connector_health_changed: on_health_changed,
    events.sync_completed: on_sync_completed,
    events.sync_failed: on_sync_failed,
    events.connector_paused: on_paused,
    events.connector_resumed: on_resumed,
    events.application_started: on_application_started,
    events.maintenance_completed: on_maintenance_completed,
    events.update_available: on_update_available,
    events.backup_completed: on_backup_completed,
    events.backup_failed: on_backup_failed,
}


def connect() -> None:
    """Called once from AppConfig.ready()."""
    from notifications.pruning import on_maintenance_completed as prune

    # The daily maintenance also prunes the delivery log (queueing cannot import this app).
    receiver(events.maintenance_completed, weak=False, dispatch_uid="notifications.prune")(prune)
    for signal, handler in CONNECTIONS.items():
        # events.emit sends robustly: a failing receiver is logged, never raised into the engine.
        receiver(signal, weak=False, dispatch_uid=f"notifications.{handler.__name__}")(handler)
