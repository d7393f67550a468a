"""Prune the delivery log, finished batches and routed events past the history retention.

Runs when the daily maintenance announces it finished (events.maintenance_completed),
with the same retention as search history (HISTORY_RETENTION_DAYS).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from notifications.models import NotificationBatch, NotificationDelivery, NotificationEvent

logger = logging.getLogger(__name__)

FINISHED = [NotificationBatch.Status.SENT, NotificationBatch.Status.FAILED]


def notifications_prune(*, now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.SEARCH_HISTORY_RETENTION_DAYS)
    deliveries, _ = NotificationDelivery.objects.filter(at__lt=cutoff).delete()
    batches, _ = NotificationBatch.objects.filter(
        status__in=FINISHED, created_at__lt=cutoff
    ).delete()
    # An event still in a batch waiting to be sent stays, however old.
    events, _ = (
        NotificationEvent.objects.filter(routed_at__isnull=False, occurred_at__lt=cutoff)
        .exclude(batches__status__in=["open", "retry", "sending"])
        .delete()
    )
    return {"deliveries": deliveries, "batches": batches, "events": events}


def on_maintenance_completed(**_) -> None:
    pruned = notifications_prune()
    logger.info("notifications pruned", extra=pruned)
