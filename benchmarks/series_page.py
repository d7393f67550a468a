"""Benchmark of the series page (/library/series/<pk>/) over a 500,000-episode mirror.

    .venv/bin/python benchmarks/series_page.py               # 5,000 series, 500,000 episodes
    .venv/bin/python benchmarks/series_page.py --series 500  # smaller

The mirror and its search state are the content browser benchmark's
(benchmarks/ui.py). On top, one long runner: 40 seasons of 100 episodes,
half of them missing and exhausted. Timed through Django's test client,
signed in, the whole request: a few ordinary series (10 seasons of 10) and the
long runner. Each line: the median of 5 requests and the number of queries
(which tests/ui_engine/test_series_seasons.py fixes whatever the season count).
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
from ui import library_of, seed_state  # noqa: E402

# benchmarks/analytics.py would shadow the analytics app once Django imports it.
sys.path.remove(str(ROOT / "benchmarks"))

RUNS = 5
#: Under this, a page counts as fast enough (issue 16).
BUDGET_MS = 300
LONG_SEASONS = 40
LONG_EPISODES = 100

LONG_RUNNER_SQL = """
WITH s AS (
    INSERT INTO content_series
        (created_at, updated_at, connector_id, arr_id, title, sort_title, status, monitored,
         series_type, imdb_id, episode_file_count, episode_count, total_episode_count,
         size_on_disk, episodes_stale, quality_profile_id, year)
    VALUES (now(), now(), %(c)s, 9999999, 'Long Runner', 'long runner', 'continuing', true,
            'standard', '', 0, 0, 0, 0, false, 1, 1990)
    RETURNING id
), seasons AS (
    INSERT INTO content_season
        (series_id, season_number, monitored, episode_file_count, episode_count,
         total_episode_count, percent_of_episodes, size_on_disk, aired_episodes,
         missing_monitored_episodes, cutoff_unmet_episodes, unaired_episodes)
    SELECT s.id, n, true, 0, 0, 0, 0, 0, 0, 0, 0, 0
    FROM s, generate_series(0, %(seasons)s - 1) AS n
)
INSERT INTO content_episode
    (created_at, updated_at, connector_id, series_id, arr_id, season_number, episode_number,
     title, monitored, has_file, quality_name, quality_cutoff_not_met, air_date_utc)
SELECT now(), now(), %(c)s, s.id, 90000000 + n * 1000 + e, n, e, 'Episode ' || e, true,
       e %% 2 = 0, '', false, now() - ((%(seasons)s - n) * 200 || ' days')::interval
FROM s, generate_series(0, %(seasons)s - 1) AS n, generate_series(1, %(episodes)s) AS e
"""

EXHAUST_SQL = """
INSERT INTO searchstate_searchregistry
    (created_at, updated_at, connector_id, search_type, episode_id, state, attempts,
     search_count, failure_category, priority, priority_breakdown)
SELECT now(), now(), e.connector_id, 'gap', e.id, 'exhausted', 10, 10, 'no_results', 0, '{}'
FROM content_episode e JOIN content_series sr ON sr.id = e.series_id
WHERE sr.title = 'Long Runner' AND NOT e.has_file
ON CONFLICT DO NOTHING
"""


def long_runner(connector) -> int:
    from django.db import connection

    from content.models import Series

    found = Series.objects.filter(connector=connector, title="Long Runner").first()
    if found:
        return found.pk
    params = {"c": connector.pk, "seasons": LONG_SEASONS, "episodes": LONG_EPISODES}
    with connection.cursor() as cursor:
        cursor.execute(LONG_RUNNER_SQL, params)
        cursor.execute(EXHAUST_SQL)
        cursor.execute("ANALYZE content_episode, searchstate_searchregistry")
    return Series.objects.get(connector=connector, title="Long Runner").pk


def timed(client, pk: int) -> tuple[float, int]:
    samples, queries = [], 0
    client.get(f"/library/series/{pk}/")  # warm: the first request pays for imports
    for _ in range(RUNS):
        with counting_queries() as counter:
            started = time.perf_counter()
            response = client.get(f"/library/series/{pk}/")
            samples.append(time.perf_counter() - started)
        assert response.status_code == 200, response.content[:300]
        queries = counter.count
    return statistics.median(samples) * 1000, queries


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--series", type=int, default=5000)
    parser.add_argument(
        "--data-dir", default=None, help="kept after the run, and reused if it holds a mirror"
    )
    args = parser.parse_args()
    setup_django(kept_or_temporary_dir(args.data_dir, "comradarr-bench-series-"))

    from connectors.models import Connector
    from content.models import Series

    started = time.perf_counter()
    connector = Connector.objects.filter(name="bench-sonarr").first()
    if connector is None:
        connector, _ = build_mirror(args.series, 10)
        seed_state(connector)
    library, _ = library_of(connector)
    long_pk = long_runner(connector)
    build = time.perf_counter() - started
    client = signed_in_client()
    m = machine()
    print(f"machine: {m['nproc']} CPUs ({m['cpu']}), {m['ram_gb']} GB RAM, Python {m['python']}")
    print(f"library: {library['episodes']} episodes, built in {build:.0f} s")
    worst = 0.0
    picks = [1, args.series // 2, args.series - 7]  # the last of these is excluded (% 100 = 7)
    for arr_id in picks:
        series = Series.objects.get(connector=connector, arr_id=arr_id)
        ms, queries = timed(client, series.pk)
        worst = max(worst, ms)
        print(f"{series.title:14s} 10 seasons x 10       {ms:8.1f} ms  {queries:2d} queries")
    ms, queries = timed(client, long_pk)
    worst = max(worst, ms)
    shape = f"{LONG_SEASONS} seasons x {LONG_EPISODES}"
    print(f"{'Long Runner':14s} {shape:21s} {ms:8.1f} ms  {queries:2d} queries")
    print(f"slowest page: {worst:.1f} ms (budget {BUDGET_MS} ms)")
    return 0 if worst < BUDGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
