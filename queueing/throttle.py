"""Throttle arithmetic: may a connector get one more command now, and spending it.

Every limit is counted from DispatchLog rows (one per command sent), so all
workers see the same spend. :func:`check` and :func:`spend` are called with the
connector's ConnectorThrottle row locked (SELECT .. FOR UPDATE) in the same
transaction that claims the queue entry, which serialises the check-and-spend
of one connector across any number of workers. The global budget is checked
under the GlobalThrottle row lock, taken after the connector's (same order
everywhere, so no deadlock).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import Coalesce

from queueing import indexer_budget
from queueing.models import (
    ConnectorThrottle,
    DispatchLog,
    GlobalThrottle,
    RequestQueue,
    ThrottleProfile,
)

MINUTE = timedelta(seconds=60)
HOUR = timedelta(seconds=3600)
DAY = timedelta(hours=24)
# A command is logged when it is claimed and reaches the app a moment later (after
# the commit and the HTTP round trip). Counting a little more than the window keeps
# the rate the *arr sees within the limit even when one POST is slower than the next.
WINDOW_SLACK = timedelta(seconds=2)

#: Why a connector may not dispatch now (Allowance.reason).
GLOBAL_PAUSED = "global_paused"
PAUSED = "paused"
AUTO_PAUSED = "auto_paused"
INTERVAL = "interval"
IN_FLIGHT = "in_flight"
PER_MINUTE = "per_minute"
PER_HOUR = "per_hour"
DAILY_BUDGET = "daily_budget"
GLOBAL_BUDGET = "global_budget"

#: Reasons that clear within the hour on their own (process_queue waits for them).
SHORT_WAITS = frozenset({INTERVAL, IN_FLIGHT, PER_MINUTE, PER_HOUR})


@dataclass(frozen=True)
class Allowance:
    """The answer of :func:`check`: ok, or why not and until when (when known)."""

    ok: bool
    reason: str = ""
    #: Estimated queries still allowed today (connector and global budget), when ok.
    queries_left: int = 0
    #: Earliest moment the blocking limit can clear (None: unknown or not time-bound).
    retry_at: datetime | None = None


@dataclass(frozen=True)
class Spend:
    """Commands and queries spent in the windows ending now."""

    minute: int
    hour: int
    day_queries: int
    oldest_minute: datetime | None
    oldest_hour: datetime | None


def spent(*, connector_id: int, now: datetime) -> Spend:
    """Count the connector's dispatches in the minute, hour and day before ``now``."""
    logs = DispatchLog.objects.filter(connector_id=connector_id)
    minute_logs = logs.filter(dispatched_at__gt=now - MINUTE - WINDOW_SLACK)
    hour_logs = logs.filter(dispatched_at__gt=now - HOUR - WINDOW_SLACK)
    minute = minute_logs.aggregate(n=Count("pk"))["n"]
    hour = hour_logs.aggregate(n=Count("pk"))["n"]
    day = logs.filter(dispatched_at__gt=now - DAY).aggregate(
        q=Coalesce(Sum("estimated_queries"), 0)
    )["q"]
    return Spend(
        minute=minute,
        hour=hour,
        day_queries=day,
        oldest_minute=_oldest(minute_logs) if minute else None,
        oldest_hour=_oldest(hour_logs) if hour else None,
    )


def _oldest(logs) -> datetime | None:
    return logs.order_by("dispatched_at").values_list("dispatched_at", flat=True).first()


def global_queries_spent(*, now: datetime) -> int:
    return DispatchLog.objects.filter(dispatched_at__gt=now - DAY).aggregate(
        q=Coalesce(Sum("estimated_queries"), 0)
    )["q"]


def in_flight(*, connector_id: int) -> int:
    return RequestQueue.objects.filter(
        connector_id=connector_id, status=RequestQueue.Status.DISPATCHED
    ).count()


