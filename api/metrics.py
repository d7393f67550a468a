"""GET /metrics: Prometheus text format, behind an API key (read scope is enough).

Prometheus sends the key as ``authorization: {credentials: <key>}`` (a Bearer
token). The numbers come from a few aggregate queries (content's own querysets
for gaps and upgrades) and are cached for 15 seconds, so a scrape every few
seconds never counts a large mirror more than once per window.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Sum
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from rest_framework.request import Request

from api.base import ApiView
from api.summary import start_of_today
from connectors.models import Connector
from content.models import Episode, Movie
from queueing import control
from queueing.models import RequestQueue
from searchstate.models import SearchHistory

CACHE_KEY = "api:metrics"
CACHE_SECONDS = 15


def _per_connector(queryset) -> dict[int, int]:
    return dict(queryset.values_list("connector").annotate(n=Count("id")).order_by())


class LibraryCollector:
    """Every metric, computed once per collect() from aggregate queries."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        connectors = list(Connector.objects.order_by("name"))
        now = timezone.now()
        yield from self._connectors(connectors, now)
        yield from self._library(connectors)
        yield from self._queue()
        yield from self._searches()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            (size,) = cursor.fetchone()
        yield GaugeMetricFamily("comradarr_database_size_bytes", "Size of the database.", size)

    def _connectors(self, connectors, now) -> Iterator[GaugeMetricFamily]:
        health = GaugeMetricFamily(
            "comradarr_connector_health",
            "1 for the connector's current health status.",
            labels=["connector", "kind", "status"],
        )
        enabled = GaugeMetricFamily(
            "comradarr_connector_enabled", "1 if enabled.", labels=["connector", "kind"]
        )
        contact = GaugeMetricFamily(
            "comradarr_connector_last_contact_age_seconds",
            "Seconds since the *arr app last answered.",
            labels=["connector", "kind"],
        )
        for c in connectors:
            for status in Connector.Health.values:
                health.add_metric([c.name, c.kind, status], 1 if c.health_status == status else 0)
            enabled.add_metric([c.name, c.kind], 1 if c.enabled else 0)
            if c.last_contact_at:
                contact.add_metric([c.name, c.kind], (now - c.last_contact_at).total_seconds())
        yield from (health, enabled, contact)

    def _library(self, connectors) -> Iterator[GaugeMetricFamily]:
        names = {c.pk: (c.name, c.kind) for c in connectors}
        sets = {
            "comradarr_mirror_items": (
                "Items mirrored from the *arr app.",
                Episode.objects.all(),
                Movie.objects.all(),
            ),
            "comradarr_gaps": (
                "Monitored, aired (or available) items without a file.",
                Episode.objects.missing().monitored().aired(),
                Movie.objects.missing().monitored().available(),
            ),
            "comradarr_upgrades": (
                "Monitored items whose file is below the quality cutoff.",
                Episode.objects.cutoff_unmet().monitored(),
                Movie.objects.cutoff_unmet().monitored(),
            ),
        }
        for name, (help_text, episodes, movies) in sets.items():
            family = GaugeMetricFamily(name, help_text, labels=["connector", "kind", "type"])
            for item_type, queryset in (("episode", episodes), ("movie", movies)):
                for pk, count in _per_connector(queryset).items():
                    if pk in names:
                        family.add_metric([*names[pk], item_type], count)
            yield family

    def _queue(self) -> Iterator[GaugeMetricFamily]:
        counts = dict(RequestQueue.objects.values_list("status").annotate(n=Count("id")).order_by())
        family = GaugeMetricFamily(
            "comradarr_queue_entries", "Search commands by queue status.", labels=["status"]
        )
        for status in (RequestQueue.Status.QUEUED, RequestQueue.Status.DISPATCHED):
            family.add_metric([status], counts.get(status, 0))
        yield family
        yield GaugeMetricFamily(
            "comradarr_queue_paused",
            "1 while dispatching is paused.",
            1 if control.is_paused() else 0,
        )

    def _searches(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "comradarr_search_history",
            "Searches in the kept history (HISTORY_RETENTION_DAYS), by outcome.",
            labels=["connector", "outcome"],
        )
        rows = (
            SearchHistory.objects.values_list("connector_name", "outcome")
            .annotate(n=Count("id"))
            .order_by()
        )
        for connector_name, outcome, n in rows:
            family.add_metric([connector_name, outcome], n)
        yield family
        grabbed = SearchHistory.objects.filter(dispatched_at__gte=start_of_today()).aggregate(
            n=Sum("items_grabbed")
        )["n"]
        yield GaugeMetricFamily(
            "comradarr_items_grabbed_today",
            "Items grabbed by searches since midnight (TZ).",
            grabbed or 0,
        )


def render_metrics() -> bytes:
    cached = cache.get(CACHE_KEY)
    if cached is not None:
        return cached
    registry = CollectorRegistry(auto_describe=False)
    registry.register(LibraryCollector())
    text = generate_latest(registry)
    cache.set(CACHE_KEY, text, CACHE_SECONDS)
    return text


class MetricsView(ApiView):
    @extend_schema(exclude=True)
    def get(self, request: Request) -> HttpResponse:
        return HttpResponse(render_metrics(), content_type=CONTENT_TYPE_LATEST)
