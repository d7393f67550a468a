"""The request queue (planned search commands) and the sweep ledger."""

from __future__ import annotations

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from comradarr.models import TimestampedModel
from comradarr.runs import RunLedger
from connectors.models import Connector
from searchstate.models import SearchRegistry
from searchstate.states import SearchType


class RequestQueueQuerySet(models.QuerySet):
    def live(self) -> RequestQueueQuerySet:
        return self.filter(status__in=("queued", "dispatched"))

    def due(self, now) -> RequestQueueQuerySet:
        """Queued and due, best first: the order the dispatcher claims in (queueing_rq_due_idx)."""
        return self.filter(status="queued", scheduled_at__lte=now).order_by(
            "scheduled_at", "-priority"
        )

    def empty(self) -> RequestQueueQuerySet:
        """Queued entries whose every item was resolved or deleted: nothing left to search."""
        return self.filter(status="queued").exclude(
            Exists(RequestQueueItem.objects.filter(entry=OuterRef("pk")))
        )

    def finished_before(self, moment) -> RequestQueueQuerySet:
        """Done or cancelled entries last touched before ``moment`` (maintenance pruning)."""
        return self.filter(status__in=("done", "cancelled"), updated_at__lt=moment)


class RequestQueue(TimestampedModel):
    """One planned search command: what to POST, which registry rows it covers, when.

    Entries are consumed by the dispatcher (claimed with SELECT .. FOR UPDATE
    SKIP LOCKED on the due index). An entry is live while queued or in flight;
    when it finishes, the dispatcher releases its items (:meth:`release`), so
    the link table's unique registry column means an item is in at most one
    live entry.
    """

    class Command(models.TextChoices):
        SERIES_SEARCH = "SeriesSearch", "Series search"
        SEASON_SEARCH = "SeasonSearch", "Season search (pack)"
        EPISODE_SEARCH = "EpisodeSearch", "Episode search"
        MOVIES_SEARCH = "MoviesSearch", "Movies search"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        DISPATCHED = "dispatched", "Dispatched (in flight)"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    connector = models.ForeignKey(Connector, on_delete=models.CASCADE, related_name="queue")
    command = models.CharField(max_length=20, choices=Command.choices)
    #: The full JSON body to POST to /api/v3/command, "name" included.
    payload = models.JSONField()
    search_type = models.CharField(max_length=10, choices=SearchType.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    priority = models.IntegerField(help_text="The highest priority of its items.")
    scheduled_at = models.DateTimeField(help_text="Not dispatched before this time.")
    reason = models.CharField(max_length=200, blank=True, help_text="Why the planner chose it.")
    item_count = models.PositiveIntegerField(default=0)
    estimated_queries = models.PositiveIntegerField(default=1)
    #: Season-pack entries: the season they search (for pack tracking at completion).
    series_arr_id = models.IntegerField(null=True, blank=True)
    season_number = models.IntegerField(null=True, blank=True)
    sweep = models.ForeignKey(
        "SweepRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="queue_entries"
    )
    command_arr_id = models.IntegerField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    #: The SearchHistory row of the dispatched command (written when claimed).
    history = models.ForeignKey(
        "searchstate.SearchHistory",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    #: Consecutive failed polls of the in-flight command (connector errors while polling).
    poll_errors = models.PositiveIntegerField(default=0)
    #: When the POST's answer was lost (timeout, cut answer): recovery asks the app for
    #: the command at the next poll instead of waiting as long as a live worker could take.
    send_interrupted_at = models.DateTimeField(null=True, blank=True)
    items = models.ManyToManyField(
        SearchRegistry, through="RequestQueueItem", related_name="queue_entries"
    )

    objects = RequestQueueQuerySet.as_manager()

    class Meta:
        verbose_name = "queue entry"
        verbose_name_plural = "request queue"
        indexes = [
            # Dispatch: the best due entry, filter(status=QUEUED, scheduled_at__lte=now)
            # .order_by("scheduled_at", "-priority"); partial, so it holds only queued rows.
            models.Index(
                "scheduled_at",
                models.F("priority").desc(),
                name="queueing_rq_due_idx",
                condition=Q(status="queued"),
            ),
            # Per-connector queue pages and the dispatcher's connector filter.
            models.Index(fields=["connector", "status"], name="queueing_rq_conn_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.command} x{self.item_count} on {self.connector_id} (p{self.priority})"

    @property
    def is_live(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.DISPATCHED)

    @property
    def is_recovering(self) -> bool:
        """In flight, its POST's answer lost: recovery is asking the app for the command."""
        return (
            self.status == self.Status.DISPATCHED
            and self.command_arr_id is None
            and self.send_interrupted_at is not None
        )

    def live_payload(self) -> dict:
        """The body to POST now: batch ids re-read from the live links.

        Items resolved or deleted since planning have lost their link (cascade),
        so they drop out of an EpisodeSearch/MoviesSearch; a pack or series
        search keeps its body (Sonarr picks the episodes still wanted).
        """
        if self.command == self.Command.EPISODE_SEARCH:
            ids = self.links.values_list("registry__episode__arr_id", flat=True)
            return {"name": self.command, "episodeIds": sorted(ids)}
        if self.command == self.Command.MOVIES_SEARCH:
            ids = self.links.values_list("registry__movie__arr_id", flat=True)
            return {"name": self.command, "movieIds": sorted(ids)}
        return dict(self.payload)

    def release(self, *, status: str) -> None:
        """Finish the entry and free its items for future plans (dispatcher and manual removal)."""
        RequestQueueItem.objects.filter(entry=self).delete()
        RequestQueue.objects.filter(pk=self.pk).update(status=status, updated_at=timezone.now())
        self.status = status


class RequestQueueItem(models.Model):
    """A registry row covered by a live queue entry."""

    id = models.BigAutoField(primary_key=True)
    # DO_NOTHING in Django, ON DELETE CASCADE in the database (migration 0002):
    # searchstate removes registry rows in SQL and knows nothing of the queue.
    entry = models.ForeignKey(RequestQueue, on_delete=models.DO_NOTHING, related_name="links")
    registry = models.ForeignKey(
        SearchRegistry, on_delete=models.DO_NOTHING, related_name="queue_links"
    )

    class Meta:
        constraints = [
            # The guarantee: an item is never in two live entries (links exist only while live).
            models.UniqueConstraint(fields=["registry"], name="queueing_rqi_registry_uniq"),
        ]
        indexes = [
            # Items of one entry (dispatch, dry-run printing): filter(entry=e).
            models.Index(fields=["entry"], name="queueing_rqi_entry_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} -> {self.registry_id}"


class SweepRun(RunLedger):
    """One sweep of one connector: the ledger the UI and analytics read."""

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", "Schedule"
        MANUAL = "manual", "Manual"
        API = "api", "API"

    class Kind(models.TextChoices):
        GAPS = "gaps", "Gaps"
        UPGRADES = "upgrades", "Upgrades"
        BOTH = "both", "Gaps and upgrades"

    connector = models.ForeignKey(Connector, on_delete=models.CASCADE, related_name="sweep_runs")
    trigger = models.CharField(max_length=20, choices=Trigger.choices, default=Trigger.MANUAL)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.BOTH)
    dry_run = models.BooleanField(default=False)
    item_limit = models.PositiveIntegerField(null=True, blank=True)
    resolved = models.PositiveIntegerField(default=0, help_text="Acquisitions recorded first.")
    found = models.PositiveIntegerField(default=0, help_text="Candidates looked at.")
    selected = models.PositiveIntegerField(default=0)
    queued = models.PositiveIntegerField(default=0, help_text="Items put into queue entries.")
    entries = models.PositiveIntegerField(default=0, help_text="Queue entries created.")
    skipped = models.JSONField(default=dict, blank=True, help_text="Counts by reason code.")

    class Meta(RunLedger.Meta):
        indexes = [
            # Connector page and analytics: the last sweeps of one connector.
            models.Index(fields=["connector", "-started_at"], name="queueing_sweep_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} sweep of {self.connector_id} at {self.started_at:%Y-%m-%d %H:%M}"


class ThrottleProfile(TimestampedModel):
    """Limits that keep the user's indexers from banning them.

    A connector uses its assigned profile (ConnectorThrottle.profile) or the
    default one. Presets (conservative, moderate, aggressive) are editable but
    not deletable.
    """

    name = models.CharField(max_length=60, unique=True)
    description = models.TextField(blank=True)
    is_preset = models.BooleanField(default=False, help_text="Editable, not deletable.")
    is_default = models.BooleanField(default=False, help_text="Used by connectors without one.")
    commands_per_minute = models.PositiveIntegerField(default=1)
    commands_per_hour = models.PositiveIntegerField(default=10)
    min_interval_seconds = models.PositiveIntegerField(
        default=30, help_text="Between two dispatches to one connector."
    )
    interval_jitter_seconds = models.PositiveIntegerField(
        default=10, help_text="A random 0..jitter seconds added to each interval."
    )
    max_in_flight = models.PositiveIntegerField(default=1, help_text="Commands in flight.")
    batch_size = models.PositiveIntegerField(default=10, help_text="Ids per search command.")
    daily_budget = models.PositiveIntegerField(
        default=100, help_text="Estimated indexer queries per connector per rolling 24 h."
    )
    error_cooldown_seconds = models.PositiveIntegerField(
        default=300, help_text="Connector pause after an error (grows with backoff)."
    )
    backoff_multiplier = models.FloatField(default=2.0)
    backoff_cap_seconds = models.PositiveIntegerField(default=6 * 3600)
    rate_limit_pause_seconds = models.PositiveIntegerField(
        default=900, help_text="Pause after a rate limit that gave no Retry-After."
    )
    queue_threshold = models.PositiveIntegerField(
        default=15, help_text="No dispatch while the *arr download queue holds this many."
    )
    command_timeout_seconds = models.PositiveIntegerField(
        default=1800, help_text="A command not finished after this long times out."
    )
    grab_cooldown_hours = models.PositiveIntegerField(
        default=24, help_text="After a grab, how long to wait for the import."
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="queueing_throttle_one_default",
            ),
            models.CheckConstraint(
                condition=Q(commands_per_minute__gte=1)
                & Q(commands_per_hour__gte=1)
                & Q(max_in_flight__gte=1)
                & Q(batch_size__gte=1)
                & Q(batch_size__lte=100)
                & Q(backoff_multiplier__gte=1),
                name="queueing_throttle_sane",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def default(cls) -> ThrottleProfile:
        """The default profile; the moderate preset's values if the table is empty."""
        row = cls.objects.filter(is_default=True).first()
        return row or cls.objects.order_by("pk").first() or cls(name="moderate")


class ConnectorThrottle(models.Model):
    """Throttle state and settings of one connector; the row locked while claiming."""

    connector = models.OneToOneField(Connector, on_delete=models.CASCADE, related_name="throttle")
    profile = models.ForeignKey(
        ThrottleProfile,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="connector_throttles",
        help_text="Empty: the default profile.",
    )
    paused = models.BooleanField(default=False, help_text="Paused by the user.")
    paused_until = models.DateTimeField(
        null=True, blank=True, help_text="Automatic pause (rate limit, errors, auth rejected)."
    )
    pause_reason = models.CharField(max_length=200, blank=True)
    #: When the automatic pause began (an auth pause ends at the next good health check).
    paused_at = models.DateTimeField(null=True, blank=True)
    last_dispatch_at = models.DateTimeField(null=True, blank=True)
    next_dispatch_at = models.DateTimeField(
        null=True, blank=True, help_text="Min interval and jitter already applied."
    )
    backoff_level = models.PositiveIntegerField(default=0, help_text="Connector error backoff.")
    #: When dispatch last found the app's download queue at the profile's threshold
    #: (cleared once a dispatch finds room): the queue page's "waiting for the download
    #: queue to drain" without calling the app from a page.
    back_pressure_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"throttle of {self.connector_id}"

    @classmethod
    def for_connector(cls, connector: Connector) -> ConnectorThrottle:
        row, _ = cls.objects.get_or_create(connector=connector)
        return row

    def effective_profile(self) -> ThrottleProfile:
        return self.profile if self.profile_id else ThrottleProfile.default()


class GlobalThrottle(models.Model):
    """Limits and the pause switch across all connectors: one row (pk=1), read with load()."""

    SINGLETON_PK = 1

    daily_budget = models.PositiveIntegerField(
        null=True, blank=True, help_text="Estimated queries per rolling 24 h, all connectors."
    )
    paused = models.BooleanField(default=False, help_text="Queue processing paused.")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="queueing_globalthrottle_singleton"),
        ]

    def __str__(self) -> str:
        return "global throttle"

    @classmethod
    def load(cls) -> GlobalThrottle:
        row, _ = cls.objects.get_or_create(pk=cls.SINGLETON_PK)
        return row


class DispatchLog(models.Model):
    """One command spent against the limits (written under the ConnectorThrottle lock).

    The per-minute, per-hour and daily windows are counted from these rows, so
    every worker sees the same spend.
    """

    id = models.BigAutoField(primary_key=True)
    connector = models.ForeignKey(Connector, on_delete=models.CASCADE, related_name="dispatches")
    entry = models.ForeignKey(
        RequestQueue, null=True, blank=True, on_delete=models.SET_NULL, related_name="dispatches"
    )
    dispatched_at = models.DateTimeField()
    estimated_queries = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [
            models.Index(fields=["connector", "dispatched_at"], name="queueing_dlog_conn_time_idx"),
            # Global daily budget and pruning.
            models.Index(fields=["dispatched_at"], name="queueing_dlog_time_idx"),
        ]

    def __str__(self) -> str:
        return f"dispatch to {self.connector_id} at {self.dispatched_at}"


class SweepSchedule(TimestampedModel):
    """A user-editable sweep schedule for one connector."""

    Kind = SweepRun.Kind  # a schedule starts sweeps of its kind

    connector = models.ForeignKey(
        Connector, on_delete=models.CASCADE, related_name="sweep_schedules"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.BOTH)
    cron = models.CharField(max_length=100, help_text="Five-field cron expression.")
    timezone = models.CharField(max_length=64, default="UTC")
    enabled = models.BooleanField(default=True)
    throttle_profile = models.ForeignKey(
        ThrottleProfile,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sweep_schedules",
        help_text="Its batch size (ids per command) for the entries this schedule plans.",
    )
    item_limit = models.PositiveIntegerField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    next_run_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["connector_id", "pk"]
        indexes = [
            models.Index(fields=["enabled", "next_run_at"], name="queueing_sched_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.cron} on {self.connector_id}"