def check(
    throttle: ConnectorThrottle,
    *,
    profile: ThrottleProfile,
    global_throttle: GlobalThrottle,
    now: datetime,
) -> Allowance:
    """May ``throttle``'s connector get one more command at ``now``? (Read-only.)"""
    if global_throttle.paused:
        return Allowance(False, GLOBAL_PAUSED)
    if throttle.paused:
        return Allowance(False, PAUSED)
    if throttle.paused_until and throttle.paused_until > now:
        return Allowance(False, AUTO_PAUSED, retry_at=throttle.paused_until)
    if throttle.next_dispatch_at and throttle.next_dispatch_at > now:
        return Allowance(False, INTERVAL, retry_at=throttle.next_dispatch_at)
    if in_flight(connector_id=throttle.connector_id) >= profile.max_in_flight:
        return Allowance(False, IN_FLIGHT)
    used = spent(connector_id=throttle.connector_id, now=now)
    if used.minute >= profile.commands_per_minute:
        return Allowance(False, PER_MINUTE, retry_at=used.oldest_minute + MINUTE + WINDOW_SLACK)
    if used.hour >= profile.commands_per_hour:
        return Allowance(False, PER_HOUR, retry_at=used.oldest_hour + HOUR + WINDOW_SLACK)
    left = profile.daily_budget - used.day_queries
    if left <= 0:
        return Allowance(False, DAILY_BUDGET)
    if global_throttle.daily_budget is not None:
        global_left = global_throttle.daily_budget - global_queries_spent(now=now)
        if global_left <= 0:
            return Allowance(False, GLOBAL_BUDGET)
        left = min(left, global_left)
    # The indexers' own allowance (Prowlarr) caps the profile's: the stricter wins.
    budget = indexer_budget.connector_budget(throttle.connector_id, now=now, lock=True)
    if budget.blocked:
        return Allowance(False, budget.reason, retry_at=budget.retry_at)
    if budget.queries_left is not None:
        left = min(left, budget.queries_left)
    return Allowance(True, queries_left=left)


def next_interval(profile: ThrottleProfile, *, rng: random.Random | None = None) -> timedelta:
    """The gap before the connector's next dispatch: the minimum interval plus 0..jitter."""
    jitter = (rng or random).uniform(0, profile.interval_jitter_seconds)
    return timedelta(seconds=profile.min_interval_seconds + jitter)


def spend(
    throttle: ConnectorThrottle,
    *,
    profile: ThrottleProfile,
    entry: RequestQueue | None,
    queries: int,
    now: datetime,
    rng: random.Random | None = None,
) -> DispatchLog:
    """Record one command against the limits (call with the throttle row locked)."""
    log = DispatchLog.objects.create(
        connector_id=throttle.connector_id,
        entry=entry,
        dispatched_at=now,
        estimated_queries=max(1, queries),
    )
    throttle.last_dispatch_at = now
    throttle.next_dispatch_at = now + next_interval(profile, rng=rng)
    ConnectorThrottle.objects.filter(pk=throttle.pk).update(
        last_dispatch_at=throttle.last_dispatch_at, next_dispatch_at=throttle.next_dispatch_at
    )
    return log


def refund(*, entry: RequestQueue, dispatched_at: datetime) -> int:
    """Forget the spend of a command that never reached the app (nothing was searched)."""
    deleted, _ = DispatchLog.objects.filter(entry=entry, dispatched_at=dispatched_at).delete()
    return deleted


def error_backoff(profile: ThrottleProfile, *, level: int) -> timedelta:
    """Connector pause after its ``level``-th consecutive error (1-based), capped."""
    seconds = profile.error_cooldown_seconds * profile.backoff_multiplier ** max(0, level - 1)
    return timedelta(seconds=min(seconds, profile.backoff_cap_seconds))


def prune(*, now: datetime) -> int:
    """Drop dispatch log rows no window looks at any more (maintenance)."""
    deleted, _ = DispatchLog.objects.filter(dispatched_at__lt=now - DAY - HOUR).delete()
    return deleted


def profile_of(connector) -> ThrottleProfile:
    """The connector's throttle profile without writing anything (read paths, dry runs)."""
    row = ConnectorThrottle.objects.filter(connector=connector).select_related("profile").first()
    if row is not None and row.profile_id:
        return row.profile
    return ThrottleProfile.default()


def batch_size_for(connector, *, settings=None) -> int:
    """Ids per command: the connector's assigned profile; else its saved search settings
    (the field's old home, kept as the fallback); else the default profile. One query."""
    assigned = ConnectorThrottle.objects.filter(connector=connector, profile=OuterRef("pk"))
    profile = (
        ThrottleProfile.objects.annotate(assigned=Exists(assigned))
        .filter(Q(assigned=True) | Q(is_default=True))
        .order_by("-assigned")
        .first()
    )
    if profile is not None and profile.assigned:
        return profile.batch_size
    if settings is not None and settings.pk is not None:
        return settings.batch_size
    return (profile or ThrottleProfile(name="moderate")).batch_size
