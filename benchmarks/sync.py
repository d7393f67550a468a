"""Benchmark of the library sync against fakearr on the embedded PostgreSQL.

    .venv/bin/python benchmarks/sync.py --kind sonarr --series 2000 --episodes-per-series 50
    .venv/bin/python benchmarks/sync.py --kind radarr --movies 20000
    .venv/bin/python benchmarks/sync.py --kind sonarr --series 200 --compare-upsert 50000

fakearr runs in its own process (benchmarks/fakearr_worker.py) so its work
neither shares our GIL nor counts in our RSS. Phases, in one run:

1. raw fetch (cold, in a child process): a plain requests loop that downloads
   and json-parses exactly the endpoints a full sync reads;
2. full sync into an empty mirror;
3. raw fetch again (warm, child process): the baseline the ratio uses;
4. incremental sync with nothing changed;
5. incremental sync after 1% of the episodes (or movies) changed: files gained,
   deleted or upgraded and monitored flags flipped.

Printed per phase: wall time, peak RSS so far (getrusage), SQL statements,
HTTP requests, items per second; then the ratios the targets are set on.
Peak RSS is the process's high-water mark (VmHWM, as getrusage's ru_maxrss).
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def cpu_seconds() -> float:
    """User + system CPU of this process (all threads) so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU of another process (the fakearr server), from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def peak_rss_mb() -> float:
    """Peak RSS of this process. VmHWM first: getrusage's ru_maxrss of a spawned
    child also counts the parent's peak at spawn time (Linux carries it over exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ----------------------------------------------------------------- raw fetch


def raw_fetch(url: str, api_key: str, shape: str, episode_file_mode: str) -> dict:
    """Download and parse what a full sync reads, with nothing else: the floor."""
    import requests

    session = requests.Session()
    session.headers.update({"X-Api-Key": api_key, "Accept": "application/json"})
    started = time.perf_counter()
    cpu_started = cpu_seconds()
    requests_made = 0
    items = 0

    def get(path: str, params=None):
        nonlocal requests_made
        requests_made += 1
        response = session.get(url + path, params=params, timeout=300)
        response.raise_for_status()
        return response.json()

    get("/api/v3/qualityprofile")
    if shape == "movies":
        items = len(get("/api/v3/movie"))
    else:
        for series in get("/api/v3/series"):
            if episode_file_mode == "embedded":
                episodes = get(
                    "/api/v3/episode", {"seriesId": series["id"], "includeEpisodeFile": "true"}
                )
            else:
                episodes = get("/api/v3/episode", {"seriesId": series["id"]})
                if any(e.get("episodeFileId") for e in episodes):
                    get("/api/v3/episodefile", {"seriesId": series["id"]})
            items += len(episodes)
    return {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": cpu_seconds() - cpu_started,
        "http_requests": requests_made,
        "items": items,
        "peak_rss_mb": peak_rss_mb(),
    }


def raw_fetch_in_child(url: str, api_key: str, shape: str, mode: str, server_pid: int) -> dict:
    server_cpu = process_cpu_seconds(server_pid)
    out = subprocess.run(
        [sys.executable, __file__, "--raw-only", url, api_key, shape, mode],
        check=True,
        capture_output=True,
        text=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["server_cpu_seconds"] = process_cpu_seconds(server_pid) - server_cpu
    return result


# ---------------------------------------------------------------- the sync


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


def run_phase(name: str, connector, kind: str, server_pid: int) -> dict:
    from content.sync.runner import connector_sync

    server_cpu = process_cpu_seconds(server_pid)
    cpu_started = cpu_seconds()
    started = time.perf_counter()
    with counting_queries() as queries:
        run = connector_sync(connector=connector, kind=kind, trigger="manual")
    seconds = time.perf_counter() - started
    cpu = cpu_seconds() - cpu_started
    if run is None or run.status != "succeeded":
        raise SystemExit(f"{name} failed: {run.error if run else 'skipped'}")
    return {
        "phase": name,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "server_cpu_seconds": process_cpu_seconds(server_pid) - server_cpu,
        "peak_rss_mb": peak_rss_mb(),
        "sql_queries": queries.count,
        "http_requests": run.http_requests,
        "items": run.items_seen,
        "series_fetched": run.series_fetched,
        "added": run.added,
        "updated": run.updated,
        "removed": run.removed,
        "items_per_second": run.items_seen / seconds if seconds else 0.0,
    }


def compare_upsert(rows: int) -> dict:
    """COPY into a stage vs unnest arrays (one statement per batch) vs executemany."""
    from datetime import UTC, datetime, timedelta

    from django.db import transaction

    from benchmarks import upsert_variants
    from connectors.common.types import EpisodeData
    from connectors.models import Connector
    from content.models import Episode, Series
    from content.sync import upsert
    from content.sync.common import EPISODE_BATCH

    now = datetime.now(UTC)
    results = {}
    for method in ("copy", "unnest", "executemany"):
        connector = Connector.objects.create(
            name=f"upsert-{method}", kind="sonarr", url="http://x", api_key="k" * 32
        )
        series = Series.objects.create(connector=connector, arr_id=1, title="s")

        def data(version: int, *, series=series):
            return [
                (
                    series.pk,
                    EpisodeData(
                        arr_id=i,
                        series_arr_id=1,
                        season_number=i // 100,
                        episode_number=i % 100,
                        title=f"Episode {i} v{version}",
                        air_date_utc=now - timedelta(days=i % 900),
                        release_date=None,
                        monitored=True,
                        has_file=bool(i % 2),
                        episode_file_id=i if i % 2 else None,
                        quality_name="HDTV-720p" if i % 2 else None,
                        quality_resolution=720 if i % 2 else None,
                        quality_cutoff_not_met=bool(i % 3 == 0 and i % 2),
                        custom_format_score=None,
                        last_search_time=None,
                    ),
                )
                for i in range(1, rows + 1)
            ]

        timings = {}
        for label, version in (("insert", 1), ("update", 2)):
            batch = data(version)
            started = time.perf_counter()
            for start in range(0, len(batch), EPISODE_BATCH):
                chunk = batch[start : start + EPISODE_BATCH]
                with transaction.atomic():
                    if method != "executemany":
                        upsert.upsert_episodes(
                            connector_id=connector.pk, rows=chunk, now=now, method=method
                        )
                    else:
                        upsert_variants.upsert_episodes_executemany(
                            connector_id=connector.pk, rows=chunk, now=now
                        )
            timings[label] = time.perf_counter() - started
        assert Episode.objects.filter(connector=connector).count() == rows
        results[method] = timings
        connector.delete()
    return results


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--kind", default="sonarr", help="sonarr | radarr | whisparr_v2 | whisparr_v3"
    )
    parser.add_argument("--series", type=int, default=2000)
    parser.add_argument("--episodes-per-series", type=int, default=50)
    parser.add_argument("--movies", type=int, default=20000)
    parser.add_argument("--changed", type=float, default=0.01, help="fraction changed")
    parser.add_argument("--compare-upsert", type=int, default=0, metavar="ROWS")
    parser.add_argument("--data-dir", default=None, help="default: a fresh temporary dir")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--raw-only", nargs=4, metavar=("URL", "KEY", "SHAPE", "MODE"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()

    if args.raw_only:
        print(json.dumps(raw_fetch(*args.raw_only)))
        return 0

    data_dir = args.data_dir
    if not data_dir:
        data_dir = tempfile.mkdtemp(prefix="comradarr-bench-sync-")
        # Registered before the embedded server's own exit hook: runs after it stopped.
        atexit.register(shutil.rmtree, data_dir, ignore_errors=True)
    setup_django(data_dir)
    rss_after_setup = peak_rss_mb()

    worker = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "fakearr_worker.py"),
            "--kind",
            args.kind,
            "--series",
            str(args.series),
            "--episodes-per-series",
            str(args.episodes_per_series),
            "--movies",
            str(args.movies),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        info = json.loads(worker.stdout.readline())
        from connectors.common.capabilities import capabilities_for
        from connectors.models import Connector

        connector = Connector.objects.create(
            name=f"bench-{args.kind}",
            kind=info["kind"],
            url=info["url"],
            api_key=info["api_key"],
            app_version=info["version"],
        )
        caps = capabilities_for(connector.kind, connector.app_version)
        mode = "embedded" if caps.include_episode_file else "separate"
        phases = []
        pid = worker.pid
        raw_cold = raw_fetch_in_child(info["url"], info["api_key"], caps.shape, mode, pid)
        phases.append(run_phase("full", connector, "full", pid))
        raw = raw_fetch_in_child(info["url"], info["api_key"], caps.shape, mode, pid)
        phases.append(run_phase("incremental, no change", connector, "incremental", pid))
        worker.stdin.write(f"mutate {args.changed} 7\n")
        worker.stdin.flush()
        mutated = json.loads(worker.stdout.readline())
        phases.append(
            run_phase(f"incremental, {args.changed:.0%} changed", connector, "incremental", pid)
        )
        upsert_comparison = compare_upsert(args.compare_upsert) if args.compare_upsert else None
    finally:
        if worker.stdin:
            worker.stdin.write("quit\n")
            worker.stdin.close()
        worker.wait(timeout=30)

    full, nochange = phases[0], phases[1]
    report = {
        "library": info["summary"],
        "app": f"{args.kind} {info['version']}",
        "machine": machine(),
        "rss_after_django_setup_mb": rss_after_setup,
        "raw_fetch_cold": raw_cold,
        "raw_fetch": raw,
        "phases": phases,
        "mutation": mutated,
        "load_average": os.getloadavg(),
        "ratios": {
            "full_over_raw_fetch": full["seconds"] / raw["seconds"],
            "full_over_raw_fetch_cpu": full["cpu_seconds"] / raw["cpu_seconds"],
            "nochange_incremental_over_full": nochange["seconds"] / full["seconds"],
            # For movie apps the raw fetch is (quality profiles and) the /movie list:
            # what an incremental sync must download, so this is its floor.
            "nochange_incremental_over_raw_fetch": nochange["seconds"] / raw["seconds"],
        },
        "upsert_comparison": upsert_comparison,
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report)
    return 0


def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except OSError:
        mem_kb = 0
    return {
        "nproc": os.cpu_count(),
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "cpu": model,
        "python": sys.version.split()[0],
    }


def print_report(r: dict) -> None:
    m = r["machine"]
    print(f"machine: {m['nproc']} CPUs ({m['cpu']}), {m['ram_gb']} GB RAM, Python {m['python']}")
    print(f"app: {r['app']}; library: {r['library']}")
    print(f"RSS after Django setup: {r['rss_after_django_setup_mb']:.0f} MB")
    for label, raw in (("raw fetch (cold)", r["raw_fetch_cold"]), ("raw fetch", r["raw_fetch"])):
        print(
            f"{label:28s} {raw['seconds']:8.2f}s {raw['cpu_seconds']:7.2f}s "
            f"{raw['server_cpu_seconds']:7.2f}s {raw['peak_rss_mb']:7.0f}MB (child) "
            f"{raw['http_requests']:6d} {raw['items']:8d}"
        )
    header = (
        f"{'phase':28s} {'wall':>9s} {'CPU':>8s} {'server':>8s} {'peak RSS':>9s} "
        f"{'SQL':>6s} {'HTTP':>6s} {'items':>8s} {'items/s':>9s}  added/updated/removed"
    )
    print(header)
    for p in r["phases"]:
        print(
            f"{p['phase']:28s} {p['seconds']:8.2f}s {p['cpu_seconds']:7.2f}s "
            f"{p['server_cpu_seconds']:7.2f}s {p['peak_rss_mb']:7.0f}MB "
            f"{p['sql_queries']:6d} {p['http_requests']:6d} {p['items']:8d} "
            f"{p['items_per_second']:9.0f}  {p['added']}/{p['updated']}/{p['removed']}"
        )
    print(
        f"mutation: {r['mutation']}; load average at the end: "
        + ", ".join(f"{x:.2f}" for x in r["load_average"])
    )
    ratios = r["ratios"]
    print(
        f"full sync / raw fetch: {ratios['full_over_raw_fetch']:.2f}x wall (target <= 1.5x), "
        f"{ratios['full_over_raw_fetch_cpu']:.2f}x in this process's CPU"
    )
    print(
        f"no-change incremental / full: {ratios['nochange_incremental_over_full']:.1%} "
        "(target <= 10%)"
    )
    print(
        "no-change incremental / raw fetch: "
        f"{ratios['nochange_incremental_over_raw_fetch']:.2f}x wall"
    )
    if r["upsert_comparison"]:
        for method, t in r["upsert_comparison"].items():
            print(f"upsert {method:12s} insert {t['insert']:.2f}s  update {t['update']:.2f}s")


if __name__ == "__main__":
    sys.exit(main())
