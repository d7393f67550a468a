"""API keys: scoped, revocable, stored only as a hash."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone


class ApiKey(models.Model):
    """A key for the JSON API. The key itself is shown once and never stored.

    ``key_hash`` is the SHA-256 of the whole key: the key carries 32 random
    bytes, so a fast hash is enough (nothing to brute-force), and a lookup by
    hash stays one indexed query.
    """

    class Scope(models.TextChoices):
        READ = "read", "Read-only"
        FULL = "full", "Full access"

    name = models.CharField(max_length=100)
    scope = models.CharField(max_length=4, choices=Scope.choices, default=Scope.READ)
    prefix = models.CharField(max_length=16, help_text="The key's first characters, for display.")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_expired(self, now=None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())

    @property
    def is_active(self) -> bool:
        return not self.is_revoked and not self.is_expired()

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.FULL


class ApiKeyUsage(models.Model):
    """Requests and errors of one key in one hour (the hour's start, UTC)."""

    key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="usage")
    hour = models.DateTimeField()
    requests = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-hour"]
        constraints = [
            models.UniqueConstraint(fields=["key", "hour"], name="api_key_usage_one_row_per_hour")
        ]

    def __str__(self) -> str:
        return f"{self.key_id} {self.hour:%Y-%m-%d %H}h: {self.requests} ({self.errors} errors)"


class ApiKeyRequest(models.Model):
    """One of a key's last requests: method, path and status, never a body or a query."""

    key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="recent_requests")
    at = models.DateTimeField()
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=200)
    status = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["key", "-id"], name="api_key_request_recent_idx")]

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.status}"


class RequestDuration(models.Model):
    """How long the JSON API took to answer, per method, route name and status, ever.

    Cumulative, like the Prometheus histogram /metrics shows from it: every
    web process adds its counts with one upsert per flush (api.timing), so
    the numbers are those of all processes on all hosts. Bins:
    comradarr.tally.BOUNDS_MS.
    """

    method = models.CharField(max_length=8)
    route = models.CharField(max_length=100, help_text='The URL name ("api:connector"), no ids.')
    status = models.PositiveSmallIntegerField()
    requests = models.PositiveBigIntegerField(default=0)
    ms_sum = models.FloatField(default=0)
    histogram = ArrayField(models.PositiveBigIntegerField(), help_text="Requests per bin.")

    class Meta:
        constraints = [
            # The ON CONFLICT target of every flush.
            models.UniqueConstraint(
                fields=["method", "route", "status"], name="api_request_duration_uniq"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.route} {self.status}"
