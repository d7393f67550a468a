"""Priority scoring: a pure function with an inspectable breakdown.

Higher scores are dispatched first. The score is a sum of named parts so that
"why is this item ranked here" has an answer:

- ``base``: gaps start above upgrades (a missing episode matters more than a
  better copy of one you have);
- ``recency``: newer content scores higher, decaying with a half-life, because
  recent releases are the likeliest to still be on indexers;
- ``missing_age``: the longer we have been trying, the lower (capped);
- ``attempts``: each search that found nothing lowers the score;
- ``user``: a per-item override, or the series' when the item has none;
- ``findability``: the share of searched items this connector's searches of
  this type grabbed lately (searchstate.findability); rarely found, ranked lower
  (0 while too few searches say anything);
- ``unreleased``: a movie Radarr's minimum-availability rule lets through
  (announced, in cinemas) but with no digital or physical release yet rarely
  has a release on any indexer, so it ranks after every released gap whatever
  the other parts say (0 for released items, so the breakdown shows why).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import datetime

from searchstate.states import SearchType

#: The parts of a score in words, in the order :func:`score` adds them (pages show these).
PART_LABELS = {
    "base": "Base (gap or upgrade)",
    "recency": "Recent release",
    "missing_age": "Time already spent looking",
    "attempts": "Searches that found nothing",
    "user": "Your priority (item or series)",
    "findability": "How often this app finds releases",
    "unreleased": "Not released yet",
}

#: User priority overrides are clamped to this range.
USER_PRIORITY_RANGE = (-100, 100)


@dataclass(frozen=True)
class Weights:
    """Tunable weights; stored per installation in searchstate.PriorityWeights."""

    gap_base: float = 1000.0
    upgrade_base: float = 500.0
    recency: float = 300.0
    recency_half_life_days: float = 365.0
    missing_age: float = 200.0
    missing_age_full_days: float = 365.0
    attempt_penalty: float = 50.0
    attempt_penalty_cap: float = 400.0
    user: float = 5.0
    #: At most this much off for a connector and type whose searches rarely find anything.
    findability: float = 100.0


@dataclass(frozen=True)
class PriorityInputs:
    search_type: str
    #: When the item aired or was released; None when unknown.
    released_at: datetime | None
    #: When we first selected it (the registry row's creation); None for a new candidate.
    first_selected_at: datetime | None = None
    attempts: int = 0
    item_priority: int | None = None
    series_priority: int | None = None
    #: False for an available-but-unreleased movie (see the module docstring).
    released: bool = True
    #: Learned share of searched items grabbed for this connector and type (None: unknown).
    findability: float | None = None


@dataclass(frozen=True, slots=True)
class Score:
    total: int
    parts: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)

    def explain(self) -> str:
        parts = ", ".join(f"{k} {v:+.0f}" for k, v in self.parts.items())
        return f"{self.total} ({parts})"


def effective_user_priority(item: int | None, series: int | None) -> int:
    """The item's own override wins; otherwise it inherits its series'."""
    value = item if item is not None else series
    if value is None:
        return 0
    low, high = USER_PRIORITY_RANGE
    return max(low, min(high, int(value)))


def unreleased_penalty(w: Weights) -> float:
    """Larger than the widest spread the other parts can open between two gaps.

    Derived from the weights, so it keeps unreleased items after every released
    gap under any tuning: recency at most ``recency``, missing age and attempts
    at most their caps, user priority across its whole range.
    """
    low, high = USER_PRIORITY_RANGE
    spread = (
        abs(w.recency)
        + abs(w.missing_age)
        + max(abs(w.attempt_penalty_cap), 0.0)
        + abs(w.user) * (high - low)
        + abs(w.findability)
    )
    return math.floor(spread) + 1.0


def score(inputs: PriorityInputs, *, now: datetime, weights: Weights | None = None) -> Score:
    w = weights or Weights()
    parts: dict[str, float] = {}
    parts["base"] = w.gap_base if inputs.search_type == SearchType.GAP else w.upgrade_base
    if inputs.released_at is not None:
        age_days = max(0.0, (now - inputs.released_at).total_seconds() / 86400)
        half_life = max(w.recency_half_life_days, 1e-6)
        parts["recency"] = w.recency * math.pow(0.5, age_days / half_life)
    else:
        parts["recency"] = 0.0
    if inputs.first_selected_at is not None:
        missing_days = max(0.0, (now - inputs.first_selected_at).total_seconds() / 86400)
        full = max(w.missing_age_full_days, 1e-6)
        parts["missing_age"] = -w.missing_age * min(1.0, missing_days / full)
    else:
        parts["missing_age"] = 0.0
    parts["attempts"] = -min(w.attempt_penalty * max(0, inputs.attempts), w.attempt_penalty_cap)
    parts["user"] = w.user * effective_user_priority(inputs.item_priority, inputs.series_priority)
    share = inputs.findability
    parts["findability"] = (
        0.0 if share is None else -w.findability * (1 - min(1.0, max(0.0, share)))
    )
    parts["unreleased"] = 0.0 if inputs.released else -unreleased_penalty(w)
    parts = {k: round(v, 2) for k, v in parts.items()}
    return Score(total=round(sum(parts.values())), parts=parts)
