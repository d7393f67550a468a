"""Benchmark of the dashboard and every analytics endpoint on a year of data.

    .venv/bin/python benchmarks/analytics.py                 # 500,000 episodes, 5 connectors
    .venv/bin/python benchmarks/analytics.py --series 500    # smaller mirror

Data, generated in SQL on the embedded PostgreSQL: the 500,000-episode Sonarr
mirror of benchmarks/sweep.py (its generator, reused) plus four Radarr
connectors of 5,000 movies each; for all five, a year of hourly analytics rows
and hourly library snapshots (43,800 of each), 30 days of search history (one
command every two minutes per connector), a year of acquisitions and 100,000
registry rows. Each page and endpoint is requested ``--runs`` times through
Django's test client (signed in, DEBUG off); printed per request: p50 and p95
wall time and the SQL statements of one request. Then the same after the
roll-up turned the hours older than 30 days into days, and the recording jobs
(collect, snapshot, roll-up) themselves.
"""

from __future__ import annotations

import argparse
import atexit
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.sweep import build_mirror, counting_queries, machine, setup_django  # noqa: E402

MOVIES_SQL = """
INSERT INTO content_movie
    (created_at, updated_at, connector_id, arr_id, title, sort_title, status, monitored,
     minimum_availability, is_available, imdb_id, item_type, has_file, quality_name,
     quality_cutoff_not_met, added, digital_release, file_acquired_at)
SELECT now(), now(), %(c)s, m, 'Movie ' || m, 'movie ' || m, 'released', true, 'released',
       true, '', 'movie', (m %% 5 <> 0),
       CASE WHEN m %% 5 = 0 THEN '' WHEN m %% 3 = 0 THEN 'Bluray-1080p' ELSE 'WEBDL-1080p' END,
       (m %% 5 <> 0 AND m %% 40 = 0), now() - (m %% 3000 || ' days')::interval,
       now() - (m %% 2900 || ' days')::interval,
       CASE WHEN m %% 5 = 0 THEN NULL ELSE now() - interval '30 days' END
FROM generate_series(1, %(movies)s) AS m
"""

STATS_SQL = """
INSERT INTO analytics_connectorstat
    (connector_id, resolution, bucket, gaps_discovered, upgrades_discovered, commands,
     items_searched, estimated_queries, grabbed, no_results, failed, timeouts, connector_errors,
     acquired_ours, acquired_rss, exhausted, api_requests, api_errors, api_timed, api_ms_sum,
     api_ms_p95, queue_depth_sum, queue_depth_samples, queue_depth_max)
SELECT c.id, 'hour', date_trunc('hour', now()) - (h || ' hours')::interval,
       h %% 7, h %% 3, 30, 300, 90, 12, 15, 1, 1, 1, 8, 3, h %% 2, 200, h %% 50 / 49, 12,
       12 * 45.0, 80.0, 60 * (h %% 40), 60, h %% 40 + 5
FROM connectors_connector c, generate_series(0, 365 * 24 - 1) AS h
"""

SNAPSHOTS_SQL = """
INSERT INTO analytics_librarysnapshot
    (connector_id, resolution, bucket, content_type, items, have_file, missing_monitored,
     below_cutoff, gap_ages, taken_at)
SELECT c.id, 'hour', date_trunc('hour', now()) - (h || ' hours')::interval,
       CASE WHEN c.kind = 'sonarr' THEN 'episodes' ELSE 'movies' END,
       100000, 80000 + (365 * 24 - h) / 2, 20000 - (365 * 24 - h) / 2, 2000,
       '{"under a week": 100, "1 to 5 years": 19000}'::jsonb, now()
FROM connectors_connector c, generate_series(0, 365 * 24 - 1) AS h
"""

HISTORY_SQL = """
INSERT INTO searchstate_searchhistory
    (connector_id, connector_name, search_type, command_name, command_body, items, item_count,
     outcome, items_grabbed, message, dispatched_at, completed_at)
SELECT c.id, c.name, 'gap', 'EpisodeSearch', '{}'::jsonb,
       jsonb_build_array(jsonb_build_object('kind', 'episode', 'arr_id', m, 'title', 'Item ' || m)),
       10, CASE WHEN m %% 3 = 0 THEN 'grabbed' ELSE 'no_results' END, 0, '',
       now() - (m * 2 || ' minutes')::interval, now() - (m * 2 - 1 || ' minutes')::interval
FROM connectors_connector c, generate_series(1, 30 * 24 * 30) AS m
"""

ACQUISITIONS_SQL = """
INSERT INTO searchstate_acquisition
    (connector_id, search_type, title, acquired_at, searches, source, resolved_at)
SELECT c.id, 'gap', 'Item ' || a, now() - (a * 53 || ' minutes')::interval, 2,
       CASE WHEN a %% 4 = 0 THEN 'rss' ELSE 'search' END, now() - (a * 53 || ' minutes')::interval
FROM connectors_connector c, generate_series(1, 10000) AS a
"""

