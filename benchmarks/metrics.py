"""Benchmark of GET /metrics over a 500,000-episode mirror on the embedded PostgreSQL.

    .venv/bin/python benchmarks/metrics.py               # 5,000 series, 500,000 episodes
    .venv/bin/python benchmarks/metrics.py --series 500  # smaller

The mirror is the sweep benchmark's (benchmarks/sweep.py, generated in SQL),
with its library snapshot taken as analytics' collect job does, some search
history and API request durations. Timed through Django's test client with
the metrics token, the whole request: computed (cache cleared before each),
then cached; each the median of RUNS requests, with the SQL queries counted.
For reference, the live per-connector counts the collector used to run on
every computation (items, gaps, upgrades of the episode table) are timed too.
"""

from __future__ import annotations

import argparse
import atexit
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.sweep import build_mirror, counting_queries, machine, setup_django  # noqa: E402

RUNS = 9
TOKEN = "bench-metrics-token-0123456789abcdef0123"  # noqa: S105 - a throwaway install


def median_ms(fn, *, before=None) -> tuple[float, int]:
    samples, queries = [], 0
    for _ in range(RUNS):
        if before:
            before()
        with counting_queries() as counter:
            started = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - started)
        queries = counter.count
    return statistics.median(samples) * 1000, queries


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--series", type=int, default=5000)
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="comradarr-bench-metrics-")
    atexit.register(shutil.rmtree, data_dir, ignore_errors=True)
    setup_django(data_dir)
    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db.models import Count
    from django.test import Client
    from django.utils import timezone

    call_command("createcachetable", verbosity=0)  # as `serve` does: throttle and heartbeats
    from analytics import recording
    from api.metrics import CACHE_KEY
    from api.models import RequestDuration
    from content.models import Episode
    from searchstate.models import SearchHistory

    settings.ALLOWED_HOSTS = ["*"]
    settings.METRICS_TOKEN = TOKEN
    connector, library = build_mirror(args.series, 10)
    started = time.perf_counter()
    recording.snapshot_libraries()
    snapshot_ms = (time.perf_counter() - started) * 1000
    now = timezone.now()
    SearchHistory.objects.bulk_create(
        SearchHistory(
            connector=connector,
            connector_name=connector.name,
            command_name="EpisodeSearch",
            item_count=1,
            outcome=("grabbed", "no_results", "failed")[i % 3],
            items_grabbed=int(i % 3 == 0),
            dispatched_at=now,
        )
        for i in range(5000)
    )
    RequestDuration.objects.bulk_create(
        RequestDuration(
            method="GET", route=f"api:r{i}", status=200, requests=10, ms_sum=50, histogram=[10]
        )
        for i in range(20)
    )
    client = Client(headers={"Authorization": f"Bearer {TOKEN}"})
    assert client.get("/metrics").status_code == 200

    m = machine()
    print(f"machine: {m['nproc']} CPUs ({m['cpu']}), {m['ram_gb']} GB RAM, Python {m['python']}")
    print(f"library: {library['episodes']} episodes, {library['missing']} missing")
    print(f"snapshot (collect job, every 10 min)   {snapshot_ms:8.1f} ms")
    ms, queries = median_ms(lambda: client.get("/metrics"), before=lambda: cache.delete(CACHE_KEY))
    print(f"/metrics computed                       {ms:8.1f} ms  {queries} queries")
    ms, queries = median_ms(lambda: client.get("/metrics"))
    print(f"/metrics cached                         {ms:8.1f} ms  {queries} queries")

    def live_counts() -> None:
        for queryset in (
            Episode.objects.all(),
            Episode.objects.missing().monitored().aired(),
            Episode.objects.cutoff_unmet().monitored(),
        ):
            list(queryset.values_list("connector").annotate(n=Count("id")).order_by())

    ms, queries = median_ms(live_counts)
    print(f"reference: the old live episode counts  {ms:8.1f} ms  {queries} queries")
    return 0


if __name__ == "__main__":
    sys.exit(main())
