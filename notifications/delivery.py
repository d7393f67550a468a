"""Delivery: claim due batches (FOR UPDATE SKIP LOCKED), send each once, retry with backoff.

At-least-once: a batch is claimed (status ``sending``) in a short transaction,
sent outside any transaction, then recorded. A worker that dies between the
two leaves the batch ``sending``; after SENDING_LEASE it is due again and sent
with the same idempotency key. Two workers never claim the same batch.

A batch that fails is retried after 1, 2, 4 and 8 minutes (five attempts over
15 minutes: a receiver down for ten minutes still gets it), then marked
failed. A channel failing UNHEALTHY_AFTER times in a row is marked unhealthy
and an "error threshold exceeded" event goes to the other channels.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from comradarr.accounts import runtime
from comradarr.crypto import DecryptionError
from notifications.messages import Message, build_message
from notifications.models import (
    UNREADABLE,
    NotificationBatch,
    NotificationChannel,
    NotificationDelivery,
    NotificationSettings,
)
from notifications.routing import error_threshold_check, quiet_hours_hold, route_pending
from notifications.sender import WORKER_TIMEOUT, SendResult, redact, send_message

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BACKOFF_BASE = timedelta(minutes=1)
SENDING_LEASE = timedelta(minutes=5)
UNHEALTHY_AFTER = 5
#: Batches sent by one run at most; the next minute's run continues.
RUN_LIMIT = 200

Status = NotificationBatch.Status


@dataclass
class DeliveryReport:
    routed: int = 0
    sent: int = 0
    failed: int = 0
    retrying: int = 0
    muted: bool = False

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def backoff(attempts: int) -> timedelta:
    return BACKOFF_BASE * (2 ** max(attempts - 1, 0))


def _rate_limit_free_at(channel: NotificationChannel, now: datetime) -> datetime | None:
    """When the channel may send again (None: it may now)."""
    if not channel.rate_limit_per_hour:
        return None
    sent = list(
        NotificationDelivery.objects.filter(
            channel=channel,
            status=NotificationDelivery.Status.SENT,
            at__gt=now - timedelta(hours=1),
        )
        .order_by("at")
        .values_list("at", flat=True)
    )
    if len(sent) < channel.rate_limit_per_hour:
        return None
    return sent[len(sent) - channel.rate_limit_per_hour] + timedelta(hours=1)


def batch_claim(*, now: datetime) -> NotificationBatch | None:
    """Claim the next due batch (status ``sending``, one more attempt), or None.

    A batch over its channel's rate limit is not claimed: its due time moves
    to when the limit frees up, and an open one keeps collecting events meanwhile,
    so the excess goes out in that next digest.
    """
    due = Q(status__in=[Status.OPEN, Status.RETRY], due_at__lte=now) | Q(
        status=Status.SENDING, claimed_at__lt=now - SENDING_LEASE
    )
    while True:
        with transaction.atomic():
            batch = (
                NotificationBatch.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("channel")
                .defer("channel__secret_data")
                .filter(due, channel__enabled=True)
                .order_by("due_at", "id")
                .first()
            )
            if batch is None:
                return None
            free_at = _rate_limit_free_at(batch.channel, now)
            if free_at is not None and batch.status != Status.SENDING:
                NotificationBatch.objects.filter(pk=batch.pk).update(due_at=free_at)
                continue
            NotificationBatch.objects.filter(pk=batch.pk).update(
                status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
            )
            batch.status, batch.claimed_at = Status.SENDING, now
            batch.attempts += 1
            return batch


def batch_message(batch: NotificationBatch, public_url: str) -> tuple[Message, list[str]]:
    events = list(batch.events.order_by("occurred_at", "id"))
    message = build_message(events, templates=batch.channel.templates, public_url=public_url)
    return message, sorted({e.event_type for e in events})


def batch_send(batch: NotificationBatch, *, now: datetime, public_url: str = "") -> SendResult:
    """Send a claimed batch and record the outcome (batch, log row, channel health)."""
    channel = batch.channel
    message, types = batch_message(batch, public_url)
    if not types:  # every event was of a type no longer known: nothing to say
        NotificationBatch.objects.filter(pk=batch.pk).update(status=Status.SENT, sent_at=now)
        return SendResult(True, "nothing to send")
    result = channel_send(
        channel, message, timeout=WORKER_TIMEOUT, idempotency_key=str(batch.idempotency_key)
    )
    batch_record(batch, result, message=message, types=types, now=now)
    return result


def channel_values(channel: NotificationChannel) -> dict[str, str]:
    """config and secrets together; DecryptionError when the secrets no longer decrypt."""
    return {**(channel.config or {}), **channel.secrets}


def channel_send(channel: NotificationChannel, message: Message, **options) -> SendResult:
    try:
        values = channel_values(channel)
    except DecryptionError:
        return SendResult(False, UNREADABLE)
    return send_message(kind=channel.kind, values=values, message=message, **options)


def batch_record(
    batch: NotificationBatch, result: SendResult, *, message: Message, types: list[str], now
) -> str:
    channel = batch.channel
    error = "" if result.ok else redact(result.detail, channel.secret_values())[:2000]
    if result.ok:
        status, log_status = Status.SENT, NotificationDelivery.Status.SENT
    elif batch.attempts >= MAX_ATTEMPTS:
        status, log_status = Status.FAILED, NotificationDelivery.Status.FAILED
    else:
        status, log_status = Status.RETRY, NotificationDelivery.Status.RETRYING
    with transaction.atomic():
        NotificationBatch.objects.filter(pk=batch.pk, status=Status.SENDING).update(
            status=status,
            sent_at=now if result.ok else None,
            last_error=error,
            due_at=now + backoff(batch.attempts) if status == Status.RETRY else batch.due_at,
        )
        NotificationDelivery.objects.create(
            channel=channel,
            batch=batch,
            event_count=batch.events.count(),
            event_types=types,
            status=log_status,
            attempt=batch.attempts,
            title=message.title[:250],
            error=error,
            at=now,
        )
        if result.ok:
            NotificationChannel.objects.filter(pk=channel.pk).update(
                consecutive_failures=0,
                health=NotificationChannel.Health.HEALTHY,
                last_delivery_at=now,
                last_error="",
            )
        else:
            _channel_failed(channel, error, now)
    return status


def _channel_failed(channel: NotificationChannel, error: str, now: datetime) -> None:
    from notifications.receivers import event_record

    NotificationChannel.objects.filter(pk=channel.pk).update(
        consecutive_failures=F("consecutive_failures") + 1, last_error=error
    )
    failures = NotificationChannel.objects.values_list("consecutive_failures", flat=True).get(
        pk=channel.pk
    )
    became_unhealthy = failures >= UNHEALTHY_AFTER and NotificationChannel.objects.filter(
        pk=channel.pk
    ).exclude(health=NotificationChannel.Health.UNHEALTHY).update(
        health=NotificationChannel.Health.UNHEALTHY
    )
    if not became_unhealthy:
        NotificationChannel.objects.filter(pk=channel.pk).exclude(
            health=NotificationChannel.Health.UNHEALTHY
        ).update(health=NotificationChannel.Health.FAILING)
        return
    logger.warning("notification channel unhealthy", extra={"channel": channel.name})
    event_record(
        "error_threshold_exceeded",
        data={
            "statistics": f"Notification channel {channel.name} failed {failures} times in a "
            f"row and is marked unhealthy: {error[:200]}",
            "count": failures,
            "exclude_channel": channel.pk,
            "source": "channel",
        },
        occurred_at=now,
    )


def deliver_due(*, now: datetime | None = None, limit: int = RUN_LIMIT) -> DeliveryReport:
    """Route waiting events, then send every due batch (one run of the delivery task)."""
    now = now or timezone.now()
    report = DeliveryReport()
    report.routed = route_pending(now=now)
    if error_threshold_check(now=now) is not None:
        report.routed += route_pending(now=now)
    quiet_hours_hold(now=now)
    settings = NotificationSettings.load()
    if settings.muted:
        report.muted = True
        return report
    for _ in range(limit):
        batch = batch_claim(now=now)
        if batch is None:
            break
        result = batch_send(batch, now=now, public_url=runtime.public_url())
        batch.refresh_from_db(fields=["status"])
        if result.ok:
            report.sent += 1
        elif batch.status == Status.FAILED:
            report.failed += 1
        else:
            report.retrying += 1
    return report