REGISTRY_SQL = """
INSERT INTO searchstate_searchregistry
    (created_at, updated_at, connector_id, search_type, episode_id, state, attempts,
     search_count, failure_category, priority, priority_breakdown, last_searched_at)
SELECT now(), now(), e.connector_id, 'gap', e.id,
       CASE WHEN e.id %% 17 = 0 THEN 'exhausted' ELSE 'cooldown' END,
       e.id %% 11, e.id %% 23, '', 0, '{}'::jsonb, now() - (e.id %% 720 || ' hours')::interval
FROM content_episode e WHERE NOT e.has_file LIMIT 100000
"""


def build(series: int, per_season: int) -> dict:
    from django.db import connection

    from connectors.models import Connector

    _sonarr, library = build_mirror(series, per_season)
    radarrs = [
        Connector.objects.create(
            name=f"bench-radarr-{n}", kind="radarr", url=f"http://127.0.0.1:{n}", api_key="k" * 32
        )
        for n in range(1, 5)
    ]
    with connection.cursor() as cursor:
        for r in radarrs:
            cursor.execute(MOVIES_SQL, {"c": r.pk, "movies": 5000})
        for sql in (STATS_SQL, SNAPSHOTS_SQL, HISTORY_SQL, ACQUISITIONS_SQL, REGISTRY_SQL):
            cursor.execute(sql, {})
        cursor.execute("ANALYZE")
        counts = {}
        for table in (
            "analytics_connectorstat",
            "analytics_librarysnapshot",
            "searchstate_searchhistory",
            "searchstate_acquisition",
            "searchstate_searchregistry",
            "content_movie",
        ):
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed names
            counts[table] = cursor.fetchone()[0]
    library.update(counts)
    library["connectors"] = 1 + len(radarrs)
    return library


class SlowQueries:
    """Each statement's time, to name the slowest of a request."""

    def __init__(self) -> None:
        self.times: list[tuple[float, str]] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.times.append(((time.perf_counter() - started) * 1000, sql[:90]))


def measure(client, url: str, runs: int) -> dict:
    from django.db import connection

    slow = SlowQueries()
    with counting_queries() as queries, connection.execute_wrapper(slow):
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "url": url,
        "queries": queries.count,
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[min(len(times) - 1, int(0.95 * len(times)))], 1),
        "slowest_sql": [f"{ms:.0f} ms {sql}" for ms, sql in sorted(slow.times, reverse=True)[:2]],
    }


def endpoints() -> list[str]:
    from django.urls import reverse

    from analytics.datasets import CHARTS, TABLES

    urls = [reverse("dashboard"), reverse("analytics:feed")]
    for preset in ("24h", "30d", "1y"):
        urls.append(f"{reverse('analytics:overview')}?range={preset}")
        urls += [f"{reverse('analytics:data', args=[d.name])}?range={preset}" for d in CHARTS]
    urls += [f"{reverse('analytics:table', args=[d.name])}?range=1y" for d in TABLES]
    urls += [f"{reverse('analytics:export', args=[d.name])}?range=1y" for d in (*CHARTS, *TABLES)]
    return urls


def timed(fn) -> dict:
    with counting_queries() as queries:
        started = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 2), "queries": queries.count, "result": str(result)[:120]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--series", type=int, default=5000)
    parser.add_argument("--episodes-per-season", type=int, default=10)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="comradarr-bench-analytics-")
    atexit.register(shutil.rmtree, data_dir, ignore_errors=True)
    setup_django(data_dir)
    started = time.perf_counter()
    library = build(args.series, args.episodes_per_season)
    library["build_seconds"] = round(time.perf_counter() - started, 1)

    from django.contrib.auth import get_user_model
    from django.test import Client

    from analytics import recording, rollup

    user = get_user_model().objects.create_superuser("bench", password=None)
    client = Client()
    client.force_login(user)
    hourly = [measure(client, url, args.runs) for url in endpoints()]
    jobs = {
        "collect (6 h window)": timed(lambda: recording.collect().as_dict()),
        "library snapshot": timed(recording.snapshot_libraries),
        "roll-up of 335 days": timed(lambda: rollup.rollup().as_dict()),
    }
    rolled = [measure(client, url, args.runs) for url in endpoints()]
    report = {
        "machine": machine(),
        "library": library,
        "runs": args.runs,
        "year_of_hourly_rows": hourly,
        "jobs": jobs,
        "after_rollup": rolled,
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    m = report["machine"]
    print(f"machine: {m['nproc']} CPUs ({m['cpu']}), {m['ram_gb']} GB RAM, Python {m['python']}")
    print(f"data: {json.dumps(library)}")
    for title, rows in (("a year of hourly rows", hourly), ("after the roll-up", rolled)):
        print(f"\n{title} ({args.runs} runs each):")
        for r in rows:
            print(
                f"  {r['url']:55s} p50 {r['p50_ms']:7.1f} ms  p95 {r['p95_ms']:7.1f} ms  "
                f"{r['queries']:3d} queries"
            )
            if r["p50_ms"] > 100:
                for line in r["slowest_sql"]:
                    print(f"      {line}")
    print("\njobs:")
    for name, j in jobs.items():
        print(f"  {name:22s} {j['seconds']:6.2f} s  {j['queries']:3d} queries  {j['result']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
