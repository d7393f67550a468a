"""The dashboard's statistic cards: a fixed number of queries, whatever the library size.

Gap and upgrade totals come from the latest library snapshot (at most ten
minutes old) rather than counting a 500,000-episode mirror on every page view.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from analytics.models import ConnectorStat, LibrarySnapshot
from content.models import Series
from queueing.models import (
    ConnectorThrottle,
    DispatchLog,
    GlobalThrottle,
    RequestQueue,
    ThrottleProfile,
)
from searchstate.models import Acquisition, SearchHistory

#: The success-rate arrow moves only when the rate changed by more than this (points).
TREND_THRESHOLD = 1.0


@dataclass(frozen=True)
class Cards:
    gaps: int | None
    app_missing: int | None
    upgrades: int | None
    queue_items: int
    queue_entries: int
    searches_today: int
    queries_24h: int
    budget_24h: int | None
    acquired_today: int
    acquired_week: int
    success_rate: float | None
    success_rate_before: float | None

    @property
    def trend(self) -> str:
        """ "up", "down" or "flat": this week's success rate against the week before."""
        if self.success_rate is None or self.success_rate_before is None:
            return "flat"
        delta = self.success_rate - self.success_rate_before
        if abs(delta) <= TREND_THRESHOLD:
            return "flat"
        return "up" if delta > 0 else "down"


#: Snapshots are taken every ten minutes; one older than this is no longer "the library now".
SNAPSHOT_MAX_AGE = timedelta(days=2)


def latest_snapshots(*, now: datetime | None = None) -> list[LibrarySnapshot]:
    """The newest snapshot of every connector and content type (one DISTINCT ON query)."""
    now = now or timezone.now()
    return list(
        LibrarySnapshot.objects.filter(resolution="hour", bucket__gte=now - SNAPSHOT_MAX_AGE)
        .order_by("connector_id", "content_type", "-bucket")
        .distinct("connector_id", "content_type")
    )


def snapshot_counts(connector_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(gaps, upgrades) per connector from its latest snapshots, for the connector list's
    quick stats (queueing.connector_stats); connectors with no recent snapshot are left out."""
    counts: dict[int, tuple[int, int]] = {}
    for snap in latest_snapshots():
        if snap.connector_id in connector_ids:
            gaps, upgrades = counts.get(snap.connector_id, (0, 0))
            counts[snap.connector_id] = (
                gaps + snap.missing_monitored,
                upgrades + snap.below_cutoff,
            )
    return counts


def _rate(ours: int | None, commands: int | None) -> float | None:
    return round(100 * (ours or 0) / commands, 1) if commands else None


def daily_budget() -> int | None:
    """Today's query budget: the connectors' daily budgets, capped by the global one."""
    default = ThrottleProfile.default().daily_budget
    rows = ConnectorThrottle.objects.filter(connector__enabled=True).values_list(
        "profile__daily_budget", flat=True
    )
    total = sum(b if b is not None else default for b in rows) or None
    cap = GlobalThrottle.objects.filter(pk=GlobalThrottle.SINGLETON_PK).values_list(
        "daily_budget", flat=True
    )
    cap = next(iter(cap), None)
    if cap is not None:
        return min(cap, total) if total is not None else cap
    return total


def dashboard_cards(
    *,
    snapshots: list[LibrarySnapshot],
    connector_ids: list[int],
    now: datetime | None = None,
) -> Cards:
    now = now or timezone.now()
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    week = now - timedelta(days=7)
    gaps = sum(s.missing_monitored for s in snapshots) if snapshots else None
    upgrades = sum(s.below_cutoff for s in snapshots) if snapshots else None
    # What the apps themselves report as missing: Sonarr's per-series statistics.
    app_missing = Series.objects.filter(monitored=True).aggregate(
        n=Sum(F("episode_count") - F("episode_file_count"))
    )["n"]
    live = RequestQueue.objects.filter(status__in=["queued", "dispatched"]).aggregate(
        items=Sum("item_count"), entries=Count("pk")
    )
    searches = SearchHistory.objects.filter(dispatched_at__gte=midnight).count()
    queries = DispatchLog.objects.filter(dispatched_at__gte=now - timedelta(hours=24)).aggregate(
        n=Sum("estimated_queries")
    )["n"]
    # connector_id IN (...) lets PostgreSQL use the (connector, acquired_at) index.
    recent = Acquisition.objects.filter(
        connector_id__in=connector_ids, acquired_at__gte=min(week, midnight)
    )
    acquired = recent.aggregate(
        today=Count("pk", filter=Q(acquired_at__gte=midnight)),
        week=Count("pk", filter=Q(acquired_at__gte=week)),
    )
    rates = ConnectorStat.objects.filter(bucket__gte=now - timedelta(days=14)).aggregate(
        ours_now=Sum("acquired_ours", filter=Q(bucket__gte=week)),
        commands_now=Sum("commands", filter=Q(bucket__gte=week)),
        ours_before=Sum("acquired_ours", filter=Q(bucket__lt=week)),
        commands_before=Sum("commands", filter=Q(bucket__lt=week)),
    )
    return Cards(
        gaps=gaps,
        app_missing=app_missing,
        upgrades=upgrades,
        queue_items=live["items"] or 0,
        queue_entries=live["entries"] or 0,
        searches_today=searches,
        queries_24h=queries or 0,
        budget_24h=daily_budget(),
        acquired_today=acquired["today"] or 0,
        acquired_week=acquired["week"] or 0,
        success_rate=_rate(rates["ours_now"], rates["commands_now"]),
        success_rate_before=_rate(rates["ours_before"], rates["commands_before"]),
    )
