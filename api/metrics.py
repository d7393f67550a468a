"""GET /metrics: Prometheus text format, behind an API key or the metrics token.

Prometheus sends either as ``authorization: {credentials: <key or token>}``
(a Bearer token). METRICS_TOKEN, when set, is a token for /metrics alone,
compared in constant time; API keys (read scope is enough) keep working.
Any missing or wrong credential gets the same bare 401, so a scanner learns
nothing about which was close.

Cheap when computed (benchmarks/metrics.py, under 100 ms at 500,000
episodes): mirror sizes, gaps and upgrades are read from analytics' latest
library snapshot (taken every ten minutes, the numbers the dashboard shows;
its age is a metric of its own) instead of counting the episode table on
every scrape; everything else is one aggregate query per table. The text is
cached for 15 seconds, so frequent scrapes pay it once per window.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q, Sum
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily
from rest_framework import authentication, exceptions, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from analytics.cards import latest_snapshots
from analytics.models import ArrRequestStat
from api import keys
from api.authentication import ApiKeyAuthentication
from api.base import ApiView
from api.errors import error_body
from api.heartbeat import last_heartbeat
from api.models import RequestDuration
from api.permissions import ScopePermission
from api.summary import start_of_today
from comradarr.tally import BOUNDS_MS
from connectors.models import Connector
from queueing import control
from queueing.models import RequestQueue
from searchstate.models import SearchHistory

CACHE_KEY = "api:metrics"
CACHE_SECONDS = 15


#: Snapshot content types -> the ``type`` label.
ITEM_TYPES = {"episodes": "episode", "movies": "movie", "scenes": "scene"}


class LibraryCollector:
    """Every metric, computed once per collect() from aggregate queries (9, whatever the size;
    the *arr request histogram reads its table's rows, bounded by the analytics retention)."""

    def collect(self) -> Iterator[GaugeMetricFamily | HistogramMetricFamily]:
        now = timezone.now()
        connectors = list(Connector.objects.select_related("sync_state").order_by("name"))
        yield from self._connectors(connectors, now)
        yield from self._library(connectors, now)
        yield from self._queue()
        yield from self._searches()
        yield self._heartbeat(now)
        yield self._api_durations()
        yield self._arr_durations(connectors)
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
        synced = GaugeMetricFamily(
            "comradarr_connector_last_sync_age_seconds",
            "Seconds since the last successful library sync.",
            labels=["connector", "kind"],
        )
        for c in connectors:
            for state in Connector.Health.values:
                health.add_metric([c.name, c.kind, state], 1 if c.health_status == state else 0)
            enabled.add_metric([c.name, c.kind], 1 if c.enabled else 0)
            if c.last_contact_at:
                contact.add_metric([c.name, c.kind], (now - c.last_contact_at).total_seconds())
            sync_state = getattr(c, "sync_state", None)
            if sync_state is not None and sync_state.last_success_at:
                age = (now - sync_state.last_success_at).total_seconds()
                synced.add_metric([c.name, c.kind], age)
        yield from (health, enabled, contact, synced)

    def _library(self, connectors, now) -> Iterator[GaugeMetricFamily]:
        names = {c.pk: (c.name, c.kind) for c in connectors}
        labels = ["connector", "kind", "type"]
        items = GaugeMetricFamily(
            "comradarr_mirror_items", "Items mirrored from the *arr app.", labels=labels
        )
        gaps = GaugeMetricFamily(
            "comradarr_gaps",
            "Monitored, aired (or available) items without a file.",
            labels=labels,
        )
        upgrades = GaugeMetricFamily(
            "comradarr_upgrades",
            "Items with a file below the quality cutoff (the dashboard's upgrade candidates).",
            labels=labels,
        )
        age = GaugeMetricFamily(
            "comradarr_library_snapshot_age_seconds",
            "Seconds since the library snapshot the three metrics above come from.",
            labels=labels,
        )
        for snap in latest_snapshots(now=now):
            if snap.connector_id not in names:
                continue
            key = [*names[snap.connector_id], ITEM_TYPES.get(snap.content_type, snap.content_type)]
            items.add_metric(key, snap.items)
            gaps.add_metric(key, snap.missing_monitored)
            upgrades.add_metric(key, snap.below_cutoff)
            age.add_metric(key, (now - snap.taken_at).total_seconds())
        yield from (items, gaps, upgrades, age)

    def _queue(self) -> Iterator[GaugeMetricFamily]:
        counts = dict(RequestQueue.objects.values_list("status").annotate(n=Count("id")).order_by())
        family = GaugeMetricFamily(
            "comradarr_queue_entries", "Search commands by queue status.", labels=["status"]
        )
        for state in (RequestQueue.Status.QUEUED, RequestQueue.Status.DISPATCHED):
            family.add_metric([state], counts.get(state, 0))
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
        # One pass: the counts by outcome and today's grabs together.
        rows = (
            SearchHistory.objects.values_list("connector_name", "outcome")
            .annotate(
                n=Count("id"),
                today=Sum("items_grabbed", filter=Q(dispatched_at__gte=start_of_today())),
            )
            .order_by()
        )
        grabbed = 0
        for connector_name, outcome, n, today in rows:
            family.add_metric([connector_name, outcome], n)
            grabbed += today or 0
        yield family
        yield GaugeMetricFamily(
            "comradarr_items_grabbed_today",
            "Items grabbed by searches since midnight (TZ).",
            grabbed,
        )

    def _heartbeat(self, now) -> GaugeMetricFamily:
        family = GaugeMetricFamily(
            "comradarr_worker_heartbeat_age_seconds",
            "Seconds since the task cluster's last heartbeat (absent: never seen).",
        )
        beat = last_heartbeat()
        if beat is not None:
            family.add_metric([], max(0.0, (now - beat).total_seconds()))
        return family

    def _api_durations(self) -> HistogramMetricFamily:
        family = HistogramMetricFamily(
            "comradarr_api_request_duration_seconds",
            "Time to answer /api/ requests, from every web process (api.timing).",
            labels=["method", "route", "status"],
        )
        for row in RequestDuration.objects.order_by("route", "method", "status"):
            buckets, running = [], 0
            for bound, n in zip(BOUNDS_MS, row.histogram, strict=False):
                running += n
                buckets.append((_le(bound / 1000), running))
            buckets.append(("+Inf", row.requests))
            family.add_metric(
                [row.method, row.route, str(row.status)], buckets, sum_value=row.ms_sum / 1000
            )
        return family

    def _arr_durations(self, connectors) -> HistogramMetricFamily:
        """Requests Comradarr made to each app, per endpoint template, over the analytics
        retention (hours not yet rolled up, plus days): one query, summed here. Counts
        drop when old days are pruned; Prometheus reads that as a counter reset."""
        family = HistogramMetricFamily(
            "comradarr_arr_request_duration_seconds",
            "Time the *arr apps took to answer Comradarr's requests (analytics retention).",
            labels=["connector", "method", "endpoint"],
        )
        names = {c.pk: c.name for c in connectors}
        totals: dict[tuple[str, str, str], list] = {}
        rows = ArrRequestStat.objects.values_list(
            "connector_id", "method", "endpoint", "requests", "ms_sum", "histogram"
        )
        for connector_id, method, endpoint, requests, ms_sum, histogram in rows:
            key = (names.get(connector_id, str(connector_id)), method, endpoint)
            total = totals.setdefault(key, [0, 0.0, [0] * len(histogram)])
            total[0] += requests
            total[1] += ms_sum
            total[2] = [a + b for a, b in zip(total[2], histogram, strict=False)]
        for labels in sorted(totals):
            requests, ms_sum, histogram = totals[labels]
            buckets, running = [], 0
            for bound, n in zip(BOUNDS_MS, histogram, strict=False):
                running += n
                buckets.append((_le(bound / 1000), running))
            buckets.append(("+Inf", requests))
            family.add_metric(list(labels), buckets, sum_value=ms_sum / 1000)
        return family


def _le(seconds: float) -> str:
    return f"{seconds:g}"


def render_metrics() -> bytes:
    cached = cache.get(CACHE_KEY)
    if cached is not None:
        return cached
    registry = CollectorRegistry(auto_describe=False)
    registry.register(LibraryCollector())
    text = generate_latest(registry)
    cache.set(CACHE_KEY, text, CACHE_SECONDS)
    return text


# ------------------------------------------------------------------------ access

#: request.auth of a caller that sent the metrics token.
METRICS_TOKEN_AUTH = "metrics-token"  # noqa: S105 - a marker, not a secret


class MetricsTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <METRICS_TOKEN>``; anything else is left to the API key check."""

    def authenticate(self, request):
        token = settings.METRICS_TOKEN
        raw = keys.key_from_headers(request)
        if not token or raw is None:
            return None
        if hmac.compare_digest(raw.encode(), token.encode()):
            return None if keys.key_in_query(request) else (None, METRICS_TOKEN_AUTH)
        return None

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="metrics"'


class MetricsPermission(BasePermission):
    def has_permission(self, request, view) -> bool:
        return request.auth == METRICS_TOKEN_AUTH or ScopePermission().has_permission(request, view)


class MetricsView(ApiView):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [MetricsPermission]

    def get_authenticators(self):
        # The token first: a bearer that is the token never reaches the key lookup.
        return [MetricsTokenAuthentication(), *super().get_authenticators()]

    def handle_exception(self, exc):
        if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            codes = exc.get_codes()
            if codes != "key_in_query":
                # No hint which of key, token, revoked or expired it was.
                return Response(
                    error_body("not_authenticated", "authentication required"),
                    status=status.HTTP_401_UNAUTHORIZED,
                    headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
                )
        return super().handle_exception(exc)

    @extend_schema(exclude=True)
    def get(self, request: Request) -> HttpResponse:
        return HttpResponse(render_metrics(), content_type=CONTENT_TYPE_LATEST)
