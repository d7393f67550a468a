"""A simulated day of searching through Prowlarr's limits: indexer-aware budget vs a fixed profile.

    .venv/bin/python benchmarks/indexer_budget.py [--hours 24] [--step 120] [--movies 400]
        [--margin 10] [--json]

A fake Prowlarr (tests/fakearr/prowlarr.py) with three indexers, two allowing
100 queries a day and one 50 an hour, feeds two fake Radarr apps (no tags: both
use all three), each polling RSS on every indexer once an hour (a day of RSS
history is there before the start, as on a Prowlarr that has been running).
Every search command of either app queries every indexer once per movie id;
a command no indexer answers (all at their limit) finds nothing.

Two runs of the same day, each on fresh fake apps with the same seed:

* indexer-aware - Comradarr with both Radarr connectors matched to their
  Prowlarr applications by URL, the refresh job every 5 minutes, and a
  profile that only paces (2 commands a minute, batches of 2, no daily budget
  of its own): the indexers' allowance decides how much is searched;
* moderate - the moderate preset on both connectors and no Prowlarr link (what
  a user without the budget runs).

Both run the engine as `serve` does: a full sync, a gaps sweep every hour,
incremental syncs every 15 minutes, a dispatch tick every --step simulated
seconds (queueing.engine.run_tick), with Comradarr's clock moved along with
the fake apps' (time-machine).

Printed per run and indexer: the most queries the indexer had in one sliding
window (Prowlarr's count: searches and RSS) against its limit, the queries
Prowlarr refused at the limit (a crossing: searches or RSS polls, in brackets,
that did not happen), the search queries of the day and the share they are of what RSS left
(limit - RSS polls counted in the day), and the movies acquired by searches.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

START = datetime(2026, 6, 1, 0, 0, tzinfo=UTC)
RSS_INTERVAL = 3600.0
REFRESH_EVERY = 5 * 60.0
SWEEP_EVERY = 3600.0
SYNC_EVERY = 15 * 60.0
PACED = {  # the indexer-aware run: the profile paces, the indexers decide the amount
    "commands_per_minute": 2,
    "commands_per_hour": 120,
    "min_interval_seconds": 0,
    "interval_jitter_seconds": 0,
    "max_in_flight": 1,
    "batch_size": 2,
    "daily_budget": 1_000_000,
}


@dataclass
class IndexerResult:
    name: str
    limit: str
    max_in_window: int
    refused: int
    refused_rss: int
    search_queries: int
    rss_queries: int
    spare: int | None
    share_of_spare: float | None


@dataclass
class RunResult:
    policy: str
    acquired: int
    commands: int
    wall_seconds: float
    indexers: list[IndexerResult] = field(default_factory=list)


def setup_django(data_dir: str, margin: int) -> None:
    os.environ["COMRADARR_DATA_DIR"] = data_dir
    os.environ.setdefault("SECRET_KEY", "benchmark-secret-key-that-is-long-enough-0123456789")
    os.environ.setdefault("LOG_LEVEL", "error")
    os.environ.setdefault("LOG_FORMAT", "console")
    os.environ["INDEXER_SAFETY_MARGIN"] = str(margin)
    os.environ["DJANGO_SETTINGS_MODULE"] = "comradarr.settings"
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("DEBUG", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build_world(args):
    from tests.fakearr.prowlarr import FakeProwlarr
    from tests.fakearr.server import FakeArr
    from tests.fakearr.simulation import SimConfig

    config = SimConfig(rss_interval=0)  # the apps' own RSS grabs are not what is measured
    arrs = [
        FakeArr.start(
            "radarr", movies=args.movies, seed=args.seed + n, speed=0, now=START, config=config
        )
        for n in range(2)
    ]
    prowlarr = FakeProwlarr.start(clock=arrs[0].clock, rss_interval=RSS_INTERVAL)
    prowlarr.add_indexer("Daily A", query_limit=100)
    prowlarr.add_indexer("Daily B", query_limit=100, protocol="torrent", priority=30)
    prowlarr.add_indexer("Hourly", query_limit=50, per_hour=True, priority=40)
    for n, arr in enumerate(arrs):
        app = prowlarr.add_application(arr, name=f"Radarr {n + 1}")
        # A day of RSS before the start, as on a Prowlarr that has been running.
        app.next_rss = START.timestamp() - 86400 + RSS_INTERVAL * (0.25 + 0.5 * n)
    prowlarr.catch_up(START.timestamp())
    return arrs, prowlarr


def run(args, policy: str) -> RunResult:
    import time_machine
    from django.db import connection
    from queueing.profiles import connector_throttle_assign, throttle_profile_create

    from connectors.indexers import indexer_link_set, indexer_manager_refresh
    from connectors.models import Connector
    from content.models import SyncRun
    from content.sync.runner import connector_sync
    from queueing.engine import run_tick
    from queueing.models import SweepRun, ThrottleProfile
    from queueing.sweep import sweep_connector

    with connection.cursor() as cursor:  # a fresh database for each run
        cursor.execute("TRUNCATE connectors_connector CASCADE")
    arrs, prowlarr = build_world(args)
    started_wall = time.monotonic()

    def travel():
        return time_machine.travel(arrs[0].now(), tick=False)

    with travel():
        if policy == "indexer-aware":
            profile = throttle_profile_create(name=f"paced {time.time_ns()}", **PACED)
        else:
            profile = ThrottleProfile.objects.get(name="moderate")
        connectors = []
        for n, arr in enumerate(arrs):
            conn = Connector.objects.create(
                name=f"radarr {n + 1}", kind="radarr", url=arr.url, api_key=arr.api_key
            )
            connector_throttle_assign(connector=conn, profile=profile)
            run_ = connector_sync(connector=conn, kind=SyncRun.Kind.FULL)
            assert run_ and run_.status == SyncRun.Status.SUCCEEDED, run_ and run_.error
            connectors.append(conn)
        manager = Connector.objects.create(
            name="prowlarr",
            kind="prowlarr",
            url=prowlarr.url,
            api_key=prowlarr.api_key,
            app_version=prowlarr.version,
        )
        indexer_manager_refresh(manager=manager, now=arrs[0].now())
        if policy != "indexer-aware":
            for conn in connectors:
                indexer_link_set(connector=conn, application=None)
    end = START + timedelta(hours=args.hours)
    last = {"refresh": 0.0, "sweep": -SWEEP_EVERY, "sync": 0.0}
    while arrs[0].now() < end:
        now = arrs[0].now()
        elapsed = (now - START).total_seconds()
        with travel():
            if elapsed - last["refresh"] >= REFRESH_EVERY:
                indexer_manager_refresh(manager=manager, now=now)
                last["refresh"] = elapsed
            if elapsed - last["sync"] >= SYNC_EVERY:
                for conn in connectors:
                    connector_sync(connector=conn, kind=SyncRun.Kind.INCREMENTAL)
                last["sync"] = elapsed
            if elapsed - last["sweep"] >= SWEEP_EVERY:
                for conn in connectors:
                    sweep_connector(
                        connector=conn, kind="gaps", trigger=SweepRun.Trigger.SCHEDULE, now=now
                    )
                last["sweep"] = elapsed
            run_tick(now=now)
        for arr in arrs:
            arr.advance(args.step)
    prowlarr.catch_up(end.timestamp())
    result = RunResult(
        policy=policy,
        acquired=sum(
            len({a.item_id for a in arr.acquisitions if a.source == "search"}) for arr in arrs
        ),
        commands=sum(1 for arr in arrs for r in arr.commands_received if r.name == "MoviesSearch"),
        wall_seconds=round(time.monotonic() - started_wall, 1),
        indexers=[indexer_result(prowlarr, i, end) for i in prowlarr.indexers.values()],
    )
    for arr in arrs:
        arr.stop()
    prowlarr.stop()
    return result


def indexer_result(prowlarr, indexer, end: datetime) -> IndexerResult:
    start, stop = START.timestamp(), end.timestamp()
    day = [e for e in prowlarr.events if e.indexer_id == indexer.id and start < e.ts <= stop]
    searches = sum(1 for e in day if e.event_type == "indexerQuery")
    rss = sum(1 for e in day if e.event_type == "indexerRss")
    hours = (stop - start) / 3600
    # The run's windows (at least one, the sliding window at its end), less the RSS polls.
    windows = max(1.0, hours if indexer.per_hour else hours / 24)
    spare = round(indexer.query_limit * windows - rss) if indexer.query_limit else None
    return IndexerResult(
        name=indexer.name,
        limit=f"{indexer.query_limit}/{'hour' if indexer.per_hour else 'day'}",
        max_in_window=prowlarr.max_in_window(indexer.id),
        refused=prowlarr.refused[indexer.id],
        refused_rss=prowlarr.refused_rss[indexer.id],
        search_queries=searches,
        rss_queries=rss,
        spare=spare,
        share_of_spare=round(searches / spare, 3) if spare else None,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hours", type=float, default=24)
    parser.add_argument("--step", type=float, default=120, help="simulated seconds per tick")
    parser.add_argument("--movies", type=int, default=400, help="movies per fake Radarr")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--margin", type=int, default=10, help="INDEXER_SAFETY_MARGIN, percent")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.hours <= 0 or args.step <= 0 or args.movies < 1 or not 0 <= args.margin <= 90:
        parser.error("--hours and --step must be positive, --movies >= 1, --margin 0..90")
    data_dir = tempfile.mkdtemp(prefix="comradarr-indexer-budget-")
    atexit.register(shutil.rmtree, data_dir, ignore_errors=True)
    setup_django(data_dir, args.margin)
    results = [run(args, "indexer-aware"), run(args, "moderate")]
    if args.json:
        print(json.dumps([asdict(r) for r in results], indent=2))
    else:
        print(
            f"{args.hours:g} simulated hours, a tick every {args.step:g} s, 2 fake Radarr x "
            f"{args.movies} movies, RSS hourly per app, safety margin {args.margin}%."
        )
        for r in results:
            print(f"\n{r.policy}: {r.commands} commands, {r.acquired} movies acquired by searches, "
                  f"{r.wall_seconds} s wall")  # fmt: skip
            print(
                "  indexer   limit     max in a window  refused (RSS)  searches  RSS  share of spare"
            )
            for i in r.indexers:
                share = f"{i.share_of_spare:.0%}" if i.share_of_spare is not None else "-"
                print(f"  {i.name:<9} {i.limit:<9} {i.max_in_window:>15}  {i.refused:>7} ({i.refused_rss:>3})  "
                      f"{i.search_queries:>8}  {i.rss_queries:>3}  {share:>14}")  # fmt: skip
    aware = results[0]
    if any(i.refused for i in aware.indexers):
        print("FAIL: the indexer-aware run crossed a limit (Prowlarr refused queries)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
