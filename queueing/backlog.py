"""How long a connector's open gaps take at its throttle profile, and a profile that is faster.

"About 6 days at this rate": the estimated indexer queries of one pass over the open
gaps (the planner's own estimate for what is queued; the same queries per item for the
gaps not planned yet) over the queries a day the profile lets through. The suggestion
is the gentlest preset that would finish within a week, never beyond the global daily
budget the user set.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import Sum

from queueing.models import GlobalThrottle, RequestQueue, ThrottleProfile
from searchstate.models import SearchRegistry
from searchstate.states import SearchState, SearchType

WEEK_DAYS = 7
#: Gaps a pass still covers; exhausted ones are not searched again.
OPEN = (
    SearchState.PENDING,
    SearchState.QUEUED,
    SearchState.SEARCHING,
    SearchState.COOLDOWN,
    SearchState.FAILED,
)


@dataclass(frozen=True)
class Backlog:
    gaps: int
    queries: int  # estimated indexer queries for one pass over the gaps
    per_day: int  # queries a day the profile allows
    days: float | None  # None: nothing to search, or the profile allows nothing
    suggestion: ThrottleProfile | None = None  # a preset that finishes within a week

    @property
    def text(self) -> str:
        if not self.gaps:
            return "No open gaps."
        if self.days is None:
            return "The profile allows no searches."
        if self.days < 1:
            return f"about {max(1, math.ceil(self.days * 24))} hours at this rate"
        days = math.ceil(self.days)
        return f"about {days} day{'s' if days > 1 else ''} at this rate"


def queries_per_day(profile: ThrottleProfile, *, queries_per_item: float, cap: int | None) -> int:
    """What the profile lets through in 24 h: its budget, or its commands if those bind."""
    per_command = max(1.0, profile.batch_size * queries_per_item)
    by_commands = int(profile.commands_per_hour * 24 * per_command)
    allowed = min(profile.daily_budget, by_commands)
    return min(allowed, cap) if cap is not None else allowed


def backlog(connector, profile: ThrottleProfile) -> Backlog:
    """The open gaps of ``connector`` against ``profile`` (three queries, presets a fourth)."""
    gaps = SearchRegistry.objects.filter(
        connector=connector, search_type=SearchType.GAP, state__in=OPEN
    ).count()
    planned = RequestQueue.objects.filter(
        connector=connector, search_type=SearchType.GAP, status=RequestQueue.Status.QUEUED
    ).aggregate(items=Sum("item_count", default=0), queries=Sum("estimated_queries", default=0))
    per_item = planned["queries"] / planned["items"] if planned["items"] else 1.0
    unplanned = max(0, gaps - planned["items"])
    queries = planned["queries"] + math.ceil(unplanned * per_item)
    cap = _global_cap()
    per_day = queries_per_day(profile, queries_per_item=per_item, cap=cap)
    days = queries / per_day if gaps and per_day else None
    suggestion = None
    if days is not None and days > WEEK_DAYS:
        suggestion = _suggest(queries, queries_per_item=per_item, cap=cap, current=profile)
    return Backlog(gaps=gaps, queries=queries, per_day=per_day, days=days, suggestion=suggestion)


def first_pass(profile: ThrottleProfile, *, gaps: int) -> Backlog:
    """``gaps`` open gaps at ``profile``, one query each: for a library not synced yet."""
    per_day = queries_per_day(profile, queries_per_item=1.0, cap=_global_cap())
    days = gaps / per_day if gaps and per_day else None
    return Backlog(gaps=gaps, queries=gaps, per_day=per_day, days=days)


def _global_cap() -> int | None:
    row = GlobalThrottle.objects.filter(pk=GlobalThrottle.SINGLETON_PK).first()
    return row.daily_budget if row is not None else None


def _suggest(
    queries: int, *, queries_per_item: float, cap: int | None, current: ThrottleProfile
) -> ThrottleProfile | None:
    presets = ThrottleProfile.objects.filter(is_preset=True).exclude(pk=current.pk)
    for preset in sorted(presets, key=lambda p: (p.daily_budget, p.commands_per_hour)):
        per_day = queries_per_day(preset, queries_per_item=queries_per_item, cap=cap)
        if per_day and queries / per_day <= WEEK_DAYS:
            return preset
    return None
