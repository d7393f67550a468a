"""Discovery: which gaps and upgrades deserve a search now, and why the others do not.

Every gate is one SQL condition, combined into a single ``CASE`` that gives
each candidate its reason code in the order of :data:`searchstate.reasons.GATE_ORDER`.
The same annotation serves three readers, so they can never disagree:

* the sweep: ``reason = 'selected'`` rows become candidates, the rest are
  counted by reason in one GROUP BY;
* ``why`` for one item (:mod:`searchstate.why`);
* tests, which assert reasons row by row.

The download-queue check takes the *arr ids the caller fetched
(``client_for(connector).queue_items()``), so discovery itself never talks HTTP.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)

from connectors.common.shape import MOVIES, SERIES
from connectors.models import Connector
from content.models import Episode, Movie, QualityProfile, Season
from searchstate import priority as priority_rules
from searchstate.availability import episode_aired_at, movie_released
from searchstate.findability import learned_share
from searchstate.models import Exclusion, SearchSettings
from searchstate.reasons import Reason
from searchstate.states import SearchState, SearchType

# The two kinds of search target: the item nouns of the two mirrored shapes.
EPISODE = SERIES.item
MOVIE = MOVIES.item


@dataclass(frozen=True)
class DiscoveryContext:
    """Everything discovery decides with, fixed for one sweep."""

    connector: Connector
    settings: SearchSettings
    now: datetime
    weights: priority_rules.Weights = field(default_factory=priority_rules.Weights)
    #: *arr ids of episodes (series connectors) or movies in the download queue.
    downloading: frozenset[int] = frozenset()
    #: Manual "search now": ignore cooldown and exhaustion (never the other gates).
    force: bool = False


@dataclass(slots=True)
class Candidate:
    """An item selected for a search, with what the planner needs."""

    kind: str
    item_id: int
    arr_id: int
    search_type: str
    title: str
    released_at: datetime | None
    score: priority_rules.Score
    registry_id: int | None = None
    series_id: int | None = None
    series_arr_id: int | None = None
    series_title: str = ""
    #: standard | daily | anime (series only): decides a season search's query estimate.
    series_type: str = ""
    season_number: int | None = None
    episode_number: int | None = None

    @property
    def priority(self) -> int:
        return self.score.total

    @property
    def label(self) -> str:
        if self.kind == MOVIE:
            return self.title
        if self.episode_number is None:
            return f"{self.series_title}: {self.title}"
        return f"{self.series_title} S{self.season_number:02d}E{self.episode_number:02d}"


def rank_key(candidate: Candidate) -> tuple:
    """Dispatch order: best score first; ties by series, season, then *arr id."""
    c = candidate
    return (-c.priority, c.series_id or 0, c.season_number or 0, c.arr_id)


@dataclass
class Discovery:
    """Candidates of one search type, best first, and what was skipped."""

    search_type: str
    candidates: list[Candidate]
    skipped: Counter = field(default_factory=Counter)

    @property
    def found(self) -> int:
        return len(self.candidates) + sum(self.skipped.values())


# --- the gates, as SQL conditions -------------------------------------------------------


def not_aired_before(moment: datetime) -> Q:
    """Aired after ``moment`` or unknown: episode_aired_at() > moment, in SQL.

    A Whisparr release date counts from the end of its day (availability.py),
    so midnight(date + 1) > moment, that is date >= moment's date.
    """
    return (
        Q(air_date_utc__gt=moment)
        | Q(air_date_utc__isnull=True, release_date__isnull=True)
        | Q(air_date_utc__isnull=True, release_date__gte=moment.astimezone(UTC).date())
    )


def _registry_relation(search_type: str) -> FilteredRelation:
    return FilteredRelation(
        "search_registry", condition=Q(search_registry__search_type=search_type)
    )


def _unmonitored_episode() -> Q:
    unmonitored_season = Season.objects.filter(
        series=OuterRef("series"), season_number=OuterRef("season_number"), monitored=False
    )
    return Q(monitored=False) | Q(series__monitored=False) | Q(Exists(unmonitored_season))


def _excluded(shape: str) -> Q:
    if shape == MOVIE:
        return Q(Exists(Exclusion.objects.filter(movie=OuterRef("pk"))))
    return Q(Exists(Exclusion.objects.filter(episode=OuterRef("pk")))) | Q(
        Exists(Exclusion.objects.filter(series=OuterRef("series")))
    )


def _profile_field(shape: str) -> str:
    return "quality_profile_id" if shape == MOVIE else "series__quality_profile_id"


def _upgrades_refused(shape: str) -> Q:
    refused = QualityProfile.objects.filter(
        connector=OuterRef("connector"),
        arr_id=OuterRef(_profile_field(shape)),
        upgrade_allowed=False,
    )
    return Q(Exists(refused))


def _below_format_cutoff(shape: str) -> Q:
    below = QualityProfile.objects.filter(
        connector=OuterRef("connector"),
        arr_id=OuterRef(_profile_field(shape)),
        cutoff_format_score__gt=OuterRef("custom_format_score"),
    )
    return Q(Exists(below))


def _cooldown(ctx: DiscoveryContext, shape: str) -> Q:
    now = ctx.now
    ours = Q(reg__next_eligible_at__gt=now)
    # The *arr's own lastSearchTime seeds our state: what it searched yesterday
    # (RSS does not set it; searches do) is not searched again today.
    normal = now - timedelta(hours=ctx.settings.cooldown_hours)
    fresh = now - timedelta(hours=ctx.settings.fresh_cooldown_hours)
    if shape == MOVIE:
        theirs = Q(last_search_time__gt=normal)
    else:
        fresh_since = now - timedelta(hours=ctx.settings.fresh_window_hours)
        recently_aired = Q(air_date_utc__gt=fresh_since)
        theirs = Q(last_search_time__gt=fresh) | (Q(last_search_time__gt=normal) & ~recently_aired)
    # Once we searched it ourselves, our own next_eligible_at decides alone.
    never_ours = Q(reg__last_searched_at__isnull=True)
    return ours | (theirs & never_ours)


def _candidate_filter(ctx: DiscoveryContext, shape: str, search_type: str) -> Q:
    if search_type == SearchType.GAP:
        return Q(has_file=False)
    cutoff_unmet = Q(has_file=True, quality_cutoff_not_met=True)
    if ctx.settings.custom_format_upgrades:
        cutoff_unmet |= Q(has_file=True) & _below_format_cutoff(shape)
    return cutoff_unmet


def reason_case(ctx: DiscoveryContext, shape: str, search_type: str) -> Case:
    """The reason code of every row, as one CASE in GATE_ORDER (first failing gate wins)."""
    whens: list[When] = []

    def gate(condition: Q, reason: Reason) -> None:
        whens.append(When(condition, then=Value(reason.value)))

    if not ctx.connector.is_usable:
        gate(Q(pk__isnull=False), Reason.CONNECTOR_UNUSABLE)
    if search_type == SearchType.GAP:
        gate(Q(has_file=True), Reason.HAS_FILE)
    else:
        gate(Q(has_file=False), Reason.HAS_FILE)  # nothing to upgrade without a file
        gate(~_candidate_filter(ctx, shape, search_type), Reason.CUTOFF_MET)
        gate(_upgrades_refused(shape), Reason.UPGRADES_NOT_ALLOWED)
    gate(Q(monitored=False) if shape == MOVIE else _unmonitored_episode(), Reason.UNMONITORED)
    # Every gate applies to every search type: an upgrade of a movie still in
    # cinemas (minimum availability "released") finds nothing, like its gap search.
    if shape == MOVIE:
        gate(Q(status__in=("tba", "deleted")) | Q(is_available=False), Reason.NOT_AVAILABLE)
    else:
        gate(not_aired_before(ctx.now), Reason.NOT_AIRED)
        gate(not_aired_before(ctx.now - ctx.settings.grace), Reason.IN_GRACE_PERIOD)
    gate(_excluded(shape), Reason.EXCLUDED)
    if ctx.downloading:
        gate(Q(arr_id__in=sorted(ctx.downloading)), Reason.IN_DOWNLOAD_QUEUE)
    in_progress = (SearchState.QUEUED, SearchState.SEARCHING)
    if ctx.force:
        gate(Q(reg__state__in=in_progress), Reason.IN_PROGRESS)
    else:
        gate(Q(reg__state=SearchState.EXHAUSTED), Reason.EXHAUSTED)
        gate(Q(reg__state__in=in_progress), Reason.IN_PROGRESS)
        gate(_cooldown(ctx, shape), Reason.COOLDOWN)
    return Case(*whens, default=Value(Reason.SELECTED.value), output_field=CharField())


def annotated(
    ctx: DiscoveryContext,
    search_type: str,
    *,
    shape: str | None = None,
    queryset: QuerySet | None = None,
) -> QuerySet:
    """Items of the connector with ``reg`` (their registry row of this type) and ``reason``."""
    shape = shape or ctx.connector.shape.item
    model = Movie if shape == MOVIE else Episode
    qs = queryset if queryset is not None else model.objects.filter(connector=ctx.connector)
    return qs.annotate(reg=_registry_relation(search_type)).annotate(
        reason=reason_case(ctx, shape, search_type)
    )


def discover(
    ctx: DiscoveryContext,
    search_type: str,
    *,
    only: Collection[int] | None = None,
) -> Discovery:
    """Candidates of one type, best first, with skip counts by reason (three queries).

    ``only`` restricts discovery to these item pks (manual "search now").
    """
    connector_shape = ctx.connector.shape
    if not connector_shape.mirrored:
        return Discovery(search_type=search_type, candidates=[])
    shape = connector_shape.item
    model = Movie if shape == MOVIE else Episode
    base = model.objects.filter(connector=ctx.connector).filter(
        _candidate_filter(ctx, shape, search_type)
    )
    if search_type == SearchType.GAP and shape == EPISODE:
        # Rides the partial index content_episode_missing_idx.
        base = base.filter(has_file=False)
    if only is not None:
        base = base.filter(pk__in=list(only))
    qs = annotated(ctx, search_type, shape=shape, queryset=base)

    skipped: Counter = Counter()
    for row in qs.exclude(reason=Reason.SELECTED).values("reason").annotate(n=Count("pk")):
        skipped[row["reason"]] = row["n"]

    selected = qs.filter(reason=Reason.SELECTED).order_by()
    candidates = list(_candidates(ctx, shape, search_type, selected))
    candidates.sort(key=rank_key)
    return Discovery(search_type=search_type, candidates=candidates, skipped=skipped)


def _candidates(
    ctx: DiscoveryContext, shape: str, search_type: str, qs: QuerySet
) -> Iterable[Candidate]:
    # The user's priorities live in searchstate.PriorityOverride (LEFT JOINs, one row per item).
    findability = learned_share(ctx.connector.pk, shape, now=ctx.now)
    common = ["pk", "arr_id", "title", "user_priority__priority", "reg__id", "reg__attempts"]
    common.append("reg__created_at")
    if shape == MOVIE:
        fields = [
            *common,
            "in_cinemas",
            "digital_release",
            "physical_release",
            "year",
            "status",
        ]
    else:
        fields = [
            *common,
            "series_id",
            "series__arr_id",
            "series__title",
            "series__series_type",
            "series__user_priority__priority",
            "season_number",
            "episode_number",
            "air_date_utc",
            "release_date",
        ]
    for row in qs.values_list(*fields).iterator(chunk_size=5000):
        values = dict(zip(fields, row, strict=True))
        if shape == MOVIE:
            dates = [values["digital_release"], values["physical_release"], values["in_cinemas"]]
            known = [d for d in dates if d is not None]
            released = min(known) if known else None
            if released is None and values["year"]:
                released = datetime(values["year"], 7, 1, tzinfo=UTC)
            series_priority = None
            is_released = movie_released(
                status=values["status"],
                digital_release=values["digital_release"],
                physical_release=values["physical_release"],
                now=ctx.now,
            )
        else:
            released = episode_aired_at(
                air_date_utc=values["air_date_utc"], release_date=values["release_date"]
            )
            series_priority = values["series__user_priority__priority"]
            is_released = True  # the airing gates already let only aired episodes through
        score = priority_rules.score(
            priority_rules.PriorityInputs(
                search_type=search_type,
                released_at=released,
                first_selected_at=values["reg__created_at"],
                attempts=values["reg__attempts"] or 0,
                item_priority=values["user_priority__priority"],
                series_priority=series_priority,
                released=is_released,
                findability=findability,
            ),
            now=ctx.now,
            weights=ctx.weights,
        )
        yield Candidate(
            kind=shape,
            item_id=values["pk"],
            arr_id=values["arr_id"],
            search_type=search_type,
            title=values["title"],
            released_at=released,
            score=score,
            registry_id=values["reg__id"],
            series_id=values.get("series_id"),
            series_arr_id=values.get("series__arr_id"),
            series_title=values.get("series__title", ""),
            series_type=values.get("series__series_type", ""),
            season_number=values.get("season_number"),
            episode_number=values.get("episode_number"),
        )


__all__ = [
    "EPISODE",
    "MOVIE",
    "Candidate",
    "Discovery",
    "DiscoveryContext",
    "annotated",
    "discover",
    "rank_key",
    "reason_case",
]
