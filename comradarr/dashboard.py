"""Numbers for the dashboard, gathered in a fixed, small number of queries.

The connector summary is the shell's own; the cards, completion, feed and
upcoming work are analytics' read models, composed here for the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from analytics.arr_requests import Timing, timings_between
from analytics.cards import Cards, dashboard_cards, latest_snapshots
from analytics.completion import CompletionRow, completion_rows
from analytics.feed import FeedLine, activity_feed
from analytics.upcoming import Running, Upcoming, running, upcoming
from connectors.models import Connector
from queueing.next_steps import new_connectors

# How many connectors the dashboard lists; the Connectors page has the rest.
RECENT_CONNECTORS = 10
# The connection panel's response times: the last day of real requests to each app.
RESPONSE_WINDOW = timedelta(hours=24)

# Cards read best-first; "not checked yet" last.
HEALTH_ORDER = (
    Connector.Health.HEALTHY,
    Connector.Health.DEGRADED,
    Connector.Health.UNHEALTHY,
    Connector.Health.OFFLINE,
    Connector.Health.UNKNOWN,
)


@dataclass(frozen=True)
class HealthCount:
    status: str  # a Connector.Health value, also the badge modifier
    label: str
    count: int


@dataclass(frozen=True)
class DashboardSummary:
    connectors_total: int
    connectors_enabled: int
    health: list[HealthCount] = field(default_factory=list)
    connectors: list[Connector] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return self.connectors_total == 0

    @property
    def connectors_disabled(self) -> int:
        return self.connectors_total - self.connectors_enabled

    @property
    def needs_attention(self) -> int:
        """Enabled or not, these connectors are known to be failing."""
        bad = {Connector.Health.DEGRADED, Connector.Health.UNHEALTHY, Connector.Health.OFFLINE}
        return sum(h.count for h in self.health if h.status in bad)


def dashboard_summary(*, limit: int = RECENT_CONNECTORS) -> DashboardSummary:
    """Connector counts by health (one aggregate query) and the first few connectors.

    At most two queries, whatever the number of connectors.
    """
    aggregates = {"total": Count("pk"), "enabled": Count("pk", filter=Q(enabled=True))}
    for status in Connector.Health.values:
        aggregates[f"health_{status}"] = Count("pk", filter=Q(health_status=status))
    counts = Connector.objects.aggregate(**aggregates)
    health = [
        HealthCount(status=status.value, label=status.label, count=counts[f"health_{status}"])
        for status in HEALTH_ORDER
    ]
    connectors = []
    if counts["total"]:
        connectors = list(
            Connector.objects.select_related("sync_state")
            .only(
                "name",
                "kind",
                "enabled",
                "health_status",
                "health_message",
                "app_version",
                "last_contact_at",
                "sync_state__last_success_at",
            )
            .order_by("name")[:limit]
        )
    return DashboardSummary(
        connectors_total=counts["total"],
        connectors_enabled=counts["enabled"],
        health=health,
        connectors=connectors,
    )


@dataclass(frozen=True)
class DashboardOverview:
    cards: Cards
    completion: list[CompletionRow]
    feed: list[FeedLine]
    upcoming: list[Upcoming]
    running: list[Running]
    #: Connector id -> its apps' response time over RESPONSE_WINDOW (every real request).
    response_times: dict[int, Timing] = field(default_factory=dict)


def dashboard_overview() -> DashboardOverview:
    """Everything below the connector summary, in a fixed number of queries."""
    now = timezone.now()
    snapshots = latest_snapshots(now=now)
    names = dict(Connector.objects.values_list("pk", "name"))
    return DashboardOverview(
        cards=dashboard_cards(snapshots=snapshots, connector_ids=list(names)),
        completion=completion_rows(snapshots=snapshots, names=names),
        feed=activity_feed(),
        upcoming=upcoming(),
        running=running(),
        response_times={
            key[0]: t for key, t in timings_between(now - RESPONSE_WINDOW, now).items()
        },
    )


def attach_response_times(connectors: list[Connector], overview: DashboardOverview | None) -> None:
    """Give each listed connector its ``response_time`` (a Timing or None) for the table."""
    times = overview.response_times if overview else {}
    for connector in connectors:
        connector.response_time = times.get(connector.pk)


def dashboard_new_connectors() -> list[Connector]:
    """The newest connector that has not searched yet, for "what happens next and when".

    It gets the connector page's own "What happens next" panel (queueing's read model);
    one only, so the page's queries stay the same however many connectors were added.
    """
    return new_connectors()
