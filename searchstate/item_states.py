"""One item's search state as a user sees it: queued, in cooldown until, exhausted, excluded...

The words for each state live here and nowhere else (the library browser's
column, its filters and the item page read them from :class:`ItemState`).
Precedence, highest first: excluded (the user's word wins), then the registry
row's state (queued, searching, grabbed awaiting import, cooldown, failed,
exhausted), then what the mirror says: not eligible with the first reason
code that stops it, or eligible (waiting for a sweep).

The same rules come in two forms that tests keep in step: SQL expressions
(:func:`annotate_state`, :func:`state_filter`) for filtering and sorting a
large library, and :func:`state_of` for the page's rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import models
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When
from django.utils import timezone

from content.models import Episode, Movie, Season
from searchstate.models import Exclusion, SearchRegistry
from searchstate.reasons import Reason
from searchstate.states import SearchState


class ItemState(models.TextChoices):
    EXCLUDED = "excluded", "Excluded"
    QUEUED = "queued", "Queued"
    SEARCHING = "searching", "Searching"
    GRABBED = "grabbed", "Grabbed, awaiting import"
    COOLDOWN = "cooldown", "Cooldown"
    FAILED = "failed", "Failed, retried after cooldown"
    EXHAUSTED = "exhausted", "Exhausted"
    ELIGIBLE = "eligible", "Waiting for a sweep"
    NOT_ELIGIBLE = "not_eligible", "Not eligible"


#: Sort order of "state" (ascending): what needs attention first.
RANK: dict[str, int] = {
    ItemState.SEARCHING: 1,
    ItemState.QUEUED: 2,
    ItemState.GRABBED: 3,
    ItemState.FAILED: 4,
    ItemState.COOLDOWN: 5,
    ItemState.EXHAUSTED: 6,
    ItemState.ELIGIBLE: 7,
    ItemState.EXCLUDED: 8,
    ItemState.NOT_ELIGIBLE: 9,
}

#: Reasons the mirror alone gives for not searching an item (the "not eligible" codes).
MIRROR_REASONS = (Reason.UNMONITORED, Reason.CUTOFF_MET, Reason.NOT_AIRED, Reason.NOT_AVAILABLE)


def _is_movie(model: type[Episode] | type[Movie]) -> bool:
    return model is Movie


def excluded_q(model: type[Episode] | type[Movie]) -> Q:
    if _is_movie(model):
        return Q(Exists(Exclusion.objects.filter(movie=OuterRef("pk"))))
    return Q(Exists(Exclusion.objects.filter(episode=OuterRef("pk")))) | Q(
        Exists(Exclusion.objects.filter(series=OuterRef("series_id")))
    )


def _unmonitored_q(model: type[Episode] | type[Movie]) -> Q:
    if _is_movie(model):
        return Q(monitored=False)
    off_season = Season.objects.filter(
        series=OuterRef("series_id"), season_number=OuterRef("season_number"), monitored=False
    )
    return Q(monitored=False) | Q(series__monitored=False) | Q(Exists(off_season))


def _not_released_q(model: type[Episode] | type[Movie], now: datetime) -> Q:
    if _is_movie(model):
        return Q(is_available=False)
    aired = Q(air_date_utc__lte=now) | Q(air_date_utc__isnull=True, release_date__lt=now.date())
    return ~aired


def mirror_reason(model: type[Episode] | type[Movie], now: datetime) -> Case:
    """SQL: the first reason the mirror gives for not searching the item, or ''."""
    not_released = Reason.NOT_AVAILABLE if _is_movie(model) else Reason.NOT_AIRED
    return Case(
        When(_unmonitored_q(model), then=Value(Reason.UNMONITORED.value)),
        When(has_file=True, quality_cutoff_not_met=False, then=Value(Reason.CUTOFF_MET.value)),
        When(_not_released_q(model, now), then=Value(not_released.value)),
        default=Value(""),
        output_field=models.CharField(),
    )


def state_rank(model: type[Episode] | type[Movie], *, now: datetime | None = None) -> Case:
    """SQL: the item's :data:`RANK` (sorting by state), with :func:`state_of`'s precedence."""
    now = now or timezone.now()
    field = "movie" if _is_movie(model) else "episode"
    rows = SearchRegistry.objects.filter(**{field: OuterRef("pk")})
    ineligible = (
        _unmonitored_q(model)
        | Q(has_file=True, quality_cutoff_not_met=False)
        | _not_released_q(model, now)
    )
    by_row = [
        (rows.filter(state=SearchState.SEARCHING), ItemState.SEARCHING),
        (rows.filter(state=SearchState.QUEUED), ItemState.QUEUED),
        (rows.filter(GRABBED_ROW), ItemState.GRABBED),
        (rows.filter(state=SearchState.FAILED), ItemState.FAILED),
        (rows.filter(state=SearchState.COOLDOWN), ItemState.COOLDOWN),
        (rows.filter(state=SearchState.EXHAUSTED), ItemState.EXHAUSTED),
    ]
    return Case(
        When(excluded_q(model), then=Value(RANK[ItemState.EXCLUDED])),
        *(When(Exists(sub), then=Value(RANK[state])) for sub, state in by_row),
        When(ineligible, then=Value(RANK[ItemState.NOT_ELIGIBLE])),
        default=Value(RANK[ItemState.ELIGIBLE]),
        output_field=IntegerField(),
    )


def state_filter(
    model: type[Episode] | type[Movie], state: str, *, reason: str = "", now: datetime | None = None
) -> Q:
    """SQL condition for items whose state (as :func:`state_of` gives it) is ``state``."""
    now = now or timezone.now()
    field = "movie" if _is_movie(model) else "episode"
    rows = SearchRegistry.objects.filter(**{field: OuterRef("pk")})
    live = rows.filter(state__in=[SearchState.SEARCHING, SearchState.QUEUED])
    grabbed = rows.filter(GRABBED_ROW)
    not_excluded = ~excluded_q(model)
    if state == ItemState.EXCLUDED:
        return excluded_q(model)
    if state == ItemState.SEARCHING:
        return not_excluded & Q(Exists(rows.filter(state=SearchState.SEARCHING)))
    if state == ItemState.QUEUED:
        return (
            not_excluded
            & Q(Exists(rows.filter(state=SearchState.QUEUED)))
            & ~Q(Exists(rows.filter(state=SearchState.SEARCHING)))
        )
    if state == ItemState.GRABBED:
        return not_excluded & Q(Exists(grabbed)) & ~Q(Exists(live))
    if state in (ItemState.COOLDOWN, ItemState.FAILED, ItemState.EXHAUSTED):
        quieter = [SearchState.SEARCHING, SearchState.QUEUED]
        if state != ItemState.FAILED:
            quieter.append(SearchState.FAILED)
        if state == ItemState.EXHAUSTED:
            quieter.append(SearchState.COOLDOWN)
        own = rows.filter(state=state)
        if state == ItemState.COOLDOWN:
            own = own.exclude(failure_category="")
        return (
            not_excluded
            & Q(Exists(own))
            & ~Q(Exists(rows.filter(state__in=quieter)))
            & ~Q(Exists(grabbed))
        )
    tracked = Q(Exists(rows.exclude(state=SearchState.PENDING)))
    unreleased = _not_released_q(model, now)
    ineligible = _unmonitored_q(model) | Q(has_file=True, quality_cutoff_not_met=False) | unreleased
    if state == ItemState.NOT_ELIGIBLE:
        base = not_excluded & ~tracked
        if reason == Reason.UNMONITORED:
            return base & _unmonitored_q(model)
        if reason == Reason.CUTOFF_MET:
            return base & ~_unmonitored_q(model) & Q(has_file=True, quality_cutoff_not_met=False)
        if reason in (Reason.NOT_AIRED, Reason.NOT_AVAILABLE):
            return (
                base
                & ~_unmonitored_q(model)
                & ~Q(has_file=True, quality_cutoff_not_met=False)
                & unreleased
            )
        return base & ineligible
    if state == ItemState.ELIGIBLE:
        return not_excluded & ~tracked & ~ineligible
    raise ValueError(f"unknown item state {state!r}")


# --- the page's rows, in Python ---------------------------------------------------------------


@dataclass(frozen=True)
class ItemStatus:
    """What the browser's state column shows for one item."""

    state: str
    reason: str = ""
    until: datetime | None = None
    attempts: int = 0
    last_searched_at: datetime | None = None
    priority: int | None = None

    @property
    def label(self) -> str:
        return ItemState(self.state).label

    @property
    def reason_label(self) -> str:
        return Reason(self.reason).label if self.reason else ""

    @property
    def rank(self) -> int:
        return RANK[self.state]


