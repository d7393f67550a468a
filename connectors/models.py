"""The *arr instances Comradarr talks to."""

from __future__ import annotations

from django.db import models

from comradarr.crypto import mask
from comradarr.fields import EncryptedTextField
from comradarr.models import TimestampedModel
from connectors.common.capabilities import Capabilities, capabilities_for
from connectors.common.shape import Shape, shape_named
from connectors.common.urls import URL_MAX
from connectors.registry import KINDS

# Connector.Kind.SONARR etc., one member per line of the registry's KINDS table.
Kind = models.TextChoices(
    "Kind", [(spec.kind.upper(), (spec.kind, spec.display_name)) for spec in KINDS.values()]
)


class KindField(models.CharField):
    """The kind column: its choices come from the registry at run time and stay out of
    migrations, so adding an app (one registry line) needs no migration."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("max_length", 20)
        kwargs["choices"] = Kind.choices
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("choices", None)
        return name, path, args, kwargs


class ConnectorQuerySet(models.QuerySet):
    def libraries(self) -> ConnectorQuerySet:
        """Connectors with a mirrored library (Connector.shape.mirrored), in SQL."""
        from connectors.registry import library_kinds

        return self.filter(kind__in=library_kinds())

    def indexer_managers(self) -> ConnectorQuerySet:
        from connectors.registry import library_kinds

        return self.exclude(kind__in=library_kinds())


class Connector(TimestampedModel):
    """One Sonarr, Radarr, Whisparr or Prowlarr instance, with its API key encrypted at rest."""

    Kind = Kind

    class Health(models.TextChoices):
        UNKNOWN = "unknown", "Unknown"
        HEALTHY = "healthy", "Healthy"
        DEGRADED = "degraded", "Degraded"
        UNHEALTHY = "unhealthy", "Unhealthy"
        OFFLINE = "offline", "Offline"

    name = models.CharField(max_length=100, unique=True)
    kind = KindField()
    # Not a URLField: Django's URL validator refuses single-label hosts such as
    # http://sonarr:8989, the usual Docker name. connectors.common.urls.normalize_base_url
    # checks it.
    url = models.CharField(
        max_length=URL_MAX, help_text="Base URL, e.g. http://sonarr:8989 or http://host/sonarr"
    )
    api_key = EncryptedTextField()
    enabled = models.BooleanField(default=True)
    verify_ssl = models.BooleanField(
        default=True, help_text="Turn off only for self-signed certificates you trust."
    )
    timeout_seconds = models.PositiveIntegerField(default=30)

    # Detected from GET /api/v3/system/status.
    app_name = models.CharField(max_length=50, blank=True)
    app_version = models.CharField(max_length=50, blank=True)
    instance_name = models.CharField(max_length=200, blank=True)

    health_status = models.CharField(max_length=20, choices=Health.choices, default=Health.UNKNOWN)
    health_message = models.TextField(blank=True)
    last_contact_at = models.DateTimeField(null=True, blank=True)
    last_health_check_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)

    objects = ConnectorQuerySet.as_manager()

    #: Not stored: read by the post_save listeners of a new row (the first library sync
    #: starts at once unless the user unticked "Sync now" when adding it).
    sync_on_create: bool = True

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_api_key(self) -> str:
        return mask(self.api_key)

    @property
    def capabilities(self) -> Capabilities:
        """What the app can do at its detected version (the kind's rules for an unknown one)."""
        return capabilities_for(self.kind, self.app_version)

    @property
    def shape(self) -> Shape:
        """Series- or movie-shaped, and what an item is called: the one answer.

        Decided by the app package's capabilities at the detected version. Until a
        check detects it, a kind with two shapes takes its rules' answer for an
        unknown version (Whisparr: series, its v2 shape); the check that runs when
        the connector is saved, or the first client built for it
        (registry.client_for records what its probe found), settles it before a
        sync fills the mirror.
        """
        return shape_named(self.capabilities.shape)

    @property
    def is_library(self) -> bool:
        """A mirrored library (synced, swept, searched); False for an indexer manager."""
        return self.shape.mirrored

    @property
    def version_warnings(self) -> tuple[str, ...]:
        """What the detected version lacks or why it is unsupported (empty when fine)."""
        if not self.app_version or self.kind not in KINDS:
            return ()
        return self.capabilities.warnings

    @property
    def is_usable(self) -> bool:
        """Sweeps and dispatch skip connectors that are disabled, known bad, or no library."""
        return (
            self.enabled
            and self.is_library
            and self.health_status
            not in (
                self.Health.UNHEALTHY,
                self.Health.OFFLINE,
            )
        )


class ConnectorHealthCheck(models.Model):
    """One health check of a connector: what it answered, how fast, and what it said.

    ``messages`` is a list of ``{"level", "source", "message"}`` dicts: the app's
    own /health items, or the one error that stopped the check.
    """

    connector = models.ForeignKey(Connector, on_delete=models.CASCADE, related_name="health_checks")
    checked_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Connector.Health.choices)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    app_version = models.CharField(max_length=50, blank=True)
    messages = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-checked_at", "-id"]
        indexes = [
            # The detail page and pruning read "latest checks of a connector".
            models.Index(fields=["connector", "-checked_at"], name="connector_health_latest_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.connector_id} {self.status} at {self.checked_at:%Y-%m-%d %H:%M:%S}"


# ---------------------------------------------------------------------------------------
# What an indexer manager (Prowlarr) last said about its indexers and applications,
# stored by connectors.indexers.indexer_manager_refresh; queueing's budget reads it.


class IndexerSnapshot(models.Model):
    """One indexer of an indexer manager at its last refresh: limits, spend, status."""

    manager = models.ForeignKey(
        Connector, on_delete=models.CASCADE, related_name="indexer_snapshots"
    )
    indexer_id = models.PositiveIntegerField()  # the id in Prowlarr
    name = models.CharField(max_length=200)
    enabled = models.BooleanField(default=True)
    protocol = models.CharField(max_length=20, blank=True)
    priority = models.IntegerField(default=25)
    tags = models.JSONField(default=list, blank=True)
    query_limit = models.PositiveIntegerField(null=True, blank=True)
    grab_limit = models.PositiveIntegerField(null=True, blank=True)
    limits_unit = models.CharField(max_length=10, default="day")  # day | hour
    # Counted the way Prowlarr counts them, in the sliding window ending at taken_at.
    queries = models.PositiveIntegerField(default=0)  # IndexerQuery + IndexerRss
    rss_queries = models.PositiveIntegerField(default=0)
    grabs = models.PositiveIntegerField(default=0)
    rss_per_hour = models.FloatField(default=0)  # observed over the last 24 hours
    disabled_till = models.DateTimeField(null=True, blank=True)
    # Dates of the counted queries in the window, oldest first; read only for
    # indexers near their limit (when the window frees up).
    counted_at = models.JSONField(default=list, blank=True)
    taken_at = models.DateTimeField()

    class Meta:
        ordering = ["manager_id", "priority", "name"]
        constraints = [
            models.UniqueConstraint(fields=["manager", "indexer_id"], name="indexer_snapshot_once")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def window_seconds(self) -> int:
        return 3600 if self.limits_unit == "hour" else 86400


class IndexerApplication(models.Model):
    """An *arr app the manager feeds, with the indexers it gets (by tags)."""

    manager = models.ForeignKey(
        Connector, on_delete=models.CASCADE, related_name="indexer_applications"
    )
    app_id = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    implementation = models.CharField(max_length=50, blank=True)
    base_url = models.CharField(max_length=URL_MAX, blank=True)
    normalized_url = models.CharField(max_length=URL_MAX, blank=True)  # "" when unusable
    sync_level = models.CharField(max_length=20, blank=True)
    indexer_ids = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["manager_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["manager", "app_id"], name="indexer_application_once")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.base_url})"


class IndexerLink(models.Model):
    """Which manager application a library connector is: matched by URL or set by the user."""

    class Source(models.TextChoices):
        AUTO = "auto", "Matched by URL"
        USER = "user", "Chosen by you"
        NONE = "none", "No indexer manager (your choice)"

    connector = models.OneToOneField(
        Connector, on_delete=models.CASCADE, related_name="indexer_link"
    )
    application = models.ForeignKey(
        IndexerApplication, on_delete=models.SET_NULL, null=True, blank=True, related_name="links"
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.AUTO)

    def __str__(self) -> str:
        return f"{self.connector} -> {self.application or 'none'}"


class IndexerManagerState(models.Model):
    """When the manager was last read, and why the last attempt failed (empty: it worked)."""

    manager = models.OneToOneField(
        Connector, on_delete=models.CASCADE, related_name="indexer_state"
    )
    attempted_at = models.DateTimeField(null=True, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.manager}: {self.error or 'ok'}"
