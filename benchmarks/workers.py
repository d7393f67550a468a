"""Three dispatch workers racing on one queue: double dispatches and the limits fakearr sees.

    .venv/bin/python benchmarks/workers.py                    # 2,000 entries, 3 workers
    .venv/bin/python benchmarks/workers.py --entries 300 --per-minute 120 --json

A fakearr Radarr (real HTTP, wall-clock speed, so its clock and ours tick
together) is synced into a fresh embedded PostgreSQL and swept with a batch
size of 1, giving ``--entries`` queue entries of one movie each. Then
``--workers`` processes run ``manage.py process_queue --until-idle`` at once
against the same database, under a profile of ``--per-minute`` and
``--per-hour`` commands, no minimum interval and 30 commands in flight, so the
per-minute limit is what binds. Commands finish in fakearr within a fraction
of a second and find nothing (no grabs, so the download queue stays empty and
back-pressure never interferes).

Printed: entries dispatched, items dispatched twice (must be 0), entries
dispatched twice (must be 0), the highest number of search commands fakearr
received within any 60 s and any 3,600 s window (must not exceed the
profile's limits), wall time, and each worker's share.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(data_dir: str) -> None:
    os.environ["COMRADARR_DATA_DIR"] = data_dir
    os.environ.setdefault("SECRET_KEY", "benchmark-secret-key-that-is-long-enough-0123456789")
    os.environ.setdefault("LOG_LEVEL", "warning")
    os.environ.setdefault("LOG_FORMAT", "console")
    os.environ["DJANGO_SETTINGS_MODULE"] = "comradarr.settings"
    os.environ.pop("DEBUG", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def database_url() -> str:
    from django.db import connection

    connection.ensure_connection()
    s = connection.settings_dict
    return f"postgresql://{s['USER']}@{quote(str(s['HOST']), safe='')}:{s['PORT']}/{s['NAME']}"


def prepare(arr, entries: int, per_minute: int, per_hour: int):
    from connectors.models import Connector
    from content.models import SyncRun
    from content.sync import runner
    from queueing.models import ConnectorThrottle, RequestQueue, ThrottleProfile
    from queueing.sweep import sweep_connector

    connector = Connector.objects.create(
        name="bench-radarr", kind="radarr", url=arr.url, api_key=arr.api_key
    )
    run = runner.connector_sync(
        connector=connector, kind=SyncRun.Kind.FULL, trigger=SyncRun.Trigger.MANUAL
    )
    if run.status != SyncRun.Status.SUCCEEDED:
        raise SystemExit(f"sync failed: {run.error}")
    connector.refresh_from_db()
    profile = ThrottleProfile.objects.create(
        name="bench",
        commands_per_minute=per_minute,
        commands_per_hour=per_hour,
        min_interval_seconds=0,
        interval_jitter_seconds=0,
        max_in_flight=30,
        batch_size=1,
        daily_budget=1_000_000,
    )
    ConnectorThrottle.objects.update_or_create(connector=connector, defaults={"profile": profile})
    sweep_connector(connector=connector, item_limit=entries)
    queued = RequestQueue.objects.filter(connector=connector, status="queued").count()
    if queued < entries:
        raise SystemExit(f"only {queued} entries could be planned (library too small)")
    return connector, queued


def run_workers(count: int, url: str) -> tuple[list[dict], float]:
    env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "error"}
    started = time.monotonic()
    procs = [
        subprocess.Popen(
            [sys.executable, "manage.py", "process_queue", "--until-idle", "--json"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate()
        if proc.returncode != 0:
            raise SystemExit(f"a worker failed ({proc.returncode}): {err.strip()[-500:]}")
        last = json.loads(out.strip().splitlines()[-1])
        results.append({"ticks": len(out.strip().splitlines()) - 1, **last})
    return results, time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--per-minute", type=int, default=400, dest="per_minute")
    parser.add_argument("--per-hour", type=int, default=2000, dest="per_hour")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="comradarr-bench-workers-")
    atexit.register(shutil.rmtree, data_dir, ignore_errors=True)
    setup_django(data_dir)

    from queueing.models import DispatchLog, RequestQueue
    from searchstate.models import SearchHistory
    from tests.fakearr import FakeArr
    from tests.fakearr.simulation import SimConfig

    config = SimConfig(
        command_start_delay=0.0,
        command_duration=0.05,
        per_item_duration=0.0,
        grab_probability=0.0,
        upgrade_probability=0.0,
        season_pack_probability=0.0,
    )
    # About a third of a seeded Radarr library is searchable (missing or below cutoff).
    movies = max(200, int(args.entries * 3.5))
    with FakeArr.start("radarr", movies=movies, seed=11, speed=1, config=config) as arr:
        _connector, queued = prepare(arr, args.entries, args.per_minute, args.per_hour)
        workers, wall = run_workers(args.workers, database_url())
        received = [r for r in arr.commands_received if not r.deduplicated]
        per_item = Counter(i for r in received for i in r.items)
        per_entry = Counter(DispatchLog.objects.values_list("entry_id", flat=True))
        report = {
            "machine": f"{os.cpu_count()} CPUs, Python {platform.python_version()}",
            "entries": queued,
            "workers": args.workers,
            "limits": {"per_minute": args.per_minute, "per_hour": args.per_hour},
            "commands_received": len(received),
            "search_history_rows": SearchHistory.objects.count(),
            "entries_left": RequestQueue.objects.filter(
                status__in=["queued", "dispatched"]
            ).count(),
            "items_dispatched_twice": sum(1 for n in per_item.values() if n > 1),
            "entries_dispatched_twice": sum(1 for n in per_entry.values() if n > 1),
            "max_commands_60s": arr.max_commands_in_window(60),
            "max_commands_3600s": arr.max_commands_in_window(3600),
            "wall_seconds": round(wall, 1),
            "per_worker_dispatched": [w.get("totals", {}).get("dispatched") for w in workers],
            "per_worker_ticks": [w["ticks"] for w in workers],
        }
    ok = (
        report["items_dispatched_twice"] == 0
        and report["entries_dispatched_twice"] == 0
        and report["max_commands_60s"] <= args.per_minute
        and report["max_commands_3600s"] <= args.per_hour
    )
    report["ok"] = ok
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for key, value in report.items():
            print(f"{key:<26} {value}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