#: A registry row in cooldown without a failure: its search grabbed a release (queueing.outcomes).
GRABBED_ROW = Q(state=SearchState.COOLDOWN, failure_category="")


def row_state_expression() -> Case:
    """A registry row's item state in SQL (``_row_state`` in Python): grabbed, or its state."""
    return Case(
        When(GRABBED_ROW, then=Value(ItemState.GRABBED.value)),
        default=models.F("state"),
        output_field=models.CharField(),
    )


def _row_state(row: SearchRegistry) -> str:
    if row.state == SearchState.COOLDOWN and not row.failure_category:
        return ItemState.GRABBED
    return row.state


_PRECEDENCE = [
    SearchState.SEARCHING,
    SearchState.QUEUED,
    ItemState.GRABBED,
    SearchState.FAILED,
    SearchState.COOLDOWN,
    SearchState.EXHAUSTED,
]


def state_of(
    *, rows: Iterable[SearchRegistry], excluded: bool, mirror_reason_code: str
) -> ItemStatus:
    """The state of one item from its registry rows, its exclusion and the mirror's reason."""
    rows = list(rows)
    last = max((r.last_searched_at for r in rows if r.last_searched_at), default=None)
    attempts = max((r.attempts for r in rows), default=0)
    priority = max((r.priority for r in rows), default=None) if rows else None
    common = {"attempts": attempts, "last_searched_at": last, "priority": priority}
    if excluded:
        return ItemStatus(ItemState.EXCLUDED, **common)
    tracked = [r for r in rows if r.state != SearchState.PENDING]
    if tracked:
        best = min(tracked, key=lambda r: _PRECEDENCE.index(_row_state(r)))
        state = _row_state(best)
        until = (
            best.next_eligible_at if state in (ItemState.GRABBED, SearchState.COOLDOWN) else None
        )
        return ItemStatus(state, until=until, **common)
    if mirror_reason_code:
        return ItemStatus(ItemState.NOT_ELIGIBLE, reason=mirror_reason_code, **common)
    return ItemStatus(ItemState.ELIGIBLE, **common)
