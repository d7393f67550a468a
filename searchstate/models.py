"""Search state: what Comradarr has searched, when, with what result, and its settings.

Registry rows exist only for items discovery selected at least once, so a
large, mostly complete library costs almost nothing here. Every row follows
its mirror item (cascade), so an item deleted upstream takes its state along.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce

from comradarr.models import TimestampedModel
from connectors.models import Connector
from content.models import Episode, Movie, Series
from searchstate import priority as priority_rules
from searchstate import seasonpack
from searchstate.states import FailureCategory, PackOutcome, SearchState, SearchType

#: A registry row's item, and "never searched", as the browse indexes below have them.
ITEM = Coalesce("episode", "movie")
NEVER = datetime(1970, 1, 1, tzinfo=UTC)


class SearchRegistry(TimestampedModel):
    """Search state of one item (episode or movie) for one search type (gap or upgrade)."""

    State = SearchState
    Type = SearchType

    connector = models.ForeignKey(
        Connector, on_delete=models.CASCADE, related_name="search_registry"
    )
    search_type = models.CharField(max_length=10, choices=SearchType.choices)
    # DO_NOTHING in Django, ON DELETE CASCADE in the database (migration 0002): the
    # mirror deletes in bulk, and resolution in SQL, without Django loading these rows.
    episode = models.ForeignKey(
        Episode, null=True, blank=True, on_delete=models.DO_NOTHING, related_name="search_registry"
    )
    movie = models.ForeignKey(
        Movie, null=True, blank=True, on_delete=models.DO_NOTHING, related_name="search_registry"
    )
    state = models.CharField(max_length=12, choices=SearchState.choices, default="pending")
    attempts = models.PositiveIntegerField(
        default=0, help_text="Searches that found nothing; exhausted at the maximum."
    )
    search_count = models.PositiveIntegerField(
        default=0, help_text="Every search dispatched for the item, whatever came of it."
    )
    first_searched_at = models.DateTimeField(null=True, blank=True)
    last_searched_at = models.DateTimeField(null=True, blank=True)
    next_eligible_at = models.DateTimeField(null=True, blank=True)
    failure_category = models.CharField(max_length=20, choices=FailureCategory.choices, blank=True)
    priority = models.IntegerField(default=0)
    priority_breakdown = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "search registry row"
        verbose_name_plural = "search registry"
        constraints = [
            # One row per item and type. NULLs are distinct in PostgreSQL, so the
            # plain constraint serves the ON CONFLICT of the sweep's bulk upsert.
            models.UniqueConstraint(
                fields=["episode", "search_type"], name="searchstate_reg_episode_type_uniq"
            ),
            models.UniqueConstraint(
                fields=["movie", "search_type"], name="searchstate_reg_movie_type_uniq"
            ),
            models.CheckConstraint(
                condition=Q(episode__isnull=False, movie__isnull=True)
                | Q(episode__isnull=True, movie__isnull=False),
                name="searchstate_reg_one_item",
            ),
        ]
        indexes = [
            # Cooldown expiry and due work: filter(state=COOLDOWN, next_eligible_at__lte=now).
            models.Index(fields=["state", "next_eligible_at"], name="searchstate_reg_due_idx"),
            # Per-connector dashboards and sweeps: filter(connector=c, search_type=t, state=s).
            models.Index(
                fields=["connector", "search_type", "state"], name="searchstate_reg_conn_idx"
            ),
            # Pruning: filter(state=EXHAUSTED, updated_at__lt=cutoff).
            models.Index(fields=["state", "updated_at"], name="searchstate_reg_prune_idx"),
            # The content browser's sorts (web.browse_streams): a connector's rows in the
            # order of a state or a value, then of their item (an episode or a movie).
            models.Index(F("connector"), F("state"), ITEM, name="searchstate_reg_brw_state_idx"),
            models.Index(
                F("connector"),
                Coalesce("last_searched_at", Value(NEVER)),
                ITEM,
                name="searchstate_reg_brw_last_idx",
            ),
            models.Index(F("connector"), F("attempts"), ITEM, name="searchstate_reg_brw_att_idx"),
            models.Index(F("connector"), F("priority"), ITEM, name="searchstate_reg_brw_prio_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.search_type} {self.item} ({self.state})"

    @property
    def item(self) -> Episode | Movie | None:
        return self.episode if self.episode_id else self.movie


class SeasonPackSearch(TimestampedModel):
    """The season-pack searches of one season, tracked apart from its episodes' own."""

    connector = models.ForeignKey(
        Connector, on_delete=models.CASCADE, related_name="season_pack_searches"
    )
    # ON DELETE CASCADE in the database (migration 0002).
    series = models.ForeignKey(
        Series, on_delete=models.DO_NOTHING, related_name="season_pack_searches"
    )
    season_number = models.IntegerField()
    last_searched_at = models.DateTimeField(null=True, blank=True)
    last_outcome = models.CharField(max_length=12, choices=PackOutcome.choices, blank=True)
    cooldown_until = models.DateTimeField(null=True, blank=True)
    search_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["series", "season_number"], name="searchstate_pack_season_uniq"
            ),
        ]

    def __str__(self) -> str:
        return f"pack {self.series_id} S{self.season_number:02d}: {self.last_outcome or 'never'}"

    def history(self) -> seasonpack.PackHistory:
        return seasonpack.PackHistory(
            last_searched_at=self.last_searched_at, last_outcome=self.last_outcome or None
        )


