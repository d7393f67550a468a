"""Time series for the analytics charts: one GROUP BY over ConnectorStat or LibrarySnapshot.

Each function takes a Selection and returns a Table whose first column is the
bucket start (an aware datetime) and whose other columns are one chart series
each. Counter buckets without a row are zero; ratios without a denominator
are None (a gap in the line, never a false 0 %).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection

from analytics import arr_requests
from analytics.cards import daily_budget
from analytics.models import ConnectorStat, LibrarySnapshot
from analytics.ranges import Selection


@dataclass
class Table:
    columns: list[str]
    rows: Iterable[list] = field(default_factory=list)
    #: Per column after the first: "count" (missing buckets are 0), "percent" or "level"
    #: (missing buckets are gaps).
    kinds: list[str] = field(default_factory=list)


def _bucket_key(sel: Selection, column: str = "bucket") -> str:
    if sel.unit == "hour":
        return f"date_trunc('hour', {column})"
    return f"(date_trunc('day', {column} AT TIME ZONE %(tz)s) AT TIME ZONE %(tz)s)"


def _params(sel: Selection) -> dict:
    return {
        "start": sel.start,
        "end": sel.end,
        "tz": sel.tz.key,
        "connector": sel.connector_id,
    }


def _where(sel: Selection) -> str:
    where = "bucket >= %(start)s AND bucket < %(end)s"
    if sel.connector is not None:
        where += " AND connector_id = %(connector)s"
    return where


def _stat_rows(sel: Selection, expressions: list[str]) -> dict[datetime, tuple]:
    sql = (
        f"SELECT {_bucket_key(sel)} AS key, {', '.join(expressions)} "  # noqa: S608 - fixed SQL
        f"FROM {ConnectorStat._meta.db_table} WHERE {_where(sel)} GROUP BY 1"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, _params(sel))
        return {row[0]: row[1:] for row in cursor.fetchall()}


def _filled(sel: Selection, found: dict[datetime, tuple], width: int, kinds: list[str]):
    zero = tuple(0 if k == "count" else None for k in kinds[:width])
    for bucket in sel.buckets():
        values = found.get(bucket, zero)
        yield [bucket, *[float(v) if isinstance(v, float) else v for v in values]]


def _stat_table(sel: Selection, columns: list[tuple[str, str, str]]) -> Table:
    found = _stat_rows(sel, [expr for _, expr, _ in columns])
    kinds = [kind for _, _, kind in columns]
    return Table(
        columns=["time", *[label for label, _, _ in columns]],
        rows=list(_filled(sel, found, len(columns), kinds)),
        kinds=kinds,
    )


def _rate(num: str, den: str) -> str:
    return f"round((100.0 * sum({num}) / nullif(sum({den}), 0))::numeric, 1)::float"


def discovery(sel: Selection) -> Table:
    return _stat_table(
        sel,
        [
            ("Gaps discovered", "sum(gaps_discovered)::int", "count"),
            ("Upgrades discovered", "sum(upgrades_discovered)::int", "count"),
        ],
    )


def searches(sel: Selection) -> Table:
    return _stat_table(
        sel,
        [
            ("Commands", "sum(commands)::int", "count"),
            ("Items searched", "sum(items_searched)::int", "count"),
            ("Grabbed", "sum(grabbed)::int", "count"),
            ("No results", "sum(no_results)::int", "count"),
            ("Failed or timed out", "sum(failed + timeouts + connector_errors)::int", "count"),
            ("Success rate %", _rate("acquired_ours", "commands"), "percent"),
        ],
    )


def acquisitions(sel: Selection) -> Table:
    return _stat_table(
        sel,
        [
            ("Ours (after a search)", "sum(acquired_ours)::int", "count"),
            ("The app's RSS", "sum(acquired_rss)::int", "count"),
            ("Exhausted", "sum(exhausted)::int", "count"),
        ],
    )


def queue_depth(sel: Selection) -> Table:
    return _stat_table(
        sel,
        [
            (
                "Mean depth",
                "round((sum(queue_depth_sum)::numeric / nullif(sum(queue_depth_samples), 0)), 1)"
                "::float",
                "level",  # an hour without a sample is a gap, not 0
            ),
            ("Max depth", "max(queue_depth_max)::int", "count"),
        ],
    )


def queries(sel: Selection) -> Table:
    table = _stat_table(
        sel, [("Estimated indexer queries", "sum(estimated_queries)::int", "count")]
    )
    budget = daily_budget()
    if budget is None or sel.connector is not None:
        return table
    share = budget / 24 if sel.unit == "hour" else budget
    table.columns.append("Budget (current)")
    table.kinds.append("count")
    table.rows = [[*row, round(share, 1)] for row in table.rows]
    return table


def response_times(sel: Selection) -> Table:
    """Mean and p95 response time of every request to the apps, with requests and errors."""
    found = arr_requests.timings(sel, by=(_bucket_key(sel),))
    rows = []
    for bucket in sel.buckets():
        t = found.get((bucket,))
        if t is None:
            rows.append([bucket, None, None, 0, 0])
        else:
            rows.append([bucket, t.mean_ms, t.p95_ms, t.requests, t.errors])
    return Table(
        columns=["time", "Mean ms", "p95 ms", "Requests", "Errors"],
        rows=rows,
        kinds=["level", "level", "count", "count"],
    )


def completion(sel: Selection) -> Table:
    """Completion % per connector and content type: the last snapshot of every bucket."""
    key = _bucket_key(sel)
    sql = (
        f"SELECT DISTINCT ON (connector_id, content_type, {key}) {key}, "  # noqa: S608
        f"connector_id, content_type, have_file, missing_monitored "
        f"FROM {LibrarySnapshot._meta.db_table} WHERE {_where(sel)} "
        f"ORDER BY connector_id, content_type, {key}, bucket DESC"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, _params(sel))
        found = cursor.fetchall()
    from connectors.models import Connector

    names = dict(Connector.objects.values_list("pk", "name"))
    labels = dict(LibrarySnapshot.ContentType.choices)
    series = sorted({(cid, ctype) for _, cid, ctype, _, _ in found})
    index = {s: i for i, s in enumerate(series)}
    by_bucket: dict[datetime, list] = {}
    for bucket, cid, ctype, have, missing in found:
        values = by_bucket.setdefault(bucket, [None] * len(series))
        wanted = have + missing
        values[index[(cid, ctype)]] = round(100 * have / wanted, 1) if wanted else None
    rows = [[b, *by_bucket.get(b, [None] * len(series))] for b in sel.buckets()]
    return Table(
        columns=["time", *[f"{names.get(c, c)} · {labels.get(t, t)}" for c, t in series]],
        rows=rows if series else [],
        kinds=["percent"] * len(series),
    )
