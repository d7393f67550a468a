"""Analytics: counters per connector and time bucket, and library snapshots.

Rows are written in bulk by analytics.recording (never one row per event):
counters derived from the ledgers (SearchHistory, Acquisition, SearchRegistry,
SyncRun, ConnectorHealthCheck) are recomputed for recent hours by one
INSERT .. SELECT .. GROUP BY .. ON CONFLICT per source; the counters that
have no ledger (exhausted items, queue depth) are added by event receivers
with one upsert per event. Hourly rows older than the hourly retention are
rolled up into daily rows (analytics.rollup).
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models

from connectors.models import Connector


class Resolution(models.TextChoices):
    HOUR = "hour", "Hour"
    DAY = "day", "Day (UTC)"


def _counter(help_text: str = "") -> models.PositiveIntegerField:
    # db_default: each recording statement inserts only the columns it owns.
    return models.PositiveIntegerField(default=0, db_default=0, help_text=help_text)


class ConnectorStat(models.Model):
    """What happened on one connector during one hour (or, after roll-up, one UTC day)."""

    id = models.BigAutoField(primary_key=True)
    connector = models.ForeignKey(
        Connector, on_delete=models.CASCADE, related_name="analytics_stats"
    )
    resolution = models.CharField(max_length=4, choices=Resolution.choices)
    bucket = models.DateTimeField(help_text="Start of the hour or UTC day.")
    gaps_discovered = _counter("Gap registry rows created (items first selected).")
    upgrades_discovered = _counter("Upgrade registry rows created.")
    commands = _counter("Search commands dispatched.")
    items_searched = _counter("Items those commands covered.")
    estimated_queries = _counter("Estimated indexer queries of those commands.")
    grabbed = _counter()
    no_results = _counter()
    failed = _counter()
    timeouts = _counter()
    connector_errors = _counter("Connector errors, rate limits and rejected keys.")
    acquired_ours = _counter("Acquisitions that followed one of our searches.")
    acquired_rss = _counter("Acquisitions by the app's own RSS or searches.")
    exhausted = _counter("Items that reached their maximum attempts.")
    api_requests = _counter("Requests to the app: sync requests, health checks, commands.")
    api_errors = _counter("Failed health checks.")
    api_timed = _counter("Timed requests (health checks) behind the response times.")
    api_ms_sum = models.FloatField(default=0, db_default=0)
    api_ms_p95 = models.FloatField(null=True, blank=True, help_text="Daily rows: max of hours.")
    queue_depth_sum = _counter("Sum of queued entries over the samples.")
    queue_depth_samples = _counter("Dispatch ticks sampled.")
    queue_depth_max = _counter()

    class Meta:
        constraints = [
            # The ON CONFLICT target of every recording and roll-up statement.
            models.UniqueConstraint(
                fields=["connector", "resolution", "bucket"], name="analytics_stat_bucket_uniq"
            ),
        ]
        indexes = [
            # Charts of all connectors over a range: filter(bucket__range=...).
            models.Index(fields=["bucket"], name="analytics_stat_bucket_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.connector_id} {self.resolution} {self.bucket:%Y-%m-%d %H:%M}"

    @property
    def api_ms_mean(self) -> float | None:
        return self.api_ms_sum / self.api_timed if self.api_timed else None

    @property
    def queue_depth_mean(self) -> float | None:
        if not self.queue_depth_samples:
            return None
        return self.queue_depth_sum / self.queue_depth_samples


class LibrarySnapshot(models.Model):
    """One connector's library of one content type at the end of an hour (or UTC day)."""

    class ContentType(models.TextChoices):
        EPISODES = "episodes", "Episodes"
        MOVIES = "movies", "Movies"
        SCENES = "scenes", "Scenes"

    id = models.BigAutoField(primary_key=True)
    connector = models.ForeignKey(
        Connector, on_delete=models.CASCADE, related_name="library_snapshots"
    )
    resolution = models.CharField(max_length=4, choices=Resolution.choices)
    bucket = models.DateTimeField()
    content_type = models.CharField(max_length=10, choices=ContentType.choices)
    items = models.PositiveIntegerField(default=0)
    have_file = models.PositiveIntegerField(default=0)
    missing_monitored = models.PositiveIntegerField(default=0)
    below_cutoff = models.PositiveIntegerField(default=0)
    gap_ages = models.JSONField(
        default=dict, blank=True, help_text="Missing monitored items by how long they have been."
    )
    taken_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["connector", "resolution", "bucket", "content_type"],
                name="analytics_snapshot_uniq",
            ),
        ]
        indexes = [
            # Completion charts and sparklines over a range.
            models.Index(fields=["bucket"], name="analytics_snapshot_bucket_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.connector_id} {self.content_type} {self.bucket:%Y-%m-%d %H:%M}"

    @property
    def completion(self) -> float | None:
        """Percent of the monitored, wanted items that have their file."""
        wanted = self.have_file + self.missing_monitored
        return round(100 * self.have_file / wanted, 1) if wanted else None


class ArrRequestStat(models.Model):
    """Requests to one connector's app during one hour (or UTC day), per endpoint and status.

    Written by analytics.arr_requests from the counts each process collects in
    memory (one upsert per flush, never one row per request); the histogram
    (comradarr.tally.BOUNDS_MS) lets hours and processes be summed and a p95
    still be estimated.
    """

    id = models.BigAutoField(primary_key=True)
    connector = models.ForeignKey(
        Connector, on_delete=models.CASCADE, related_name="arr_request_stats"
    )
    resolution = models.CharField(max_length=4, choices=Resolution.choices)
    bucket = models.DateTimeField(help_text="Start of the hour or UTC day.")
    method = models.CharField(max_length=8)
    endpoint = models.CharField(max_length=120, help_text="The path as a template: /api/v3/x/{id}.")
    status = models.CharField(max_length=12, help_text='HTTP status, "timeout" or "no_answer".')
    requests = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0, help_text="No answer, or a status >= 400.")
    ms_sum = models.FloatField(default=0)
    ms_max = models.FloatField(default=0)
    histogram = ArrayField(models.PositiveIntegerField(), help_text="Requests per duration bin.")

    class Meta:
        constraints = [
            # The ON CONFLICT target of the flush and of the roll-up.
            models.UniqueConstraint(
                fields=["connector", "resolution", "bucket", "method", "endpoint", "status"],
                name="analytics_arr_request_uniq",
            ),
        ]
        indexes = [
            # Response times of all connectors over a range: filter(bucket__range=...).
            models.Index(fields=["bucket"], name="analytics_arr_request_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.connector_id} {self.method} {self.endpoint} {self.status}"
