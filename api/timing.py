"""How long /api/ requests take: measured by a middleware, kept per process, written in bulk.

Why the database and not prometheus-client's own Histogram. A Histogram
lives in one process's memory; under gunicorn with several workers (and
Comradarr may run gunicorn on several hosts, docs/architecture.md "How it
scales") each scrape would see only the worker that answered it. prometheus-client's
multiprocess mode fixes the first (files in a shared directory) but not the
second, and needs the directory set before the library is imported and
cleaned by the gunicorn master. So each process counts in memory
(comradarr.tally, no I/O on the request path) and adds its counts to
RequestDuration with one upsert at most every FLUSH_SECONDS, after a
response has gone out; /metrics reads the sums, the same for every process
that answers the scrape.

Routes are URL names (``api:connector``), never raw paths: ids in paths
would make a series per row and could carry what a caller typed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Hashable

from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest, HttpResponse

from api.models import RequestDuration
from comradarr.tally import Durations, Tally

logger = logging.getLogger(__name__)

FLUSH_SECONDS = 30
TABLE = RequestDuration._meta.db_table
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def _write(drained: dict[Hashable, Durations]) -> None:
    values = ", ".join(["(%s, %s, %s, %s, %s, %s::bigint[])"] * len(drained))
    params: list = []
    for (method, route, status), d in drained.items():
        params += [method, route, status, d.count, d.ms_sum, d.bins]
    sql = (
        f"INSERT INTO {TABLE} (method, route, status, requests, ms_sum, histogram) "  # noqa: S608 - names from the model
        f"VALUES {values} ON CONFLICT (method, route, status) DO UPDATE SET "
        f"requests = {TABLE}.requests + EXCLUDED.requests, "
        f"ms_sum = {TABLE}.ms_sum + EXCLUDED.ms_sum, "
        f"histogram = ARRAY(SELECT a + b FROM unnest({TABLE}.histogram, EXCLUDED.histogram) "
        "WITH ORDINALITY AS u(a, b, i) ORDER BY i)"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


#: Keys are (method, route name, status): a few hundred at most.
TALLY = Tally(_write, interval=FLUSH_SECONDS)


def route_of(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return (match.view_name if match else "")[:100] or "unmatched"


def flush(*, only_if_due: bool = True) -> int:
    if not TALLY.pending or (only_if_due and not TALLY.due()) or connection.in_atomic_block:
        return 0
    try:
        return TALLY.flush()
    except DatabaseError:
        logger.warning("api: request durations not written yet", exc_info=True)
        return 0


class ApiTimingMiddleware:
    """Times every request under /api/ (first in the chain, so the whole stack counts)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith("/api/"):
            return self.get_response(request)
        started = time.monotonic()
        response = self.get_response(request)
        method = request.method if request.method in METHODS else "OTHER"
        TALLY.add(
            (method, route_of(request), response.status_code),
            (time.monotonic() - started) * 1000,
        )
        return response
