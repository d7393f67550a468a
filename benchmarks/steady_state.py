"""What a no-change hour of incremental syncs costs the *arr apps, before and after issue 11 point 6.

    .venv/bin/python benchmarks/steady_state.py [--movies 2000] [--series 200]
        [--episodes-per-series 20] [--syncs 4] [--seed 5] [--json]

A fakearr Radarr (2,000 movies) and Sonarr (200 series) are mirrored by a full
sync, then nothing changes and the default schedule's incremental syncs run: 4 an
hour at the 15-minute interval. fakearr counts every request and the bytes of
JSON it answered. Two ways are run on the same library:

* before - the incremental sync as it was: Radarr re-read the whole GET /movie
  every time; Sonarr read GET /series and /history/since (the change-signal
  planner is replaced by "read the list", with history only for Sonarr);
* after - the change signals decide (content.sync.change_check): the /wanted
  totals with one record a page, /history/since, the list only on a signal.

Exits 1 when a no-change hour of the Radarr costs 1 MB of JSON or more.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_BYTES = 1_000_000  # a no-change hour of a 2,000-movie Radarr, issue 11


@dataclass
class Hour:
    app: str
    way: str
    requests: int
    bytes: int
    by_endpoint: dict[str, int]

    @property
    def megabytes(self) -> float:
        return round(self.bytes / 1_000_000, 3)


def setup_django(data_dir: str) -> None:
    os.environ["COMRADARR_DATA_DIR"] = data_dir
    os.environ.setdefault("SECRET_KEY", "benchmark-secret-key-that-is-long-enough-0123456789")
    os.environ.setdefault("LOG_LEVEL", "error")
    os.environ.setdefault("LOG_FORMAT", "console")
    os.environ["DJANGO_SETTINGS_MODULE"] = "comradarr.settings"
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("DEBUG", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def the_old_way(saved: dict) -> None:
    """The planner of before: always the whole list; Sonarr also read history."""
    from content.sync import change_check, incremental
    from content.sync.library import items_with_file_events

    def plan(*, connector_id, client, state, history_since, now, stats):
        result = change_check.ChangePlan()
        result.need_list("before issue 11 point 6: every run")
        if client.shape == "series" and history_since is not None:
            result.items = (
                items_with_file_events(client, history_since, state.last_history_id, stats) or set()
            )
        return result

    saved["plan"] = incremental.plan_incremental
    incremental.plan_incremental = plan


def restore(saved: dict) -> None:
    from content.sync import incremental

    incremental.plan_incremental = saved["plan"]


def one_hour(arr, app: str, way: str, syncs: int) -> Hour:
    from django.db import connection

    from connectors.models import Connector
    from content.models import SyncRun
    from content.sync.runner import connector_sync

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE connectors_connector CASCADE")
    connector = Connector.objects.create(name=app, kind=arr.kind, url=arr.url, api_key=arr.api_key)
    run = connector_sync(connector=connector, kind=SyncRun.Kind.FULL, trigger="manual")
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    requests, sent = Counter(arr.requests), Counter(arr.bytes_sent)
    for _ in range(syncs):
        connector.refresh_from_db()
        run = connector_sync(connector=connector, kind=SyncRun.Kind.INCREMENTAL, trigger="manual")
        assert run.status == SyncRun.Status.SUCCEEDED, run.error
    made = Counter(arr.requests) - requests
    spent = Counter(arr.bytes_sent) - sent
    return Hour(
        app=app,
        way=way,
        requests=sum(made.values()),
        bytes=sum(spent.values()),
        by_endpoint={k: made[k] for k in sorted(made)},
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--movies", type=int, default=2000)
    parser.add_argument("--series", type=int, default=200)
    parser.add_argument("--episodes-per-series", type=int, default=20)
    parser.add_argument("--syncs", type=int, default=4, help="incremental syncs in the hour")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="comradarr-steady-")
    try:
        setup_django(data_dir)
        from tests.fakearr import FakeArr

        hours: list[Hour] = []
        apps = (
            ("Radarr", dict(kind="radarr", movies=args.movies)),
            (
                "Sonarr",
                dict(
                    kind="sonarr",
                    series=args.series,
                    episodes_per_series=args.episodes_per_series,
                ),
            ),
        )
        for app, kw in apps:
            kind = kw.pop("kind")
            with FakeArr.start(kind, seed=args.seed, speed=0, **kw) as arr:
                saved: dict = {}
                the_old_way(saved)
                try:
                    hours.append(one_hour(arr, app, "before", args.syncs))
                finally:
                    restore(saved)
                hours.append(one_hour(arr, app, "after", args.syncs))
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)

    radarr_after = next(h for h in hours if h.app == "Radarr" and h.way == "after")
    if args.json:
        print(json.dumps([asdict(h) | {"megabytes": h.megabytes} for h in hours], indent=2))
    else:
        print(f"A no-change hour: {args.syncs} incremental syncs after a full sync")
        print(f"{'app':8} {'way':7} {'requests':>9} {'JSON bytes':>12} {'MB':>8}  endpoints")
        for h in hours:
            endpoints = ", ".join(f"{k.split(' ', 1)[1]} x{v}" for k, v in h.by_endpoint.items())
            print(f"{h.app:8} {h.way:7} {h.requests:9} {h.bytes:12,} {h.megabytes:8}  {endpoints}")
    return 0 if radarr_after.bytes < TARGET_BYTES else 1


if __name__ == "__main__":
    sys.exit(main())