class SearchHistory(models.Model):
    """One dispatched search command and its outcome (append-only; written by dispatch)."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "Pending"
        GRABBED = "grabbed", "Grabbed"
        NO_RESULTS = "no_results", "No results"
        FAILED = "failed", "Command failed"
        TIMEOUT = "timeout", "Timed out"
        CONNECTOR_ERROR = "connector_error", "Connector error"
        RATE_LIMITED = "rate_limited", "Rate limited"
        AUTH_REJECTED = "auth_rejected", "Authentication rejected"

    id = models.BigAutoField(primary_key=True)
    connector = models.ForeignKey(
        Connector, null=True, on_delete=models.SET_NULL, related_name="search_history"
    )
    connector_name = models.CharField(max_length=100, help_text="Kept if the connector goes.")
    search_type = models.CharField(max_length=10, choices=SearchType.choices, blank=True)
    command_name = models.CharField(max_length=40)
    command_body = models.JSONField(default=dict)
    command_arr_id = models.IntegerField(null=True, blank=True)
    #: Snapshot of what was searched: [{"kind", "arr_id", "title"}, ...]
    items = models.JSONField(default=list)
    item_count = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.PENDING)
    items_grabbed = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    dispatched_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "search history"
        ordering = ["-dispatched_at"]
        indexes = [
            # History page of a connector, newest first.
            models.Index(
                fields=["connector", "-dispatched_at"], name="searchstate_hist_recent_idx"
            ),
            # Retention pruning: filter(dispatched_at__lt=cutoff).
            models.Index(fields=["dispatched_at"], name="searchstate_hist_prune_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.command_name} on {self.connector_name}: {self.outcome}"

    def item_outcome(self, arr_id: int) -> str | None:
        """ "grabbed" or "no_result" for one searched item of a completed command; None when
        not known (still pending, failed as a whole, or recorded before items were marked)."""
        for item in self.items:
            if item.get("arr_id") == arr_id and "grabbed" in item:
                return "grabbed" if item["grabbed"] else "no_result"
        return None


class Acquisition(models.Model):
    """An item that gained its file (gap) or met cutoff (upgrade) while we tracked it."""

    class Source(models.TextChoices):
        SEARCH = "search", "Followed one of our searches"
        RSS = "rss", "The *arr's own RSS or another search"

    id = models.BigAutoField(primary_key=True)
    connector = models.ForeignKey(Connector, on_delete=models.CASCADE, related_name="acquisitions")
    search_type = models.CharField(max_length=10, choices=SearchType.choices)
    # ON DELETE SET NULL in the database (migration 0002): the record outlives the item.
    episode = models.ForeignKey(
        Episode, null=True, blank=True, on_delete=models.DO_NOTHING, related_name="acquisitions"
    )
    movie = models.ForeignKey(
        Movie, null=True, blank=True, on_delete=models.DO_NOTHING, related_name="acquisitions"
    )
    title = models.CharField(max_length=500, blank=True)
    acquired_at = models.DateTimeField()
    first_searched_at = models.DateTimeField(null=True, blank=True)
    time_to_acquire = models.DurationField(
        null=True, blank=True, help_text="From our first search to the acquisition."
    )
    searches = models.PositiveIntegerField(default=0)
    source = models.CharField(max_length=10, choices=Source.choices)
    resolved_at = models.DateTimeField()

    class Meta:
        ordering = ["-acquired_at"]
        indexes = [
            # Analytics: acquisitions of a connector over time.
            models.Index(fields=["connector", "acquired_at"], name="searchstate_acq_conn_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.search_type}, {self.source})"


#: User-owned rows about one item (Exclusion, PriorityOverride) name exactly one of them.
EXACTLY_ONE_TARGET = (
    Q(series__isnull=False, episode__isnull=True, movie__isnull=True)
    | Q(series__isnull=True, episode__isnull=False, movie__isnull=True)
    | Q(series__isnull=True, episode__isnull=True, movie__isnull=False)
)


class Exclusion(TimestampedModel):
    """The user asked never to search an item, or a whole series."""

    connector = models.ForeignKey(Connector, on_delete=models.CASCADE, related_name="exclusions")
    # ON DELETE CASCADE in the database (migration 0002).
    series = models.ForeignKey(
        Series, null=True, blank=True, on_delete=models.DO_NOTHING, related_name="exclusions"
    )
    episode = models.ForeignKey(
        Episode, null=True, blank=True, on_delete=models.DO_NOTHING, related_name="exclusions"
    )
    movie = models.ForeignKey(
        Movie, null=True, blank=True, on_delete=models.DO_NOTHING, related_name="exclusions"
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=EXACTLY_ONE_TARGET,
                name="searchstate_excl_one_target",
            ),
            models.UniqueConstraint(fields=["series"], name="searchstate_excl_series_uniq"),
            models.UniqueConstraint(fields=["episode"], name="searchstate_excl_episode_uniq"),
            models.UniqueConstraint(fields=["movie"], name="searchstate_excl_movie_uniq"),
        ]

    def __str__(self) -> str:
        return f"exclude {self.series or self.episode or self.movie}"


class PriorityOverride(TimestampedModel):
    """The user's priority for a series, an episode or a movie (episodes inherit their series').

    User-owned state: the mirror is rebuilt from the *arr apps at any time, so
    the override lives here and sync never writes it. Written only through
    searchstate.services (item_set_priority, items_set_priority).
    """

    connector = models.ForeignKey(
        Connector, on_delete=models.CASCADE, related_name="priority_overrides"
    )
    # ON DELETE CASCADE in the database (migration 0004): an item gone upstream takes it along.
    series = models.OneToOneField(
        Series, null=True, blank=True, on_delete=models.DO_NOTHING, related_name="user_priority"
    )
    episode = models.OneToOneField(
        Episode, null=True, blank=True, on_delete=models.DO_NOTHING, related_name="user_priority"
    )
    movie = models.OneToOneField(
        Movie, null=True, blank=True, on_delete=models.DO_NOTHING, related_name="user_priority"
    )
    priority = models.SmallIntegerField(
        validators=[
            MinValueValidator(priority_rules.USER_PRIORITY_RANGE[0]),
            MaxValueValidator(priority_rules.USER_PRIORITY_RANGE[1]),
        ]
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=EXACTLY_ONE_TARGET,
                name="searchstate_prio_one_target",
            ),
            models.CheckConstraint(
                condition=Q(
                    priority__gte=priority_rules.USER_PRIORITY_RANGE[0],
                    priority__lte=priority_rules.USER_PRIORITY_RANGE[1],
                ),
                name="searchstate_prio_range",
            ),
        ]

    def __str__(self) -> str:
        return f"priority {self.priority} for {self.series or self.episode or self.movie}"

    @staticmethod
    def target_field(target: Series | Episode | Movie) -> str:
        return {Series: "series", Episode: "episode", Movie: "movie"}[type(target)]

    @classmethod
    def of(cls, target: Series | Episode | Movie) -> int | None:
        """The user's priority of ``target`` itself (None: automatic)."""
        return (
            cls.objects.filter(**{cls.target_field(target): target})
            .values_list("priority", flat=True)
            .first()
        )


