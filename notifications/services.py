"""Channel services the pages, the admin and ``manage.py notifications`` share."""

from __future__ import annotations

from django.utils import timezone

from notifications.delivery import channel_send
from notifications.messages import Message
from notifications.models import NotificationChannel, NotificationDelivery
from notifications.sender import TEST_TIMEOUT, SendResult, redact

Status = NotificationDelivery.Status
TEST_MESSAGE = Message(
    title="Comradarr test notification",
    body="If you can read this, Comradarr can reach this channel.",
    severity="info",
)


def channel_test(*, channel: NotificationChannel) -> SendResult:
    """Send the test message now, with a short timeout (the only send from a web request)."""
    result = channel_send(channel, TEST_MESSAGE, timeout=TEST_TIMEOUT)
    error = "" if result.ok else redact(result.detail, channel.secret_values())[:2000]
    NotificationDelivery.objects.create(
        channel=channel,
        status=NotificationDelivery.Status.TEST
        if result.ok
        else NotificationDelivery.Status.TEST_FAILED,
        title=TEST_MESSAGE.title,
        error=error,
        at=timezone.now(),
    )
    return SendResult(result.ok, redact(result.detail, channel.secret_values()))
