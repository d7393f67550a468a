"""Response times of the *arr apps, from every real request (connectors.common.timing).

Each request adds to this process's Tally (memory only); the counts are
written at safe points with one upsert per flush: at the end of every task
(a worker may be recycled right after it, without running exit hooks), and
at the end of a web request once ``FLUSH_SECONDS`` passed (the web makes few
*arr calls: a connection test; at most that minute is lost when a web worker
stops). A long sync's requests are written when it ends, each in its hour. A flush
merges into ArrRequestStat's hour rows by adding, so any number of processes
add up; analytics.rollup turns hours into days like every other counter.
The readers (``timings``) sum the histograms of a range and estimate the p95
from the sum.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import DatabaseError, connection, transaction

from analytics.models import ArrRequestStat, Resolution
from analytics.ranges import Selection
from comradarr.tally import BINS, Durations, Tally, percentile
from connectors.models import Connector

logger = logging.getLogger(__name__)

TABLE = ArrRequestStat._meta.db_table
FLUSH_SECONDS = 60
#: Rows per INSERT statement of a flush (11 parameters each, far below PostgreSQL's limit).
CHUNK = 1000
KEY_COLUMNS = "connector_id, resolution, bucket, method, endpoint, status"


def _merge_set() -> str:
    """ON CONFLICT: counts add up, the maximum stays the maximum, bins add element-wise."""
    return (
        f"requests = {TABLE}.requests + EXCLUDED.requests, "  # noqa: S608 - names from the models
        f"errors = {TABLE}.errors + EXCLUDED.errors, "
        f"ms_sum = {TABLE}.ms_sum + EXCLUDED.ms_sum, "
        f"ms_max = GREATEST({TABLE}.ms_max, EXCLUDED.ms_max), "
        f"histogram = ARRAY(SELECT a + b FROM unnest({TABLE}.histogram, EXCLUDED.histogram) "
        "WITH ORDINALITY AS u(a, b, i) ORDER BY i)"
    )


def _insert_sql(rows: int) -> str:
    values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::int[])"] * rows)
    # Joined to the connectors: one deleted since the request must not fail the whole flush.
    return (
        f"INSERT INTO {TABLE} ({KEY_COLUMNS}, requests, errors, ms_sum, ms_max, histogram) "  # noqa: S608 - names from the models
        f"SELECT v.* FROM (VALUES {values}) AS v({KEY_COLUMNS}, requests, errors, ms_sum, "
        f"ms_max, histogram) JOIN {Connector._meta.db_table} c ON c.id = v.connector_id "
        f"ON CONFLICT ({KEY_COLUMNS}) DO UPDATE SET {_merge_set()}"
    )


def write(drained: dict[Hashable, Durations]) -> None:
    """Add drained counts to their hour rows, CHUNK rows per statement."""
    rows = []
    for (connector_id, hour, method, endpoint, status), d in drained.items():
        bucket = datetime.fromtimestamp(hour * 3600, tz=UTC)
        key = [connector_id, Resolution.HOUR, bucket, method, endpoint, status]
        rows.append([*key, d.count, d.errors, d.ms_sum, d.ms_max, d.bins])
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            cursor.execute(_insert_sql(len(chunk)), [v for row in chunk for v in row])


TALLY = Tally(write, interval=FLUSH_SECONDS)


def is_error(status: str) -> bool:
    return not status.isdigit() or int(status) >= 400


def record(*, connector_id: int, method: str, endpoint: str, status: str, duration_ms: float):
    """One finished request, added to this process's counts (no database access)."""
    hour = int(time.time() // 3600)
    TALLY.add((connector_id, hour, method, endpoint, status), duration_ms, error=is_error(status))


def flush(*, only_if_due: bool = False) -> int:
    """Write this process's counts; a failure is logged and the counts kept for the next try."""
    if not TALLY.pending or (only_if_due and not TALLY.due()):
        return 0
    if connection.in_atomic_block:
        return 0  # never inside the caller's transaction: its rollback would take them
    try:
        return TALLY.flush()
    except DatabaseError:
        logger.warning("analytics: request timings not written yet", exc_info=True)
        return 0


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Timing:
    requests: int
    errors: int
    mean_ms: float | None
    p95_ms: float | None

    @property
    def error_rate(self) -> float | None:
        return round(100 * self.errors / self.requests, 1) if self.requests else None


def _range_where(start: datetime, end: datetime, connector_id: int | None) -> tuple[str, dict]:
    where = "bucket >= %(start)s AND bucket < %(end)s"
    if connector_id is not None:
        where += " AND connector_id = %(connector)s"
    return where, {"start": start, "end": end, "connector": connector_id}


def timings_between(
    start: datetime,
    end: datetime,
    *,
    connector_id: int | None = None,
    by: tuple[str, ...] = ("connector_id",),
    params: dict | None = None,
) -> dict[tuple, Timing]:
    """Requests, errors, mean and p95 per group (``by``: columns or SQL expressions over
    ArrRequestStat, with their ``params``); one query.

    The totals (bin number 0) and the summed histogram bins (1..BINS) of each
    group come back as rows of one UNION ALL.
    """
    group = ", ".join(by)
    where, range_params = _range_where(start, end, connector_id)
    params = {**range_params, **(params or {})}
    sql = (
        f"SELECT {group}, 0, sum(requests), sum(errors), sum(ms_sum), max(ms_max) "  # noqa: S608 - fixed SQL
        f"FROM {TABLE} WHERE {where} GROUP BY {group} "
        f"UNION ALL SELECT {group}, h.i, sum(h.v), 0, 0, 0 FROM {TABLE} "
        f"CROSS JOIN LATERAL unnest(histogram) WITH ORDINALITY AS h(v, i) "
        f"WHERE {where} GROUP BY {group}, h.i"
    )
    width = len(list(by))
    bins: dict[tuple, list[int]] = {}
    totals: dict[tuple, tuple] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            key, index, values = tuple(row[:width]), row[width], row[width + 1 :]
            if index == 0:
                totals[key] = values
            elif index <= BINS:
                bins.setdefault(key, [0] * BINS)[index - 1] = int(values[0])
    found = {}
    for key, (requests, errors, ms_sum, ms_max) in totals.items():
        found[key] = Timing(
            requests=int(requests),
            errors=int(errors),
            mean_ms=round(ms_sum / requests, 1) if requests else None,
            p95_ms=percentile(bins.get(key, []), 0.95, ms_max=ms_max),
        )
    return found


def timings(sel: Selection, *, by: tuple[str, ...] = ("connector_id",)) -> dict[tuple, Timing]:
    """``timings_between`` for the analytics page's selection (``%(tz)s``: its time zone)."""
    return timings_between(
        sel.start, sel.end, connector_id=sel.connector_id, by=by, params={"tz": sel.tz.key}
    )


# --------------------------------------------------------------------------- roll-up


def rollup_sql() -> str:
    """Hours before the cutoff become days, in one statement (see analytics.rollup)."""
    day = "(date_trunc('day', bucket AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')"
    keys = "connector_id, bucket, method, endpoint, status"
    return f"""
        WITH gone AS (
            DELETE FROM {TABLE} WHERE resolution = %(hour)s AND bucket < %(cutoff)s
            RETURNING *
        ), days AS (
            SELECT connector_id, {day} AS bucket, method, endpoint, status, requests, errors,
                   ms_sum, ms_max, histogram
            FROM gone
        ), totals AS (
            SELECT {keys}, sum(requests)::int AS requests, sum(errors)::int AS errors,
                   sum(ms_sum) AS ms_sum, max(ms_max) AS ms_max
            FROM days GROUP BY {keys}
        ), bins AS (
            SELECT {keys}, h.i, sum(h.v)::int AS n
            FROM days CROSS JOIN LATERAL unnest(days.histogram) WITH ORDINALITY AS h(v, i)
            GROUP BY {keys}, h.i
        ), hist AS (
            SELECT {keys}, array_agg(n ORDER BY i) AS histogram FROM bins GROUP BY {keys}
        )
        INSERT INTO {TABLE} ({KEY_COLUMNS}, requests, errors, ms_sum, ms_max, histogram)
        SELECT t.connector_id, %(day)s, t.bucket, t.method, t.endpoint, t.status,
               t.requests, t.errors, t.ms_sum, t.ms_max, h.histogram
        FROM totals t JOIN hist h USING ({keys})
        ON CONFLICT ({KEY_COLUMNS}) DO UPDATE SET {_merge_set()}
    """  # noqa: S608 - names from the models