class PriorityWeights(models.Model):
    """The installation's priority weights (one row, pk=1); see searchstate.priority."""

    gap_base = models.FloatField(default=priority_rules.Weights.gap_base)
    upgrade_base = models.FloatField(default=priority_rules.Weights.upgrade_base)
    recency = models.FloatField(default=priority_rules.Weights.recency)
    recency_half_life_days = models.FloatField(
        default=priority_rules.Weights.recency_half_life_days, validators=[MinValueValidator(1)]
    )
    missing_age = models.FloatField(default=priority_rules.Weights.missing_age)
    missing_age_full_days = models.FloatField(
        default=priority_rules.Weights.missing_age_full_days, validators=[MinValueValidator(1)]
    )
    attempt_penalty = models.FloatField(default=priority_rules.Weights.attempt_penalty)
    attempt_penalty_cap = models.FloatField(default=priority_rules.Weights.attempt_penalty_cap)
    user = models.FloatField(default=priority_rules.Weights.user)
    findability = models.FloatField(default=priority_rules.Weights.findability)

    class Meta:
        verbose_name_plural = "priority weights"

    def __str__(self) -> str:
        return "priority weights"

    @classmethod
    def current(cls) -> priority_rules.Weights:
        row = cls.objects.filter(pk=1).first()
        return row.as_weights() if row else priority_rules.Weights()

    def as_weights(self) -> priority_rules.Weights:
        return priority_rules.Weights(
            **{f: getattr(self, f) for f in priority_rules.Weights.__dataclass_fields__}
        )


