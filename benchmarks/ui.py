"""Benchmark of the content browser's pages over a 500,000-episode mirror (embedded PostgreSQL).

    .venv/bin/python benchmarks/ui.py               # 5,000 series, 500,000 episodes
    .venv/bin/python benchmarks/ui.py --series 500  # smaller

The mirror is the sweep benchmark's (benchmarks/sweep.py, generated in SQL); on
top of it, search state for every missing or below-cutoff episode (queued,
searching, grabbed, cooldown, failed, exhausted, pending, spread by a hash) and
50 excluded series. Timed through Django's test client, signed in, the whole
request of /library/: the episode list under each sort in both directions,
first page and the pages after and before the row halfway down the list (by
cursor), each state filter, and combined filters. Each line: the median of 5
requests, and the number of queries (which tests/ui_engine/test_browse.py fixes).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from sweep import (  # noqa: E402
    build_mirror,
    counting_queries,
    kept_or_temporary_dir,
    machine,
    setup_django,
    signed_in_client,
)

RUNS = 5
#: Under this, a page counts as fast enough (issue 16).
BUDGET_MS = 300

STATE_SQL = """
INSERT INTO searchstate_searchregistry
    (created_at, updated_at, connector_id, search_type, episode_id, state, attempts,
     search_count, failure_category, priority, priority_breakdown, last_searched_at,
     next_eligible_at)
SELECT now(), now(), e.connector_id, CASE WHEN e.has_file THEN 'upgrade' ELSE 'gap' END, e.id,
       s.state, CASE WHEN s.state = 'exhausted' THEN 10 ELSE e.id %% 9 END, e.id %% 12,
       CASE WHEN s.state IN ('cooldown', 'exhausted') THEN 'no_results'
            WHEN s.state = 'failed' THEN 'timeout' ELSE '' END,
       (e.id %% 200) - 50, '{}'::jsonb,
       CASE WHEN s.state = 'pending' THEN NULL
            ELSE now() - ((e.id %% 720) || ' hours')::interval END,
       CASE WHEN s.state IN ('cooldown', 'grabbed_cooldown', 'failed')
            THEN now() + ((e.id %% 72) || ' hours')::interval END
