"""The ledger queries behind the counters: one GROUP BY per source table.

Each source is a SELECT that yields ``connector_id, bucket`` and the counter
columns it owns, for the ledger rows whose time falls in ``[since, until)``,
bucketed by ``unit`` (hour or day, in UTC). analytics.recording merges them
into ConnectorStat. Kept apart so the SQL (the only place that knows which
ledger column feeds which counter) reads in one page.
"""

from __future__ import annotations

from dataclasses import dataclass

from connectors.models import ConnectorHealthCheck
from content.models import SyncRun
from queueing.models import RequestQueue
from searchstate.models import Acquisition, SearchHistory, SearchRegistry


def bucket_sql(column: str) -> str:
    """The UTC hour or day a timestamp falls in, whatever the session's time zone."""
    return f"(date_trunc(%(unit)s, {column} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')"


@dataclass(frozen=True)
class Source:
    name: str
    columns: tuple[str, ...]
    select: str  # yields connector_id, bucket, *columns; params unit, since, until


def _t(model) -> str:
    return model._meta.db_table


# Outcomes are counted in the hour the command was dispatched, so an hour's
# success rate compares its searches with what became of them.
HISTORY = Source(
    "search history",
    (
        "commands",
        "items_searched",
        "estimated_queries",
        "grabbed",
        "no_results",
        "failed",
        "timeouts",
        "connector_errors",
    ),
    f"""
    SELECT h.connector_id, {bucket_sql("h.dispatched_at")} AS bucket,
           count(*), coalesce(sum(h.item_count), 0),
           coalesce(sum(coalesce(q.estimated_queries, 1)), 0),
           count(*) FILTER (WHERE h.outcome = 'grabbed'),
           count(*) FILTER (WHERE h.outcome = 'no_results'),
           count(*) FILTER (WHERE h.outcome = 'failed'),
           count(*) FILTER (WHERE h.outcome = 'timeout'),
           count(*) FILTER (WHERE h.outcome IN ('connector_error', 'rate_limited', 'auth_rejected'))
    FROM {_t(SearchHistory)} h
    LEFT JOIN {_t(RequestQueue)} q ON q.history_id = h.id
    WHERE h.connector_id IS NOT NULL
      AND h.dispatched_at >= %(since)s AND h.dispatched_at < %(until)s
    GROUP BY 1, 2
    """,  # noqa: S608 - names from the models
)

ACQUISITIONS = Source(
    "acquisitions",
    ("acquired_ours", "acquired_rss"),
    f"""
    SELECT connector_id, {bucket_sql("acquired_at")} AS bucket,
           count(*) FILTER (WHERE source = 'search'), count(*) FILTER (WHERE source = 'rss')
    FROM {_t(Acquisition)}
    WHERE acquired_at >= %(since)s AND acquired_at < %(until)s
    GROUP BY 1, 2
    """,  # noqa: S608 - names from the models
)

# A registry row is created the first time discovery selects the item: "discovered".
# Live counts come from sweep_completed (exact: resolution deletes registry rows later);
# this source only backfills the rows still there on a fresh install.
DISCOVERIES = Source(
    "discoveries",
    ("gaps_discovered", "upgrades_discovered"),
    f"""
    SELECT connector_id, {bucket_sql("created_at")} AS bucket,
           count(*) FILTER (WHERE search_type = 'gap'),
           count(*) FILTER (WHERE search_type = 'upgrade')
    FROM {_t(SearchRegistry)}
    WHERE created_at >= %(since)s AND created_at < %(until)s
    GROUP BY 1, 2
    """,  # noqa: S608 - names from the models
)

# Requests to the app, from the ledgers that already count or time them: a sync
# run counts its requests, a health check times its one request, a command is one POST.
API = Source(
    "api requests",
    ("api_requests", "api_errors", "api_timed", "api_ms_sum", "api_ms_p95"),
    f"""
    SELECT connector_id, {bucket_sql("at")} AS bucket,
           sum(requests), sum(errors), count(latency), coalesce(sum(latency), 0),
           percentile_cont(0.95) WITHIN GROUP (ORDER BY latency)
    FROM (
        SELECT connector_id, started_at AS at, http_requests AS requests, 0 AS errors,
               NULL::float AS latency
        FROM {_t(SyncRun)}
        WHERE started_at >= %(since)s AND started_at < %(until)s
        UNION ALL
        SELECT connector_id, checked_at, 1,
               CASE WHEN status IN ('offline', 'unhealthy') THEN 1 ELSE 0 END,
               latency_ms::float
        FROM {_t(ConnectorHealthCheck)}
        WHERE checked_at >= %(since)s AND checked_at < %(until)s
        UNION ALL
        SELECT connector_id, dispatched_at, 1, 0, NULL
        FROM {_t(SearchHistory)}
        WHERE connector_id IS NOT NULL
          AND dispatched_at >= %(since)s AND dispatched_at < %(until)s
    ) requests
    GROUP BY 1, 2
    """,  # noqa: S608 - names from the models
)

SOURCES: tuple[Source, ...] = (HISTORY, ACQUISITIONS, API)
BACKFILL_SOURCES: tuple[Source, ...] = (*SOURCES, DISCOVERIES)
