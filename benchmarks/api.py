"""Benchmark of the JSON API over a 500,000-episode mirror on the embedded PostgreSQL.

    .venv/bin/python benchmarks/api.py               # 5,000 series, 500,000 episodes
    .venv/bin/python benchmarks/api.py --series 500  # smaller

The mirror is the sweep benchmark's (benchmarks/sweep.py, generated in SQL).
Timed through Django's test client with a read-only key, the whole request:
/api/v1/status with its library counts uncached and then cached, /metrics the
same way, and the
library pages of the Sonarr connector (first, missing filter, and page after
page deep into the list by cursor). Each line: the median of 5 requests.
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
sys.path.insert(0, str(ROOT / "benchmarks"))

from sweep import build_mirror, machine, setup_django  # noqa: E402

RUNS = 5


def timed(client, path: str, params=None, *, before=None) -> tuple[float, dict]:
    samples, body = [], {}
    for _ in range(RUNS):
        if before:
            before()
        started = time.perf_counter()
        response = client.get(path, params or {})
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, response.content[:300]
        body = response.json()
    return statistics.median(samples) * 1000, body


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--series", type=int, default=5000)
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="comradarr-bench-api-")
    atexit.register(shutil.rmtree, data_dir, ignore_errors=True)
    setup_django(data_dir)
    from django.conf import settings
    from django.core.management import call_command

    call_command("createcachetable", verbosity=0)  # as `serve` does: the throttle counts there
    from django.core.cache import cache
    from django.test import Client

    from api import keys
    from api.summary import CACHE_KEY
    from api.throttling import PerKeyThrottle

    settings.ALLOWED_HOSTS = ["*"]
    PerKeyThrottle.THROTTLE_RATES = {"api_key": "100000/min"}
    connector, library = build_mirror(args.series, 10)
    raw = keys.create_key(name="bench").raw
    client = Client(headers={"X-Api-Key": raw})
    m = machine()
    print(f"machine: {m['nproc']} CPUs ({m['cpu']}), {m['ram_gb']} GB RAM, Python {m['python']}")
    print(f"library: {library['episodes']} episodes, {library['missing']} missing")
    base = f"/api/v1/connectors/{connector.pk}/library"
    ms, body = timed(client, "/api/v1/status", before=lambda: cache.delete(CACHE_KEY))
    print(f"status, counts uncached   {ms:8.1f} ms  gaps {body['library']['gaps']}")
    ms, _ = timed(client, "/api/v1/status")
    print(f"status, counts cached     {ms:8.1f} ms")
    ms, _ = timed(client, base, {"limit": 100})
    print(f"library first page (100)  {ms:8.1f} ms")
    ms, _ = timed(client, base, {"limit": 100, "filter": "missing"})
    print(f"library missing (100)     {ms:8.1f} ms")
    cursor, pages = None, 0
    while pages < 40:  # 40 pages of 100 series: the cursor walks 4,000 series in
        page = client.get(base, {"limit": 100, **({"cursor": cursor} if cursor else {})}).json()
        cursor, pages = page["next_cursor"], pages + 1
        if not cursor:
            break
    if cursor:
        ms, _ = timed(client, base, {"limit": 100, "cursor": cursor})
        print(f"library page {pages + 1} (100)     {ms:8.1f} ms")
    ms, _ = timed(client, "/api/v1/history", {"limit": 500})
    print(f"history (500)             {ms:8.1f} ms")
    from api.metrics import CACHE_KEY as METRICS_KEY

    for label, before in (("uncached", lambda: cache.delete(METRICS_KEY)), ("cached", None)):
        samples = []
        for _ in range(RUNS):
            if before:
                before()
            started = time.perf_counter()
            response = client.get("/metrics")
            samples.append(time.perf_counter() - started)
            assert response.status_code == 200
        print(f"/metrics, {label:10s}      {statistics.median(samples) * 1000:8.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