class SearchSettings(TimestampedModel):
    """Per-connector search settings. The batch size lives here until throttle profiles do."""

    connector = models.OneToOneField(
        Connector, on_delete=models.CASCADE, related_name="search_settings"
    )
    gaps_enabled = models.BooleanField(default=True)
    upgrades_enabled = models.BooleanField(default=True)
    custom_format_upgrades = models.BooleanField(
        default=False,
        help_text="Also search items whose custom-format score is below the profile's cutoff.",
    )
    season_packs_enabled = models.BooleanField(default=True)
    series_search_enabled = models.BooleanField(
        default=True, help_text="One SeriesSearch when every aired season qualifies for a pack."
    )
    pack_min_ratio = models.FloatField(
        default=0.5, validators=[MinValueValidator(0), MaxValueValidator(1)]
    )
    pack_min_missing = models.PositiveIntegerField(default=5)
    pack_cooldown_hours = models.PositiveIntegerField(default=7 * 24)
    grace_period_hours = models.PositiveIntegerField(default=6)
    fresh_window_hours = models.PositiveIntegerField(
        default=48, help_text="Items this recently aired are retried with the fresh cooldown."
    )
    fresh_cooldown_hours = models.PositiveIntegerField(default=4)
    cooldown_hours = models.PositiveIntegerField(default=24)
    backoff_multiplier = models.FloatField(default=2.0, validators=[MinValueValidator(1)])
    cooldown_cap_hours = models.PositiveIntegerField(default=30 * 24)
    max_attempts = models.PositiveIntegerField(default=10, validators=[MinValueValidator(1)])
    batch_size = models.PositiveIntegerField(
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Ids per EpisodeSearch/MoviesSearch (moves to throttle profiles).",
    )
    attribution_window_hours = models.PositiveIntegerField(
        default=48, help_text="An acquisition this soon after our search counts as ours."
    )
    exhausted_retention_days = models.PositiveIntegerField(default=30)

    class Meta:
        verbose_name_plural = "search settings"

    def __str__(self) -> str:
        return f"search settings of {self.connector}"

    @classmethod
    def for_connector(cls, connector: Connector) -> SearchSettings:
        """The connector's settings; an unsaved default row when it has none yet."""
        row = cls.objects.filter(connector=connector).first()
        return row or cls(connector=connector)

    @property
    def grace(self) -> timedelta:
        return timedelta(hours=self.grace_period_hours)

    @property
    def packs_possible(self) -> bool:
        """Whether the app's seasons come as packs (not Whisparr v2's years of a site)."""
        return self.connector.capabilities.season_packs

    @property
    def use_series_search(self) -> bool:
        return self.series_search_enabled and self.packs_possible

    def pack_settings(self) -> seasonpack.PackSettings:
        return seasonpack.PackSettings(
            enabled=self.season_packs_enabled and self.packs_possible,
            min_ratio=self.pack_min_ratio,
            min_missing=self.pack_min_missing,
            cooldown=timedelta(hours=self.pack_cooldown_hours),
        )
