"""Read model of the queue page (and the connectors' throttle state the profile page shows).

Reads only: every write goes through a service (queueing.control,
queueing.throttle_profiles, queueing.sweep_schedules). Everything a page shows
is gathered here in a bounded number of queries:
lists are capped, per-connector figures cost a fixed handful of queries per
connector (there are a few connectors, never thousands), and nothing counts a
large table without a filter on an index. No *arr call happens here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q
from django.utils import timezone

from connectors.models import Connector
from queueing import indexer_budget
from queueing import throttle as limits
from queueing.backlog import Backlog, backlog
from queueing.dispatch_estimate import estimate_entries
from queueing.entry_priority import explain_priorities
from queueing.entry_words import describe_entries
from queueing.models import (
    ConnectorThrottle,
    GlobalThrottle,
    RequestQueue,
    SweepRun,
    ThrottleProfile,
)
from searchstate.models import SearchHistory
from searchstate.reasons import Reason

ENTRY_ROWS = 50
SWEEP_ROWS = 10
HISTORY_ROWS = 20

#: What each throttle reason means, in the queue page's words.
WAIT_TEXT = {
    limits.GLOBAL_PAUSED: "all processing paused",
    limits.PAUSED: "paused",
    limits.AUTO_PAUSED: "paused automatically",
    limits.INTERVAL: "waiting for the interval",
    limits.IN_FLIGHT: "commands in flight at the limit",
    limits.PER_MINUTE: "per-minute limit reached",
    limits.PER_HOUR: "hourly limit reached",
    limits.DAILY_BUDGET: "daily budget used up",
    limits.GLOBAL_BUDGET: "global daily budget used up",
    indexer_budget.INDEXER_LIMIT: "an indexer's limit reached",
    indexer_budget.INDEXER_GRABS: "indexers at their grab limit",
    indexer_budget.NO_INDEXER: "no usable indexer",
}


@dataclass
class ConnectorStatus:
    connector: Connector
    throttle: ConnectorThrottle
    profile: ThrottleProfile
    commands_left_hour: int
    queries_left_day: int
    in_flight: int
    ready: bool
    wait: str
    retry_at: datetime | None
    next_dispatch_at: datetime | None
    auto_paused: bool = False
    indexers: indexer_budget.Budget | None = None  # the indexer-aware allowance (Prowlarr)
    backlog: Backlog | None = None  # how long the open gaps take at this profile

    @property
    def wait_text(self) -> str:
        return WAIT_TEXT.get(self.wait, self.wait)


@dataclass
class QueueStatus:
    now: datetime
    global_throttle: GlobalThrottle
    global_queries_left: int | None
    queued: int
    due: int
    in_flight: int
    flying: list[RequestQueue]
    upcoming: list[RequestQueue]
    connectors: list[ConnectorStatus]
    sweeps: list[SweepRun]
    sweeps_running: int
    history: list[SearchHistory]

    @property
    def live(self) -> bool:
        """Something changes soon: poll faster."""
        return bool(self.in_flight or self.sweeps_running or self.due)


def skipped_text(skipped: dict) -> str:
    """A sweep's skip counts in words, largest first: "40 in cooldown, 3 not monitored"."""
    parts = []
    for code, count in sorted((skipped or {}).items(), key=lambda kv: (-int(kv[1] or 0), kv[0])):
        try:
            label = Reason(code).label.lower()
        except ValueError:
            label = str(code).replace("_", " ")
        parts.append(f"{count} {label}")
    return ", ".join(parts)


def global_throttle_current() -> GlobalThrottle:
    # A read: a missing singleton is shown as its defaults, not created by a GET.
    return GlobalThrottle.objects.filter(pk=GlobalThrottle.SINGLETON_PK).first() or GlobalThrottle(
        pk=GlobalThrottle.SINGLETON_PK
    )


