"""Benchmark of a full sweep (resolution, discovery, planning, queueing) on the embedded PostgreSQL.

    .venv/bin/python benchmarks/sweep.py                       # 500,000 episodes, ~100,000 gaps
    .venv/bin/python benchmarks/sweep.py --series 500 --json   # smaller

The mirror is generated straight in SQL (INSERT .. SELECT generate_series), so
the benchmark measures the sweep, not a sync. Library shape, per series: 10
seasons of ``--episodes-per-season`` episodes, all aired long ago except the
last season of one series in ten (airing: half its episodes in the future).
Gaps: about one season in twelve is missing entirely (season packs), and 13%
of the other episodes are missing here and there (episode batches); 2% of
files are below cutoff (upgrades); one series in fifty is unmonitored.

Phases, in one run: a dry run (the plan's size), the sweep that queues it,
then a second sweep that must find everything already queued. Printed per
phase: wall time, SQL statements, peak RSS of the process so far.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


@contextmanager
def counting_queries():
    from django.db import connection

    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        yield counter


def setup_django(data_dir: str) -> None:
    os.environ["COMRADARR_DATA_DIR"] = data_dir
    os.environ.setdefault("SECRET_KEY", "benchmark-secret-key-that-is-long-enough-0123456789")
    os.environ.setdefault("LOG_LEVEL", "warning")
    os.environ.setdefault("LOG_FORMAT", "console")
    os.environ["DJANGO_SETTINGS_MODULE"] = "comradarr.settings"
    os.environ.pop("DEBUG", None)  # DEBUG keeps every query in memory
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


SERIES_SQL = """
INSERT INTO content_series
    (created_at, updated_at, connector_id, arr_id, title, sort_title, status, monitored,
     series_type, imdb_id, episode_file_count, episode_count, total_episode_count,
     size_on_disk, episodes_stale, quality_profile_id, year)
SELECT now(), now(), %(c)s, s, 'Series ' || s, 'series ' || s, 'ended', (s %% 50 <> 0),
       'standard', '', 0, 0, 0, 0, false, 1, 2000 + s %% 25
FROM generate_series(1, %(series)s) AS s
"""

SEASON_SQL = """
INSERT INTO content_season
    (series_id, season_number, monitored, episode_file_count, episode_count,
     total_episode_count, percent_of_episodes, size_on_disk, aired_episodes,
     missing_monitored_episodes, cutoff_unmet_episodes, unaired_episodes)
SELECT sr.id, n, true, 0, 0, 0, 0, 0, 0, 0, 0, 0
FROM content_series sr, generate_series(1, 10) AS n
WHERE sr.connector_id = %(c)s
"""

# Episode arr id = (series arr id - 1) * 10 * per_season + (season - 1) * per_season + number.
EPISODE_SQL = """
INSERT INTO content_episode
    (created_at, updated_at, connector_id, series_id, arr_id, season_number, episode_number,
     title, monitored, has_file, quality_name, quality_cutoff_not_met, air_date_utc,
     file_acquired_at, cutoff_met_at)
SELECT now(), now(), %(c)s, sr.id,
       (sr.arr_id - 1) * 10 * %(per)s + (n - 1) * %(per)s + e,
       n, e, 'Episode ' || e, true, NOT g.missing, CASE WHEN g.missing THEN '' ELSE 'HDTV-720p' END,
       (NOT g.missing AND g.h %% 50 = 0),
       CASE WHEN sr.arr_id %% 10 = 0 AND n = 10 AND e > %(per)s / 2
            THEN now() + (e || ' days')::interval
            ELSE now() - ((sr.arr_id %% 3000) || ' days')::interval
                       - ((10 - n) * 120 || ' days')::interval + (e || ' days')::interval END,
       CASE WHEN g.missing THEN NULL ELSE now() - interval '30 days' END,
       CASE WHEN g.missing OR g.h %% 50 = 0 THEN NULL ELSE now() - interval '30 days' END
