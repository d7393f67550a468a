"""Notification channels, the event outbox, batches (one message each) and the delivery log.

Flow: a domain signal's receiver writes a NotificationEvent in the emitting
transaction (notifications.receivers); the delivery task routes unrouted
events into each matching channel's open NotificationBatch
(notifications.routing), and sends the batches that are due, one message each
(notifications.delivery), logging every attempt as a NotificationDelivery.
"""

from __future__ import annotations

import json
import uuid
from datetime import time

from django.db import models
from django.db.models import Q

from comradarr.crypto import DecryptionError, mask
from comradarr.fields import EncryptedTextField
from comradarr.models import TimestampedModel
from connectors.models import Connector
from notifications.catalog import Severity
from notifications.kinds import BY_KEY as KIND_SPECS

UNREADABLE = (
    "the stored credentials cannot be decrypted (SECRET_KEY changed since they were saved): "
    "enter them again"
)


class NotificationSettings(TimestampedModel):
    """Settings of the notifications page: one row (pk=1), read through load()."""

    SINGLETON_PK = 1

    muted = models.BooleanField(
        default=False, help_text="Mute every channel. Events are still recorded, nothing is sent."
    )
    error_threshold_count = models.PositiveIntegerField(
        default=10, help_text="Raise 'error threshold exceeded' after this many errors..."
    )
    error_threshold_minutes = models.PositiveIntegerField(
        default=30, help_text="...within this many minutes."
    )

    class Meta:
        verbose_name = "notification settings"
        verbose_name_plural = "notification settings"
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="notificationsettings_singleton"),
        ]

    def __str__(self) -> str:
        return "Notification settings"

    @classmethod
    def load(cls) -> NotificationSettings:
        row, _ = cls.objects.get_or_create(pk=cls.SINGLETON_PK)
        return row


