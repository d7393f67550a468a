"""Routing: put each unrouted outbox event into the open batch of every channel that wants it.

A channel wants an event when it is enabled, the type is one it receives,
the severity reaches its minimum and the connector passes its filter. The
batch collects until ``due_at``: the end of the batching window, or the end of
the quiet hours for a batch they hold back. While notifications are muted,
events are marked routed (and muted) and go nowhere.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from notifications import catalog, links
from notifications.catalog import Severity
from notifications.models import (
    NotificationBatch,
    NotificationChannel,
    NotificationEvent,
    NotificationSettings,
)
from notifications.quiet import quiet_until

ROUTE_CHUNK = 500
Status = NotificationBatch.Status


def channel_wants(channel: NotificationChannel, event: NotificationEvent, connector_ids) -> bool:
    if event.event_type not in catalog.BY_KEY:
        return False
    if channel.event_types and event.event_type not in channel.event_types:
        return False
    if not catalog.at_least(event.severity, channel.min_severity):
        return False
    if (event.data or {}).get("exclude_channel") == channel.pk:
        return False
    return not (connector_ids and event.connector_id and event.connector_id not in connector_ids)


def _held_until(channel: NotificationChannel, event: NotificationEvent):
    if not channel.quiet_hours_enabled:
        return None
    if event.severity == Severity.ERROR and channel.quiet_errors_break_through:
        return None
    return quiet_until(
        event.occurred_at,
        start=channel.quiet_start,
        end=channel.quiet_end,
        tz_name=channel.quiet_timezone,
    )


def _open_batch(channel: NotificationChannel, held_until, at: datetime) -> NotificationBatch:
    """The channel's collecting batch, or a new one due a window after ``at`` (the event's time)."""
    held = held_until is not None
    # Locks the open batch: a sender claiming it waits, and one that claimed it first
    # has changed its status, so it is not found here and a new batch opens.
    batch = (
        NotificationBatch.objects.select_for_update()
        .filter(channel=channel, held=held, status=NotificationBatch.Status.OPEN)
        .first()
    )
    if batch is not None:
        return batch
    due = held_until or at + timedelta(minutes=channel.batch_window_minutes)
    return NotificationBatch.objects.create(channel=channel, held=held, created_at=at, due_at=due)


def route_pending(*, now: datetime | None = None) -> int:
    """Route the waiting events (oldest first); returns how many were routed."""
    now = now or timezone.now()
    routed = 0
    while True:
        with transaction.atomic():
            events = list(
                NotificationEvent.objects.select_for_update(skip_locked=True)
                .filter(routed_at__isnull=True)
                .order_by("id")[:ROUTE_CHUNK]
            )
            if not events:
                return routed
            muted = NotificationSettings.load().muted
            if not muted:
                _route_chunk(events, now)
            NotificationEvent.objects.filter(pk__in=[e.pk for e in events]).update(
                routed_at=now, muted=muted
            )
            routed += len(events)


def _route_chunk(events: list[NotificationEvent], now: datetime) -> None:
    # Channel rows locked in pk order: two routers never open two batches for one channel.
    channels = list(
        NotificationChannel.objects.select_for_update().filter(enabled=True).order_by("pk")
    )
    filters = {c.pk: set(c.connectors.values_list("pk", flat=True)) for c in channels}
    for channel in channels:
        links = []
        batches: dict[bool, NotificationBatch] = {}
        for event in events:
            if not channel_wants(channel, event, filters[channel.pk]):
                continue
            held_until = _held_until(channel, event)
            key = held_until is not None
            if key not in batches:
                batches[key] = _open_batch(channel, held_until, min(event.occurred_at, now))
            links.append(
                NotificationBatch.events.through(
                    notificationbatch_id=batches[key].pk, notificationevent_id=event.pk
                )
            )
        NotificationBatch.events.through.objects.bulk_create(links, ignore_conflicts=True)


def error_threshold_check(*, now: datetime | None = None) -> NotificationEvent | None:
    """Raise "error threshold exceeded" when N errors arrived within M minutes (once per window)."""
    from notifications.receivers import event_record

    now = now or timezone.now()
    settings = NotificationSettings.load()
    if not settings.error_threshold_count:
        return None
    since = now - timedelta(minutes=settings.error_threshold_minutes)
    recent = NotificationEvent.objects.filter(occurred_at__gte=since)
    if recent.filter(event_type="error_threshold_exceeded", data__source="errors").exists():
        return None
    errors = (
        recent.filter(severity=Severity.ERROR)
        .exclude(event_type="error_threshold_exceeded")
        .count()
    )
    if errors < settings.error_threshold_count:
        return None
    stats = f"{errors} errors in the last {settings.error_threshold_minutes} minutes"
    return event_record(
        "error_threshold_exceeded",
        data={
            "statistics": stats,
            "count": errors,
            "source": "errors",
            "path": links.delivery_log(),
        },
        occurred_at=now,
    )


def quiet_hours_hold(*, now: datetime | None = None) -> int:
    """Hold back what became due inside quiet hours: a batch opened before they began
    joins the quiet-hours digest (its errors stay and go now if they break through), a
    batch waiting to retry waits for the end. Returns how many events were moved."""
    now = now or timezone.now()
    moved = 0
    for channel in NotificationChannel.objects.filter(enabled=True, quiet_hours_enabled=True):
        until = quiet_until(
            now, start=channel.quiet_start, end=channel.quiet_end, tz_name=channel.quiet_timezone
        )
        if until is not None:
            moved += _hold_channel(channel, until, now)
    return moved


def _hold_channel(channel: NotificationChannel, until: datetime, now: datetime) -> int:
    Link = NotificationBatch.events.through
    errors_go = (
        Q(notificationevent__severity=Severity.ERROR)
        if channel.quiet_errors_break_through
        else Q(pk__in=[])
    )
    with transaction.atomic():
        # Channel first, then its batches: the order routing locks them in.
        NotificationChannel.objects.select_for_update().filter(pk=channel.pk).first()
        batches = NotificationBatch.objects.select_for_update().filter(
            channel=channel, held=False, status__in=[Status.OPEN, Status.RETRY]
        )
        moved = 0
        for batch in batches:
            links = Link.objects.filter(notificationbatch=batch)
            if batch.status == Status.RETRY:
                # Its content is fixed (same idempotency key on every attempt): it waits whole.
                if not links.filter(errors_go).exists() and batch.due_at < until:
                    NotificationBatch.objects.filter(pk=batch.pk).update(due_at=until)
                continue
            held_links = links.exclude(errors_go)
            count = held_links.count()
            if not count:
                continue
            held = _open_batch(channel, until, now)
            held_links.update(notificationbatch=held)
            moved += count
            if not links.exists():
                batch.delete()
    return moved