FROM content_series sr
CROSS JOIN generate_series(1, 10) AS n
CROSS JOIN generate_series(1, %(per)s) AS e
CROSS JOIN LATERAL (
    SELECT h, ((sr.arr_id * 10 + n) %% 12 = 0 OR h %% 100 < 13) AS missing
    FROM (SELECT abs(hashint4(sr.arr_id * 1000 + n * 100 + e)) AS h) AS hh
) AS g
WHERE sr.connector_id = %(c)s
"""


def kept_or_temporary_dir(data_dir: str | None, prefix: str) -> str:
    """``data_dir`` as given (kept, and reused by the next run), or a temporary one removed at exit."""
    if data_dir is not None:
        return data_dir
    data_dir = tempfile.mkdtemp(prefix=prefix)
    # Registered before the embedded server's own exit hook, so it runs after it stopped.
    atexit.register(shutil.rmtree, data_dir, ignore_errors=True)
    return data_dir


def signed_in_client():
    """A test client signed in as the benchmark's superuser, for timing whole page requests."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    users = get_user_model().objects
    user = users.filter(username="bench").first() or users.create_superuser("bench", password=None)
    client = Client()
    client.force_login(user)
    return client


def build_mirror(series: int, per_season: int):
    from django.db import connection

    from connectors.models import Connector
    from content.models import QualityProfile

    connector = Connector.objects.create(
        name="bench-sonarr",
        kind="sonarr",
        url="http://127.0.0.1:1",
        api_key="k" * 32,
        health_status=Connector.Health.HEALTHY,
    )
    QualityProfile.objects.create(connector=connector, arr_id=1, name="HD", upgrade_allowed=True)
    params = {"c": connector.pk, "series": series, "per": per_season}
    with connection.cursor() as cursor:
        cursor.execute(SERIES_SQL, params)
        cursor.execute(SEASON_SQL, params)
        cursor.execute(EPISODE_SQL, params)
        cursor.execute("ANALYZE content_series, content_season, content_episode")
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE NOT has_file),"
            " count(*) FILTER (WHERE quality_cutoff_not_met)"
            " FROM content_episode WHERE connector_id = %s",
            [connector.pk],
        )
        total, gaps, upgrades = cursor.fetchone()
    return connector, {"episodes": total, "missing": gaps, "cutoff_unmet": upgrades}


def run_phase(name: str, connector, *, dry_run: bool) -> dict:
    from queueing.sweep import sweep_connector

    started = time.perf_counter()
    with counting_queries() as queries:
        result = sweep_connector(connector=connector, dry_run=dry_run, downloading=frozenset())
    seconds = time.perf_counter() - started
    commands: dict[str, int] = {}
    for entry in result.plan.entries:
        commands[entry.command] = commands.get(entry.command, 0) + 1
    return {
        "phase": name,
        "status": result.status,
        "seconds": round(seconds, 2),
        "queries": queries.count,
        "peak_rss_mb": round(peak_rss_mb()),
        "found": result.found,
        "selected": result.selected,
        "queued": result.queued,
        "entries": result.entries,
        "commands": commands,
        "skipped": dict(result.skipped),
        "queries_per_1000_items": round(queries.count / max(1, result.selected) * 1000, 2),
    }


def machine() -> dict:
    model = ""
    mem_kb = 0
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "cpu": model,
        "python": sys.version.split()[0],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--series", type=int, default=5000)
    parser.add_argument("--episodes-per-season", type=int, default=10)
    parser.add_argument("--data-dir", default=None, help="default: a fresh temporary dir")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    setup_django(kept_or_temporary_dir(args.data_dir, "comradarr-bench-sweep-"))
    rss_setup = peak_rss_mb()
    started = time.perf_counter()
    connector, library = build_mirror(args.series, args.episodes_per_season)
    library["build_seconds"] = round(time.perf_counter() - started, 1)

    phases = [
        run_phase("dry run", connector, dry_run=True),
        run_phase("full sweep", connector, dry_run=False),
        run_phase("second sweep", connector, dry_run=False),
    ]
    report = {
        "machine": machine(),
        "library": library,
        "rss_after_django_setup_mb": round(rss_setup),
        "phases": phases,
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    m = report["machine"]
    print(f"machine: {m['nproc']} CPUs ({m['cpu']}), {m['ram_gb']} GB RAM, Python {m['python']}")
    print(
        f"library: {library['episodes']} episodes, {library['missing']} missing, "
        f"{library['cutoff_unmet']} below cutoff (built in {library['build_seconds']} s)"
    )
    print(f"RSS after Django setup: {rss_setup:.0f} MB")
    for p in phases:
        print(
            f"{p['phase']:13s} {p['seconds']:7.2f} s  {p['queries']:4d} queries  "
            f"peak RSS {p['peak_rss_mb']:4d} MB  found {p['found']}  selected {p['selected']}  "
            f"entries {p['entries']}  {p['commands']}"
        )
        print(f"{'':13s} skipped {p['skipped']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
