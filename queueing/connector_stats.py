"""Quick stats of each connector on the connector list: gaps, upgrades, queue depth,
search success over 7 days, last sync.

Registered as a list column (connectors.panels) by queueing, the app that sees the
mirror, the search state and the queue. Seven grouped queries whatever the number
of connectors: never one query per row. The connector page shows the same figures
for its connector beside its sweep schedules (a detail panel, connector_activity).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from connectors.models import Connector
from content.models import Episode, Movie, SyncState
from queueing.models import RequestQueue, SweepSchedule
from queueing.schedule_status import sweep_schedule_described
from searchstate.models import SearchHistory

SUCCESS_WINDOW = timedelta(days=7)


@dataclass
class QuickStats:
    gaps: int = 0
    upgrades: int = 0
    queue_depth: int = 0
    searches: int = 0  # finished searches in the window
    grabbed: int = 0
    last_sync_at: datetime | None = None
    last_sync_failed: bool = False

    @property
    def success_rate(self) -> int | None:
        """Percent of the window's finished searches that grabbed a release (None: none)."""
        if not self.searches:
            return None
        return round(100 * self.grabbed / self.searches)


#: {connector pk: (gaps, upgrades)} for the connectors it has recent figures of.
LibraryCounts = Callable[[list[int]], Mapping[int, tuple[int, int]]]
_library_counts: LibraryCounts | None = None


def register_library_counts(provider: LibraryCounts) -> None:
    """Take gap and upgrade totals from ``provider`` (analytics' library snapshots).

    Counting a 500,000-episode mirror costs 100 to 150 ms a page view; the snapshot
    (at most ten minutes old) is what the dashboard and /metrics show too. A
    connector the provider has no figures for (just added) is counted live.
    """
    global _library_counts
    _library_counts = provider


def _by_connector(queryset, pks: list[int]) -> dict[int, int]:
    rows = queryset.filter(connector_id__in=pks).values_list("connector_id")
    return dict(rows.annotate(n=Count("pk")).order_by())


def quick_stats(connectors: Sequence[Connector], *, now: datetime | None = None) -> dict:
    """{connector pk: QuickStats} for the library connectors among ``connectors``."""
    pks = [c.pk for c in connectors if c.is_library]
    if not pks:
        return {}
    now = now or timezone.now()
    stats = {pk: QuickStats() for pk in pks}
    counted = dict(_library_counts(pks)) if _library_counts else {}
    for pk, (gaps, upgrades) in counted.items():
        stats[pk].gaps, stats[pk].upgrades = gaps, upgrades
    uncounted = [pk for pk in pks if pk not in counted]
    # The same definitions as /metrics and the dashboard (content's querysets).
    for field, queryset in (
        ("gaps", Episode.objects.missing().monitored().aired()),
        ("gaps", Movie.objects.missing().monitored().available()),
        ("upgrades", Episode.objects.cutoff_unmet().monitored()),
        ("upgrades", Movie.objects.cutoff_unmet().monitored()),
    ):
        if not uncounted:
            break
        for pk, n in _by_connector(queryset, uncounted).items():
            setattr(stats[pk], field, getattr(stats[pk], field) + n)
    for pk, n in _by_connector(RequestQueue.objects.live(), pks).items():
        stats[pk].queue_depth = n
    finished = (
        SearchHistory.objects.filter(connector_id__in=pks, dispatched_at__gte=now - SUCCESS_WINDOW)
        .exclude(outcome=SearchHistory.Outcome.PENDING)
        .values_list("connector_id")
        .annotate(n=Count("pk"), grabbed=Count("pk", filter=Q(outcome="grabbed")))
        .order_by()
    )
    for pk, n, grabbed in finished:
        stats[pk].searches, stats[pk].grabbed = n, grabbed
    states = SyncState.objects.filter(connector_id__in=pks).values_list(
        "connector_id", "last_success_at", "consecutive_failures"
    )
    for pk, last_success, failures in states:
        stats[pk].last_sync_at = last_success
        stats[pk].last_sync_failed = failures > 0
    return stats


# --- the connector page: the same figures for one connector, with its sweep schedules ---------


@dataclass
class ConnectorActivity:
    """The connector page's Activity panel: quick stats and the schedules that sweep it."""

    stats: QuickStats
    schedules: list[SweepSchedule]

    @property
    def enabled_schedules(self) -> int:
        return sum(1 for s in self.schedules if s.enabled)


def connector_activity(connector: Connector, *, now: datetime | None = None) -> ConnectorActivity:
    """Eight queries whatever the library's size or the number of schedules."""
    stats = quick_stats([connector], now=now).get(connector.pk, QuickStats())
    schedules = SweepSchedule.objects.filter(connector=connector).select_related("throttle_profile")
    return ConnectorActivity(
        stats=stats,
        schedules=[sweep_schedule_described(s) for s in schedules.order_by("kind", "pk")],
    )
