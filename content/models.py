"""The content mirror: Comradarr's copy of what each *arr library holds.

The mirror can be rebuilt from the *arr apps at any time, so it holds nothing
the user chose: exclusions and priority overrides are search state (in
searchstate), which follows these rows by cascade. Rows are written by
content.sync.upsert with raw INSERT .. ON CONFLICT statements, so Django's
auto_now never fires for them: the upsert sets created_at/updated_at itself.

Acquisition timestamps (``file_acquired_at``, ``cutoff_met_at``) are the
contract with searchstate: they are set by the upsert SQL on the transition
(no file -> file, cutoff not met -> met) and cleared when the file goes away.
Invariants kept by every write path:

* ``has_file`` is true exactly when ``file_acquired_at`` is set;
* ``cutoff_met_at`` is set only while the item has a file that meets cutoff; it
  may be briefly unset for such an item after a Download webhook (the payload
  carries no cutoff flag), until the sync it enqueues confirms the file.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import Q

from comradarr.fields import EncryptedTextField
from comradarr.models import TimestampedModel
from comradarr.runs import RunLedger
from connectors.models import Connector
from content.querysets import EpisodeQuerySet, MovieQuerySet, SeriesQuerySet


def new_webhook_secret() -> str:
    """A URL-safe random token for POST /webhooks/<connector>/<secret>."""
    return secrets.token_urlsafe(32)


class QualityProfile(TimestampedModel):
    """A quality profile of one connector: decides whether upgrades are allowed."""

    # Indexed by the unique (connector, arr_id) constraint.
    connector = models.ForeignKey(
        Connector, on_delete=models.CASCADE, related_name="quality_profiles", db_index=False
    )
    arr_id = models.IntegerField()
    name = models.CharField(max_length=200)
    upgrade_allowed = models.BooleanField(default=True)
    cutoff = models.IntegerField(default=0, help_text="Quality (or group) id of the cutoff.")
    cutoff_format_score = models.IntegerField(default=0)
    min_format_score = models.IntegerField(default=0)

    class Meta:
        ordering = ["connector", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["connector", "arr_id"], name="content_qprofile_connector_arr_id_uniq"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Series(TimestampedModel):
    """A Sonarr series (or a Whisparr v2 site), with its library statistics."""

    class SeriesType(models.TextChoices):
        STANDARD = "standard", "Standard"
        DAILY = "daily", "Daily"
        ANIME = "anime", "Anime"

    # Indexed by the unique (connector, arr_id) constraint.
    connector = models.ForeignKey(
        Connector, on_delete=models.CASCADE, related_name="series", db_index=False
    )
    arr_id = models.IntegerField()
    title = models.CharField(max_length=500)
    sort_title = models.CharField(max_length=500, blank=True)
    year = models.IntegerField(null=True, blank=True)
    status = models.CharField(max_length=20, blank=True, help_text="continuing, ended, upcoming")
    monitored = models.BooleanField(default=True)
    series_type = models.CharField(
        max_length=20, choices=SeriesType.choices, default=SeriesType.STANDARD
    )
    quality_profile_id = models.IntegerField(null=True, blank=True)
    tvdb_id = models.IntegerField(null=True, blank=True)
    tmdb_id = models.IntegerField(null=True, blank=True)
    imdb_id = models.CharField(max_length=20, blank=True)
    added = models.DateTimeField(null=True, blank=True)
    next_airing = models.DateTimeField(null=True, blank=True)
    previous_airing = models.DateTimeField(null=True, blank=True)
    episode_file_count = models.IntegerField(default=0)
    episode_count = models.IntegerField(default=0)
    total_episode_count = models.IntegerField(default=0)
    size_on_disk = models.BigIntegerField(default=0)
    # Set by the upsert whenever the statistics above change (or the row is
    # new), cleared once this series' episodes were written: incremental sync
    # fetches episodes only for stale series, and a sync that failed half-way
    # leaves the rest stale for the next run.
    episodes_stale = models.BooleanField(default=True)
    episodes_synced_at = models.DateTimeField(null=True, blank=True)

    objects = SeriesQuerySet.as_manager()

    class Meta:
        ordering = ["connector", "sort_title"]
        verbose_name_plural = "series"
        constraints = [
            models.UniqueConstraint(
                fields=["connector", "arr_id"], name="content_series_connector_arr_id_uniq"
            ),
        ]
        indexes = [
            # Incremental sync: Series.objects.filter(connector=c, episodes_stale=True).
            models.Index(
                fields=["connector"],
                name="content_series_stale_idx",
                condition=Q(episodes_stale=True),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Season(models.Model):
    """One season of a series: the *arr's statistics plus aggregates rebuilt from episodes."""

    # Indexed by the unique (series, season_number) constraint.
    series = models.ForeignKey(
        Series, on_delete=models.CASCADE, related_name="seasons", db_index=False
    )
    season_number = models.IntegerField()
    monitored = models.BooleanField(default=True)
    # From the *arr (SeasonStatisticsResource).
    episode_file_count = models.IntegerField(default=0)
    episode_count = models.IntegerField(default=0)
    total_episode_count = models.IntegerField(default=0)
    percent_of_episodes = models.FloatField(default=0)
    size_on_disk = models.BigIntegerField(default=0)
    next_airing = models.DateTimeField(null=True, blank=True)
    previous_airing = models.DateTimeField(null=True, blank=True)
    # Rebuilt from the mirrored episodes after each sync of the series, for
    # season-pack planning (all aired? how much of it is missing?).
    aired_episodes = models.IntegerField(default=0)
    missing_monitored_episodes = models.IntegerField(default=0)
    cutoff_unmet_episodes = models.IntegerField(default=0)
    unaired_episodes = models.IntegerField(default=0)

    class Meta:
        ordering = ["series", "season_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "season_number"], name="content_season_series_number_uniq"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.series} S{self.season_number:02d}"

    @property
    def fully_aired(self) -> bool:
        return self.next_airing is None and self.unaired_episodes == 0


class Episode(TimestampedModel):
    """An episode (or a Whisparr v2 scene), with its file's quality and cutoff state."""

    # Both indexed by composite indexes below (fewer indexes = faster bulk writes).
    connector = models.ForeignKey(
        Connector, on_delete=models.CASCADE, related_name="episodes", db_index=False
    )
    series = models.ForeignKey(
        Series, on_delete=models.CASCADE, related_name="episodes", db_index=False
    )
    arr_id = models.IntegerField()
    season_number = models.IntegerField()
    episode_number = models.IntegerField(null=True, blank=True, help_text="None on Whisparr v2.")
    title = models.CharField(max_length=500, blank=True)
    air_date_utc = models.DateTimeField(null=True, blank=True)
    release_date = models.DateField(null=True, blank=True, help_text="Whisparr v2 scenes.")
    monitored = models.BooleanField(default=True)
    has_file = models.BooleanField(default=False)
    episode_file_id = models.IntegerField(null=True, blank=True)
    quality_name = models.CharField(max_length=100, blank=True)
    quality_resolution = models.IntegerField(null=True, blank=True)
    quality_cutoff_not_met = models.BooleanField(default=False)
    custom_format_score = models.IntegerField(null=True, blank=True)
    last_search_time = models.DateTimeField(
        null=True, blank=True, help_text="When the *arr app last searched for it."
    )
    last_grabbed_at = models.DateTimeField(null=True, blank=True, help_text="From Grab webhooks.")
    file_acquired_at = models.DateTimeField(null=True, blank=True)
    cutoff_met_at = models.DateTimeField(null=True, blank=True)

    objects = EpisodeQuerySet.as_manager()

    class Meta:
        ordering = ["series", "season_number", "episode_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["connector", "arr_id"], name="content_episode_connector_arr_id_uniq"
            ),
        ]
        indexes = [
            # Gaps: Episode.objects.filter(connector=c).missing().monitored().aired();
            # partial, so it holds only the (few) episodes without a file.
            models.Index(
                fields=["connector", "air_date_utc"],
                name="content_episode_missing_idx",
                condition=Q(has_file=False),
            ),
            # Upgrades: Episode.objects.filter(connector=c).cutoff_unmet(); by air date for
            # the content browser's "not aired" filter (web.browse).
            models.Index(
                fields=["connector", "air_date_utc"],
                name="content_episode_cutoff_air_idx",
                condition=Q(has_file=True, quality_cutoff_not_met=True),
            ),
            # Batching and season aggregates: episodes of one season of a series;
            # also serves the per-series delete of vanished episodes.
            models.Index(fields=["series", "season_number"], name="content_episode_season_idx"),
            # Resolution in searchstate: items acquired or cutoff-met since T.
            models.Index(
                fields=["connector", "file_acquired_at"],
                name="content_episode_acquired_idx",
                condition=Q(file_acquired_at__isnull=False),
            ),
            models.Index(
                fields=["connector", "cutoff_met_at"],
                name="content_episode_cutoffmet_idx",
                condition=Q(cutoff_met_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        if self.episode_number is None:
            return f"{self.title} ({self.release_date or self.season_number})"
        return f"S{self.season_number:02d}E{self.episode_number:02d} {self.title}"


class Movie(TimestampedModel):
    """A Radarr movie, or a Whisparr v3 movie or scene (``item_type``)."""

    class ItemType(models.TextChoices):
        MOVIE = "movie", "Movie"
        SCENE = "scene", "Scene"

    # Indexed by the unique (connector, arr_id) constraint.
    connector = models.ForeignKey(
        Connector, on_delete=models.CASCADE, related_name="movies", db_index=False
    )
    arr_id = models.IntegerField()
    title = models.CharField(max_length=500)
    sort_title = models.CharField(max_length=500, blank=True)
    year = models.IntegerField(null=True, blank=True)
    status = models.CharField(
        max_length=20, blank=True, help_text="tba, announced, inCinemas, released, deleted"
    )
    monitored = models.BooleanField(default=True)
    minimum_availability = models.CharField(max_length=20, blank=True)
    is_available = models.BooleanField(default=False)
    in_cinemas = models.DateTimeField(null=True, blank=True)
    digital_release = models.DateTimeField(null=True, blank=True)
    physical_release = models.DateTimeField(null=True, blank=True)
    # Radarr >= 5.10 and Whisparr v3 (whose availability depends on it).
    release_date = models.DateTimeField(null=True, blank=True)
    tmdb_id = models.IntegerField(null=True, blank=True)
    imdb_id = models.CharField(max_length=20, blank=True)
    quality_profile_id = models.IntegerField(null=True, blank=True)
    item_type = models.CharField(max_length=10, choices=ItemType.choices, default=ItemType.MOVIE)
    added = models.DateTimeField(null=True, blank=True)
    has_file = models.BooleanField(default=False)
    movie_file_id = models.IntegerField(null=True, blank=True)
    quality_name = models.CharField(max_length=100, blank=True)
    quality_resolution = models.IntegerField(null=True, blank=True)
    quality_cutoff_not_met = models.BooleanField(default=False)
    custom_format_score = models.IntegerField(null=True, blank=True)
    last_search_time = models.DateTimeField(null=True, blank=True)
    last_grabbed_at = models.DateTimeField(null=True, blank=True, help_text="From Grab webhooks.")
    file_acquired_at = models.DateTimeField(null=True, blank=True)
    cutoff_met_at = models.DateTimeField(null=True, blank=True)

    objects = MovieQuerySet.as_manager()

    class Meta:
        ordering = ["connector", "sort_title"]
        constraints = [
            models.UniqueConstraint(
                fields=["connector", "arr_id"], name="content_movie_connector_arr_id_uniq"
            ),
        ]
        indexes = [
            # Gaps: Movie.objects.filter(connector=c).missing().monitored().available().
            models.Index(
                fields=["connector"],
                name="content_movie_missing_idx",
                condition=Q(has_file=False, monitored=True),
            ),
            # Upgrades: Movie.objects.filter(connector=c).cutoff_unmet().
            models.Index(
                fields=["connector"],
                name="content_movie_cutoff_idx",
                condition=Q(has_file=True, quality_cutoff_not_met=True),
            ),
            # Resolution in searchstate: items acquired or cutoff-met since T.
            models.Index(
                fields=["connector", "file_acquired_at"],
                name="content_movie_acquired_idx",
                condition=Q(file_acquired_at__isnull=False),
            ),
            models.Index(
                fields=["connector", "cutoff_met_at"],
                name="content_movie_cutoffmet_idx",
                condition=Q(cutoff_met_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})" if self.year else self.title


class SyncState(TimestampedModel):
    """Sync bookkeeping of one connector: watermarks, failures, backoff, webhook secret."""

    connector = models.OneToOneField(Connector, on_delete=models.CASCADE, related_name="sync_state")
    # Encrypted at rest like the API keys; the receiver finds the row by the connector id
    # in the URL and compares in constant time (content.webhooks.secret_matches).
    webhook_secret = EncryptedTextField(default=new_webhook_secret)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_full_sync_at = models.DateTimeField(null=True, blank=True)
    last_incremental_sync_at = models.DateTimeField(null=True, blank=True)
    # Start of the last successful run: the next /history/since asks from here.
    history_since = models.DateTimeField(null=True, blank=True)
    # Id of the newest history event already acted on: the overlap window re-reads
    # events, the id keeps them from re-reading their series a second time.
    last_history_id = models.BigIntegerField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    # Scheduled syncs are skipped until then after a failure (exponential backoff).
    retry_after = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # Debounces the incremental sync that Download webhooks ask for.
    webhook_sync_requested_at = models.DateTimeField(null=True, blank=True)
    # The cheap change signals (content.sync.change_check): an incremental sync
    # re-reads the whole /movie or /series list only when one of them moved.
    # When the whole list was last read: past a day, the next sync reads it again.
    library_listed_at = models.DateTimeField(null=True, blank=True)
    # totalRecords of /wanted/missing and /wanted/cutoff (monitored) when last read.
    wanted_missing_total = models.IntegerField(null=True, blank=True)
    wanted_cutoff_total = models.IntegerField(null=True, blank=True)
    # A webhook said an item was added (no history event tells): read the whole list.
    list_requested_at = models.DateTimeField(null=True, blank=True)
    # The mirror's size when a sync last changed it: the connector page shows it without
    # counting a 500,000-episode table on every view (100 ms there).
    mirror_series = models.PositiveIntegerField(null=True, blank=True)
    mirror_episodes = models.PositiveIntegerField(null=True, blank=True)
    mirror_movies = models.PositiveIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"sync state of {self.connector}"

    def count_mirror(self) -> dict[str, int]:
        """The mirror's size counted now, as the ``mirror_*`` fields record it."""
        mine = {"connector_id": self.connector_id}
        return {
            "mirror_series": Series.objects.filter(**mine).count(),
            "mirror_episodes": Episode.objects.filter(**mine).count(),
            "mirror_movies": Movie.objects.filter(**mine).count(),
        }

    def mirror_size(self) -> dict[str, int]:
        """The size the last sync recorded, counted now when none is recorded."""
        if self.mirror_episodes is None:
            return self.count_mirror()
        return {
            "mirror_series": self.mirror_series or 0,
            "mirror_episodes": self.mirror_episodes,
            "mirror_movies": self.mirror_movies or 0,
        }


class SyncRun(RunLedger):
    """One sync of one connector: the ledger the UI and analytics read."""

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", "Schedule"
        MANUAL = "manual", "Manual"
        WEBHOOK = "webhook", "Webhook"

    class Kind(models.TextChoices):
        FULL = "full", "Full"
        INCREMENTAL = "incremental", "Incremental"

    # Indexed by content_syncrun_recent_idx.
    connector = models.ForeignKey(
        Connector, on_delete=models.CASCADE, related_name="sync_runs", db_index=False
    )
    trigger = models.CharField(max_length=20, choices=Trigger.choices)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    added = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    removed = models.PositiveIntegerField(default=0)
    items_seen = models.PositiveIntegerField(default=0)
    series_fetched = models.PositiveIntegerField(default=0)
    http_requests = models.PositiveIntegerField(default=0)

    class Meta(RunLedger.Meta):
        indexes = [
            # Connector page: the last runs of one connector, newest first.
            models.Index(fields=["connector", "-started_at"], name="content_syncrun_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} sync of {self.connector} at {self.started_at:%Y-%m-%d %H:%M}"