def connector_statuses(
    *, now: datetime, global_throttle: GlobalThrottle | None = None, with_backlog: bool = True
) -> list[ConnectorStatus]:
    """Throttle state and allowance of every connector (a few queries per connector).

    ``with_backlog=False`` skips the backlog estimate (its queries) where a page shows none.
    """
    global_throttle = global_throttle or global_throttle_current()
    default = ThrottleProfile.default()
    throttles = {
        t.connector_id: t for t in ConnectorThrottle.objects.select_related("profile").all()
    }
    statuses = []
    for connector in Connector.objects.libraries().order_by("name"):
        row = throttles.get(connector.pk) or ConnectorThrottle(connector=connector)
        profile = row.profile if row.profile_id else default
        used = limits.spent(connector_id=connector.pk, now=now)
        flying = limits.in_flight(connector_id=connector.pk)
        allowance = limits.check(row, profile=profile, global_throttle=global_throttle, now=now)
        statuses.append(
            ConnectorStatus(
                connector=connector,
                throttle=row,
                profile=profile,
                commands_left_hour=max(0, profile.commands_per_hour - used.hour),
                queries_left_day=max(0, profile.daily_budget - used.day_queries),
                in_flight=flying,
                ready=allowance.ok and connector.is_usable,
                wait=allowance.reason
                if not allowance.ok
                else ("" if connector.is_usable else "unusable"),
                retry_at=allowance.retry_at,
                next_dispatch_at=row.next_dispatch_at
                if row.next_dispatch_at and row.next_dispatch_at > now
                else None,
                auto_paused=bool(row.paused_until and row.paused_until > now),
                indexers=indexer_budget.connector_budget(connector.pk, now=now),
                backlog=backlog(connector, profile) if with_backlog else None,
            )
        )
    return statuses


def queue_status(*, now: datetime | None = None) -> QueueStatus:
    """Everything the live part of the queue page shows."""
    now = now or timezone.now()
    global_throttle = global_throttle_current()
    counts = RequestQueue.objects.filter(status__in=("queued", "dispatched")).aggregate(
        queued=Count("pk", filter=Q(status="queued")),
        due=Count("pk", filter=Q(status="queued", scheduled_at__lte=now)),
        in_flight=Count("pk", filter=Q(status="dispatched")),
    )
    flying = list(
        RequestQueue.objects.filter(status=RequestQueue.Status.DISPATCHED)
        .select_related("connector")
        .order_by("dispatched_at")[:ENTRY_ROWS]
    )
    upcoming = list(
        RequestQueue.objects.filter(status=RequestQueue.Status.QUEUED)
        .select_related("connector")
        .order_by("scheduled_at", "-priority", "pk")[:ENTRY_ROWS]
    )
    describe_entries(flying + upcoming)
    explain_priorities(upcoming)
    sweeps = list(SweepRun.objects.select_related("connector").order_by("-started_at")[:SWEEP_ROWS])
    for run in sweeps:
        run.skipped_text = skipped_text(run.skipped)
    connectors = connector_statuses(now=now, global_throttle=global_throttle)
    estimate_entries(upcoming, connectors, now=now)
    global_left = None
    if global_throttle.daily_budget is not None:
        global_left = max(0, global_throttle.daily_budget - limits.global_queries_spent(now=now))
    return QueueStatus(
        now=now,
        global_throttle=global_throttle,
        global_queries_left=global_left,
        queued=counts["queued"],
        due=counts["due"],
        in_flight=counts["in_flight"],
        flying=flying,
        upcoming=upcoming,
        connectors=connectors,
        sweeps=sweeps,
        sweeps_running=SweepRun.objects.filter(status=SweepRun.Status.RUNNING).count(),
        history=list(SearchHistory.objects.order_by("-dispatched_at")[:HISTORY_ROWS]),
    )


def entry_items(*, entry: RequestQueue, limit: int = 200) -> list[dict]:
    """The items an entry covers (live links), or its dispatched snapshot once finished."""
    links = entry.links.select_related("registry__episode__series", "registry__movie").order_by(
        "registry__episode__season_number", "registry__episode__episode_number", "pk"
    )[:limit]
    items = []
    for link in links:
        reg = link.registry
        if reg.episode_id:
            ep = reg.episode
            number = (
                f"S{ep.season_number:02d}E{ep.episode_number:02d} "
                if ep.episode_number is not None
                else ""
            )
            items.append(
                {
                    "kind": "episode",
                    "pk": ep.pk,
                    "title": f"{ep.series.title} {number}{ep.title}".strip(),
                    "state": reg.get_state_display(),
                    "priority": reg.priority,
                }
            )
        elif reg.movie_id:
            items.append(
                {
                    "kind": "movie",
                    "pk": reg.movie_id,
                    "title": str(reg.movie),
                    "state": reg.get_state_display(),
                    "priority": reg.priority,
                }
            )
    return items
