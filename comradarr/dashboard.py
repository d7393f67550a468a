"""Numbers for the dashboard, gathered in a fixed, small number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q

from connectors.models import Connector

# How many connectors the dashboard lists; the Connectors page has the rest.
RECENT_CONNECTORS = 10

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
            Connector.objects.only(
                "name", "kind", "enabled", "health_status", "app_version", "last_contact_at"
            ).order_by("name")[:limit]
        )
    return DashboardSummary(
        connectors_total=counts["total"],
        connectors_enabled=counts["enabled"],
        health=health,
        connectors=connectors,
    )