class ChannelManager(models.Manager):
    """Loads channels without their encrypted column: a secret that no longer decrypts
    (SECRET_KEY changed) fails only where it is read (``secrets``), never a list."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().defer("secret_data")


class NotificationChannel(TimestampedModel):
    """One place messages go (a Discord webhook, an ntfy topic, ...), with its routing rules.

    ``kind`` names a friendly form in notifications.kinds; ``config`` holds its
    plain settings and ``secret_data`` (encrypted) the credentials and URLs
    that embed tokens. The apprise URL is built from both at send time and
    never stored or shown.
    """

    class Health(models.TextChoices):
        HEALTHY = "healthy", "Healthy"
        FAILING = "failing", "Failing"
        UNHEALTHY = "unhealthy", "Unhealthy"

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=20)
    config = models.JSONField(default=dict, blank=True)
    secret_data = EncryptedTextField(blank=True, default="")
    enabled = models.BooleanField(default=True)

    event_types = models.JSONField(
        default=list, blank=True, help_text="Event types it receives; empty means all."
    )
    min_severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.INFO)
    connectors = models.ManyToManyField(
        Connector,
        blank=True,
        related_name="notification_channels",
        help_text="Only events of these connectors; none chosen means all.",
    )
    batch_window_minutes = models.PositiveIntegerField(
        default=5, help_text="Events within this window go out as one digest; 0 sends at once."
    )
    quiet_hours_enabled = models.BooleanField(default=False)
    quiet_start = models.TimeField(default=time(22, 0))
    quiet_end = models.TimeField(default=time(7, 0))
    quiet_timezone = models.CharField(max_length=64, default="UTC")
    quiet_errors_break_through = models.BooleanField(
        default=True, help_text="Errors are sent during quiet hours too."
    )
    rate_limit_per_hour = models.PositiveIntegerField(
        default=0,
        help_text="Messages per hour at most (0: no limit); the excess waits for the next digest.",
    )
    templates = models.JSONField(
        default=dict, blank=True, help_text="Message template per event type (else the default)."
    )

    health = models.CharField(max_length=10, choices=Health.choices, default=Health.HEALTHY)
    consecutive_failures = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, help_text="With secrets redacted.")
    last_delivery_at = models.DateTimeField(null=True, blank=True)

    objects = ChannelManager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def secrets(self) -> dict[str, str]:
        """The decrypted credentials; DecryptionError when SECRET_KEY changed since saved."""
        return json.loads(self.secret_data) if self.secret_data else {}

    @secrets.setter
    def secrets(self, values: dict[str, str]) -> None:
        self.secret_data = json.dumps({k: v for k, v in values.items() if v})

    @property
    def kind_label(self) -> str:
        spec = KIND_SPECS.get(self.kind)
        return spec.label if spec else self.kind

    def masked_secrets(self) -> dict[str, str]:
        try:
            return {key: mask(value) for key, value in self.secrets.items()}
        except DecryptionError:
            return {"all": UNREADABLE}

    def secret_values(self) -> list[str]:
        """Every stored secret, for redaction of error texts."""
        try:
            return [value for value in self.secrets.values() if value]
        except DecryptionError:
            return []


class NotificationEvent(models.Model):
    """The outbox: one domain event, written in the transaction that caused it."""

    id = models.BigAutoField(primary_key=True)
    event_type = models.CharField(max_length=40)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    connector = models.ForeignKey(
        Connector, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    connector_name = models.CharField(max_length=100, blank=True)
    connector_type = models.CharField(max_length=20, blank=True)
    #: Placeholder values and digest material (titles, counts, link), see notifications.receivers.
    data = models.JSONField(default=dict, blank=True)
    occurred_at = models.DateTimeField()
    routed_at = models.DateTimeField(null=True, blank=True)
    muted = models.BooleanField(default=False, help_text="Arrived while notifications were muted.")

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            # routing.route_pending: the unrouted events, oldest first.
            models.Index(
                fields=["id"], condition=Q(routed_at__isnull=True), name="notifevent_unrouted"
            ),
            # routing's error threshold and pruning: events of a severity since a moment.
            models.Index(fields=["severity", "occurred_at"], name="notifevent_sev_time"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} at {self.occurred_at}"


class NotificationBatch(models.Model):
    """Events for one channel that go out as one message, once, under one idempotency key."""

    class Status(models.TextChoices):
        OPEN = "open", "Collecting"
        RETRY = "retry", "Waiting to retry"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    id = models.BigAutoField(primary_key=True)
    channel = models.ForeignKey(
        NotificationChannel, on_delete=models.CASCADE, related_name="batches"
    )
    events = models.ManyToManyField(NotificationEvent, related_name="batches")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    held = models.BooleanField(default=False, help_text="Held back by quiet hours.")
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField()
    due_at = models.DateTimeField(help_text="Sent at or after this moment.")
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, help_text="With secrets redacted.")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # delivery.claim_due: batches waiting to be sent, by due time.
            models.Index(
                fields=["due_at"],
                condition=Q(status__in=["open", "retry", "sending"]),
                name="notifbatch_due",
            ),
            # routing: the open batch of a channel.
            models.Index(
                fields=["channel", "held"], condition=Q(status="open"), name="notifbatch_open"
            ),
        ]
        constraints = [
            # One collecting batch per channel and kind (held by quiet hours or not).
            models.UniqueConstraint(
                fields=["channel", "held"],
                condition=Q(status="open"),
                name="notifbatch_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"batch {self.pk} for {self.channel_id} ({self.status})"


class NotificationDelivery(models.Model):
    """The log: one row per send attempt of a batch, shown on the delivery log page."""

    class Status(models.TextChoices):
        SENT = "sent", "Sent"
        RETRYING = "retrying", "Failed, will retry"
        FAILED = "failed", "Failed"
        TEST = "test", "Test sent"
        TEST_FAILED = "test_failed", "Test failed"

    id = models.BigAutoField(primary_key=True)
    channel = models.ForeignKey(
        NotificationChannel, on_delete=models.CASCADE, related_name="deliveries"
    )
    batch = models.ForeignKey(
        NotificationBatch,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    event_count = models.PositiveIntegerField(default=0)
    event_types = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices)
    attempt = models.PositiveIntegerField(default=1)
    title = models.CharField(max_length=250, blank=True)
    error = models.TextField(blank=True, help_text="With secrets redacted.")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "notification deliveries"
        indexes = [
            # The log page (newest first, optionally one channel) and pruning by age.
            models.Index(fields=["channel", "-at"], name="notifdelivery_channel_at"),
            models.Index(fields=["at"], name="notifdelivery_at"),
            # delivery.rate_limited: sends of a channel in the last hour.
            models.Index(
                fields=["channel", "at"], condition=Q(status="sent"), name="notifdelivery_sent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel_id} {self.status} at {self.at}"