FROM content_episode e
CROSS JOIN LATERAL (
    SELECT CASE abs(hashint4(e.id::integer)) %% 20
        WHEN 0 THEN 'queued' WHEN 1 THEN 'searching' WHEN 2 THEN 'failed'
        WHEN 3 THEN 'pending' WHEN 4 THEN 'pending'
        WHEN 5 THEN 'exhausted' WHEN 6 THEN 'exhausted' WHEN 7 THEN 'exhausted'
        ELSE 'cooldown' END AS state
) AS s
WHERE e.connector_id = %(c)s AND (NOT e.has_file OR e.quality_cutoff_not_met)
"""

# A grabbed item is a cooldown row without a failure category (queueing.outcomes).
GRABBED_SQL = """
UPDATE searchstate_searchregistry SET failure_category = ''
WHERE connector_id = %(c)s AND state = 'cooldown' AND id %% 7 = 0
"""

EXCLUDE_SQL = """
INSERT INTO searchstate_exclusion (created_at, updated_at, connector_id, series_id, note)
SELECT now(), now(), connector_id, id, 'benchmark'
FROM content_series WHERE connector_id = %(c)s AND arr_id %% 100 = 7
"""


def seed_state(connector) -> dict:
    from django.db import connection

    params = {"c": connector.pk}
    with connection.cursor() as cursor:
        cursor.execute(STATE_SQL, params)
        cursor.execute(GRABBED_SQL, params)
        cursor.execute(EXCLUDE_SQL, params)
        cursor.execute("ANALYZE searchstate_searchregistry, searchstate_exclusion")
        cursor.execute(
            "SELECT state, count(*) FROM searchstate_searchregistry GROUP BY state ORDER BY 1"
        )
        return dict(cursor.fetchall())


def library_of(connector) -> tuple[dict, dict]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE NOT has_file),"
            " count(*) FILTER (WHERE quality_cutoff_not_met)"
            " FROM content_episode WHERE connector_id = %s",
            [connector.pk],
        )
        total, gaps, upgrades = cursor.fetchone()
        cursor.execute(
            "SELECT state, count(*) FROM searchstate_searchregistry GROUP BY state ORDER BY 1"
        )
        states = dict(cursor.fetchall())
    return {"episodes": total, "missing": gaps, "cutoff_unmet": upgrades}, states


def timed(client, params: dict) -> tuple[float, int]:
    samples, queries = [], 0
    for _ in range(RUNS):
        with counting_queries() as counter:
            started = time.perf_counter()
            response = client.get("/library/", params)
            samples.append(time.perf_counter() - started)
        assert response.status_code == 200, response.content[:300]
        body = response.content.decode()
        assert "alert-warning" not in body, f"notice for {params}"
        queries = counter.count
    return statistics.median(samples) * 1000, queries


def middle_cursor(connector, sort: str, direction: str) -> str:
    """The cursor of the row halfway down the list in this order (a deep page).

    Found by the reference sort (web.browse_filters.sort_keys, every row sorted),
    which the walked pages follow row for row.
    """
    from django.utils import timezone

    from web import browse
    from web.browse_query import BrowseQuery, encode_cursor

    now = timezone.now()
    query = BrowseQuery(kind="episodes", sort=sort, direction=direction)
    keys = browse.sort_keys(browse.Episode, sort, now)
    names = [n for n, _, _ in keys]
    qs = browse.filtered(connector, query, now=now).annotate(**{n: e for n, e, _ in keys})
    order = [("-" if direction == "desc" else "") + n for n in [*names, "pk"]]
    total = qs.count()
    row = qs.order_by(*order).values(*names, "pk")[total // 2]
    return encode_cursor([row[n] for n in names] + [row["pk"]])


def main() -> int:
    global RUNS
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--series", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=RUNS, help="requests per line (median)")
    parser.add_argument(
        "--sorts", default="", help="comma-separated sorts to time (default: every one)"
    )
    parser.add_argument(
        "--data-dir", default=None, help="kept after the run, and reused if it holds a mirror"
    )
    args = parser.parse_args()
    RUNS = max(1, args.runs)
    setup_django(kept_or_temporary_dir(args.data_dir, "comradarr-bench-ui-"))

    from connectors.models import Connector
    from web.browse_query import SORTS

    started = time.perf_counter()
    connector = Connector.objects.filter(name="bench-sonarr").first()
    if connector is None:
        connector, library = build_mirror(args.series, 10)
        states = seed_state(connector)
    else:
        library, states = library_of(connector)
    build = time.perf_counter() - started
    client = signed_in_client()
    m = machine()
    print(f"machine: {m['nproc']} CPUs ({m['cpu']}), {m['ram_gb']} GB RAM, Python {m['python']}")
    print(
        f"library: {library['episodes']} episodes, {library['missing']} missing, "
        f"{library['cutoff_unmet']} below cutoff; built in {build:.0f} s"
    )
    print("registry rows: " + ", ".join(f"{k} {v}" for k, v in states.items()))
    base = {"connector": connector.pk, "type": "episodes"}
    worst = 0.0
    rows: list[tuple[str, float, int]] = []

    def measure(label: str, params: dict) -> None:
        nonlocal worst
        ms, queries = timed(client, {**base, **params})
        worst = max(worst, ms)
        rows.append((label, ms, queries))
        print(f"{label:44s} {ms:8.1f} ms  {queries:2d} queries", flush=True)

    measure("series list, first page", {"type": "series"})
    chosen = [s for s in args.sorts.split(",") if s] or list(SORTS)
    for sort in [s for s in SORTS if s in chosen]:
        for direction in ("asc", "desc"):
            measure(f"sort {sort} {direction}, first page", {"sort": sort, "dir": direction})
            cursor = middle_cursor(connector, sort, direction)
            measure(
                f"sort {sort} {direction}, middle page",
                {"sort": sort, "dir": direction, "after": cursor},
            )
            measure(
                f"sort {sort} {direction}, middle page backward",
                {"sort": sort, "dir": direction, "before": cursor},
            )
    for state in ("queued", "searching", "grabbed", "cooldown", "failed", "exhausted"):
        measure(f"state {state}", {"state": state})
    measure("state excluded", {"state": "excluded"})
    measure("state eligible (waiting for a sweep)", {"state": "eligible"})
    measure("state not eligible", {"state": "not_eligible"})
    measure("not eligible: not aired", {"state": "not_eligible", "reason": "not_aired"})
    measure("missing, sorted by attempts", {"filter": "missing", "sort": "attempts"})
    measure("exhausted of one series (search)", {"state": "exhausted", "q": "Series 4242"})
    measure("cutoff unmet, not monitored", {"filter": "cutoff", "monitored": "no"})
    measure(
        "cutoff unmet, not monitored, by attempts",
        {"filter": "cutoff", "monitored": "no", "sort": "attempts"},
    )
    measure(
        "monitored, profile 1, sorted by state", {"monitored": "yes", "profile": 1, "sort": "state"}
    )
    print(f"slowest page: {worst:.1f} ms (budget {BUDGET_MS} ms)")
    return 0 if worst < BUDGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
