"""GET /health: is the application, its database and its task cluster alive?

Answers without login, for Docker's HEALTHCHECK and uptime monitors. HTTP 200
while the database answers (a missing task cluster only makes the report
"degraded"), 503 when it does not. The other checks still answer when the
database is down, reporting what they could not determine.

Anonymous callers get only {"status": "ok" | "degraded" | "down"} and the HTTP
status: hostnames, cluster ids, the version and memory figures help an attacker
more than a monitor. The details are for signed-in users (may_see_details).
"""

from __future__ import annotations

import logging
import resource
import sys
import time
from typing import Any

import psycopg
from django.conf import settings
from django.db import DatabaseError, connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

OK, DEGRADED, ERROR, MISSING, UNKNOWN = "ok", "degraded", "error", "missing", "unknown"

# A health probe that hangs is worse than one that fails: Docker gives up on
# its own and reports nothing useful.
CONNECT_TIMEOUT_SECONDS = 3
STATEMENT_TIMEOUT_MS = 2000

# Connection keywords Django adds for its own wrapper that psycopg.connect does not take.
_DJANGO_ONLY_PARAMS = {"context", "cursor_factory", "prepare_threshold", "server_side_binding"}


def _connection_params() -> dict[str, Any]:
    """libpq parameters of the default database, as Django would connect."""
    params = connections["default"].get_connection_params()
    return {key: value for key, value in params.items() if key not in _DJANGO_ONLY_PARAMS}


def check_database() -> dict[str, Any]:
    """SELECT 1 on a fresh, short-fused connection (never a pooled one that could hang)."""
    started = time.monotonic()
    try:
        params = _connection_params()
        params["connect_timeout"] = CONNECT_TIMEOUT_SECONDS
        params["options"] = (
            params.get("options", "") + f" -c statement_timeout={STATEMENT_TIMEOUT_MS}"
        ).strip()
        with psycopg.connect(**params, autocommit=True) as conn:
            conn.execute("SELECT 1").fetchone()
    except Exception as exc:  # any failure means "down"; the probe must still answer
        logger.warning("health: database check failed", extra={"error": _one_line(exc)})
        return {"status": ERROR, "error": _one_line(exc)}
    return {"status": OK, "latency_ms": round((time.monotonic() - started) * 1000, 1)}


def check_cluster() -> dict[str, Any]:
    """django-q2 clusters that reported a heartbeat in the last few seconds."""
    from django_q.conf import Conf
    from django_q.status import Stat

    try:
        stats = Stat.get_all()
    except Exception as exc:  # e.g. the heartbeat cache table does not exist yet
        return {"status": UNKNOWN, "error": _one_line(exc)}
    clusters = [
        {
            "id": str(stat.cluster_id),
            "host": stat.host,
            "status": str(stat.status),
            "workers": len(stat.workers),
        }
        for stat in stats
        if str(stat.status) != str(Conf.STOPPED)
    ]
    if not clusters:
        return {
            "status": MISSING,
            "detail": "no django-q2 cluster is running: background work is not being done",
            "clusters": [],
        }
    return {"status": OK, "clusters": clusters}


def check_queue() -> dict[str, Any]:
    """Tasks waiting in the ORM broker, and tasks a worker has claimed."""
    from django.db.models import Count, Q
    from django.utils import timezone
    from django_q.models import OrmQ

    try:
        now = timezone.now()
        counts = OrmQ.objects.aggregate(
            waiting=Count("id", filter=Q(lock__lte=now)),
            claimed=Count("id", filter=Q(lock__gt=now)),
        )
    except Exception as exc:
        return {"status": UNKNOWN, "error": _one_line(exc)}
    return {"status": OK, "depth": counts["waiting"], "in_progress": counts["claimed"]}


def memory_usage() -> dict[str, int | None]:
    """Resident memory of the process answering (current and peak), in bytes."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # ru_maxrss is kilobytes on Linux, bytes on macOS.
    peak_bytes = peak if sys.platform == "darwin" else peak * 1024
    current = _current_rss()
    # The kernel updates its high-water mark lazily, so the current size read
    # from /proc can be the newer, larger one: a peak is never below it.
    if current is not None:
        peak_bytes = max(peak_bytes, current)
    return {"rss_bytes": current, "peak_rss_bytes": peak_bytes}


def _current_rss() -> int | None:
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return pages * resource.getpagesize()


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:300]


# The anonymous answer's words: what a monitor needs, nothing about the machine.
PUBLIC_STATUS = {OK: "ok", DEGRADED: "degraded", ERROR: "down"}


def may_see_details(request: HttpRequest) -> bool:
    """Whether this caller may see the full report (hosts, version, memory).

    The one place that decides it: a signed-in session or a valid API key in a
    header (api.keys). Never raises: with the database down neither the session
    nor the key can be read, and the probe must still answer.
    """
    from api.keys import request_has_valid_key

    try:
        if settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated:
            return True
        return request_has_valid_key(request)
    except DatabaseError:
        return False


def health_report() -> tuple[dict[str, Any], int]:
    """The report and its HTTP status."""
    database = check_database()
    if database["status"] == OK:
        cluster, queue = check_cluster(), check_queue()
    else:
        # Both live in the database: asking would only wait for the same failure.
        skipped = {"status": UNKNOWN, "error": "database unavailable"}
        cluster, queue = dict(skipped), dict(skipped)
    if database["status"] != OK:
        status, http_status = ERROR, 503
    elif cluster["status"] != OK or queue["status"] != OK:
        status, http_status = DEGRADED, 200
    else:
        status, http_status = OK, 200
    report = {
        "status": status,
        "version": settings.COMRADARR_VERSION,
        "database": database,
        "cluster": cluster,
        "queue": queue,
        "memory": memory_usage(),
    }
    return report, http_status


@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    report, http_status = health_report()
    if not may_see_details(request):
        report = {"status": PUBLIC_STATUS[report["status"]]}
    return JsonResponse(report, status=http_status)
