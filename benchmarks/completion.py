"""How much of a library does a fixed budget of search commands complete?

    .venv/bin/python benchmarks/completion.py [--commands 120] [--series 30]
        [--episodes-per-series 40] [--seed 5] [--json]

Three policies, each on an identical fresh fakearr Sonarr (same seed, same
availability model: unaired episodes, 15% of items no indexer has, a findable
item found 60% of the time, season packs for fully aired seasons), each allowed
the same number of search commands, one a simulated minute, then the same
drain time for downloads to import:

* engine - Comradarr as scheduled (within the same N minutes, so it may send fewer
  than N commands when nothing more can succeed yet): a full sync, the default sweep schedule (gaps
  hourly), incremental syncs every 15 minutes and a dispatch tick every minute
  (queueing.engine.run_tick) with a profile of one command a minute, batches of 10;
* random - a hunter's default: each command searches one random item of the
  app's wanted/missing list (re-read before every command);
* in order - one EpisodeSearch per missing episode, in wanted/missing order.

Comradarr's clock is moved with fakearr's simulated clock (time-machine), so
cooldowns, spacing and sync windows behave as they would over those hours.

Printed per policy: items acquired by a search, commands, estimated indexer
queries (1 per episode id, 1 per season pack, 1 per season of a series
search - the throttle's budget rule) per acquisition, and searches that could
not have succeeded. fakearr records, for every item a command covers, why it
could not succeed (unaired, unavailable, unmonitored, downloading, has_file).
For EpisodeSearch every covered id is searched, so every reason counts. A
SeasonSearch or SeriesSearch names a season or series, and Sonarr searches
only its monitored, missing episodes: fakearr still lists the season's
episodes that have a file or are unmonitored, which the app never searches
and are no waste, so for packs only unaired, unavailable and downloading count.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STEP = 60.0  # simulated seconds between dispatch opportunities
DRAIN = 30 * 60.0  # simulated seconds after the last command for downloads to import
START = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SEARCH_COMMANDS = ("EpisodeSearch", "SeasonSearch", "SeriesSearch", "MoviesSearch")
PACK_COMMANDS = ("SeasonSearch", "SeriesSearch")
PACK_FUTILE = ("unaired", "unavailable", "downloading")
#: One command a minute like the baselines: ticks are exactly a minute apart, so the
#: per-minute window allows 2 and max_in_flight 1 keeps it to one per tick (a search
#: finishes within seconds, and the tick polls before it dispatches).
ENGINE_PROFILE = {
    "commands_per_minute": 2,
    "commands_per_hour": 60,
    "min_interval_seconds": 0,
    "interval_jitter_seconds": 0,
    "max_in_flight": 1,
    "batch_size": 10,
    "daily_budget": 1_000_000,
}


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


@dataclass
class Result:
    policy: str
    commands: int
    queries: int
    acquired: int
    futile_searches: int
    futile_reasons: dict[str, int]
    missing_at_start: int
    missing_at_end: int
    simulated_hours: float
    wall_seconds: float

    @property
    def queries_per_acquisition(self) -> float | None:
        return round(self.queries / self.acquired, 2) if self.acquired else None

    @property
    def commands_per_acquisition(self) -> float | None:
        return round(self.commands / self.acquired, 2) if self.acquired else None

    def as_dict(self) -> dict:
        return asdict(self) | {
            "queries_per_acquisition": self.queries_per_acquisition,
            "commands_per_acquisition": self.commands_per_acquisition,
        }


def new_arr(args):
    from tests.fakearr.server import FakeArr

    return FakeArr.start(
        "sonarr",
        series=args.series,
        episodes_per_series=args.episodes_per_series,
        seed=args.seed,
        speed=0,  # only advance() moves simulated time
        now=START,
    )


def search_records(arr) -> list:
    return [r for r in arr.commands_received if r.name in SEARCH_COMMANDS and not r.deduplicated]


def estimated_queries(arr, record) -> int:
    """The throttle's budget rule (queueing.throttle_profiles.BUDGET_RULE) applied to a command."""
    if record.name == "SeasonSearch":  # one query per indexer; anime/daily: per episode
        if not record.items:
            return 1
        series = arr.library.series[arr.library.ep_series[record.items[0] - 1]]
        return len(record.items) if series.series_type in ("anime", "daily") else 1
    if record.name == "SeriesSearch":  # one per season it covers
        return max(1, len({arr.library.ep_season[item - 1] for item in record.items}))
    return len(record.items) or 1


def futile(arr) -> tuple[int, dict[str, int]]:
    """Searched items that could not have succeeded (see the module docstring for packs)."""
    reasons: dict[str, int] = {}
    for record in search_records(arr):
        for _item, reason in record.futile.items():
            if record.name in PACK_COMMANDS and reason not in PACK_FUTILE:
                continue
            reasons[reason] = reasons.get(reason, 0) + 1
    return sum(reasons.values()), dict(sorted(reasons.items()))


def missing_count(arr) -> int:
    return arr.summary()["missing_aired_monitored"]


def searched_acquisitions(arr) -> int:
    return len({a.item_id for a in arr.acquisitions if a.source == "search" and not a.upgrade})


def finish(arr, policy, missing_at_start, started_wall, started_sim) -> Result:
    count, reasons = futile(arr)
    records = search_records(arr)
    return Result(
        policy=policy,
        commands=len(records),
        queries=sum(estimated_queries(arr, r) for r in records),
        acquired=searched_acquisitions(arr),
        futile_searches=count,
        futile_reasons=reasons,
        missing_at_start=missing_at_start,
        missing_at_end=missing_count(arr),
        simulated_hours=round((arr.clock.timestamp() - started_sim) / 3600, 2),
        wall_seconds=round(time.monotonic() - started_wall, 1),
    )


# --- the engine ------------------------------------------------------------------------------


def run_engine(args) -> Result:
    import time_machine
    from django.db import connection

    from connectors.models import Connector
    from content.models import SyncRun
    from content.sync.runner import connector_sync
    from queueing.engine import run_tick
    from queueing.models import SweepRun, SweepSchedule
    from queueing.sweep import sweep_connector
    from queueing.sweep_schedules import next_run_after
    from queueing.throttle_profiles import connector_throttle_assign, throttle_profile_create

    with connection.cursor() as cursor:  # a fresh database for each run
        cursor.execute("TRUNCATE connectors_connector CASCADE")
    arr = new_arr(args)
    started_wall, started_sim = time.monotonic(), arr.clock.timestamp()
    missing_at_start = missing_count(arr)

    def at_sim_now():
        return time_machine.travel(arr.now(), tick=False)

    with at_sim_now():
        connector = Connector.objects.create(
            name="bench sonarr", kind="sonarr", url=arr.url, api_key=arr.api_key
        )
        profile = throttle_profile_create(name=f"bench {time.time_ns()}", **ENGINE_PROFILE)
        connector_throttle_assign(connector=connector, profile=profile)
        run = connector_sync(connector=connector, kind=SyncRun.Kind.FULL)
        assert run and run.status == SyncRun.Status.SUCCEEDED, run and run.error
    gaps = SweepSchedule.objects.get(connector=connector, kind="gaps")
    next_sweep = arr.now()  # the first sweep right after the first sync
    last_sync = arr.now()
    deadline = None
    while True:
        now = arr.now()
        with at_sim_now():
            if (now - last_sync).total_seconds() >= 15 * 60:
                connector_sync(connector=connector, kind=SyncRun.Kind.INCREMENTAL)
                last_sync = now
            if now >= next_sweep and deadline is None:
                sweep_connector(
                    connector=connector, kind=gaps.kind, trigger=SweepRun.Trigger.SCHEDULE, now=now
                )
                next_sweep = next_run_after(gaps, now)
            spent = len(search_records(arr))
            run_tick(connector=connector, now=now, dispatch=deadline is None)
        # The same window as the baselines: N dispatch opportunities (the engine may use
        # fewer commands when nothing more can succeed), then the same drain.
        spent = len(search_records(arr))
        window_over = arr.clock.timestamp() - started_sim >= args.commands * STEP
        if deadline is None and (spent >= args.commands or window_over):
            deadline = arr.clock.timestamp() + DRAIN
        if deadline is not None and arr.clock.timestamp() >= deadline:
            break
        arr.advance(STEP)
    with at_sim_now():
        connector_sync(connector=connector, kind=SyncRun.Kind.INCREMENTAL)
    result = finish(arr, "engine", missing_at_start, started_wall, started_sim)
    arr.stop()
    return result


# --- the baselines ---------------------------------------------------------------------------


def wanted_missing(session, arr) -> list[int]:
    response = session.get(
        f"{arr.url}/api/v3/wanted/missing",
        params={"page": 1, "pageSize": 10000, "monitored": "true"},
        timeout=30,
    )
    response.raise_for_status()
    return [record["id"] for record in response.json()["records"]]


def run_baseline(args, policy: str) -> Result:
    import requests

    arr = new_arr(args)
    started_wall, started_sim = time.monotonic(), arr.clock.timestamp()
    missing_at_start = missing_count(arr)
    session = requests.Session()
    session.headers["X-Api-Key"] = arr.api_key
    rng = random.Random(args.seed)
    in_order: list[int] = []
    for _ in range(args.commands):
        if policy == "random":
            candidates = wanted_missing(session, arr)
            target = rng.choice(candidates) if candidates else None
        else:
            if not in_order:
                in_order = wanted_missing(session, arr)
            target = in_order.pop(0) if in_order else None
        if target is not None:
            session.post(
                f"{arr.url}/api/v3/command",
                json={"name": "EpisodeSearch", "episodeIds": [target]},
                timeout=30,
            ).raise_for_status()
        arr.advance(STEP)
    arr.advance(DRAIN)
    result = finish(arr, policy, missing_at_start, started_wall, started_sim)
    arr.stop()
    return result


# --- report ----------------------------------------------------------------------------------


def table(results: list[Result]) -> str:
    header = (
        "policy",
        "commands",
        "est. queries",
        "acquired",
        "queries/acq.",
        "commands/acq.",
        "futile searches",
        "missing start->end",
    )
    rows = [header]
    for r in results:
        reasons = ", ".join(f"{k} {v}" for k, v in r.futile_reasons.items())
        rows.append(
            (
                r.policy,
                str(r.commands),
                str(r.queries),
                str(r.acquired),
                str(r.queries_per_acquisition),
                str(r.commands_per_acquisition),
                f"{r.futile_searches}" + (f" ({reasons})" if reasons else ""),
                f"{r.missing_at_start} -> {r.missing_at_end}",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commands", type=int, default=120, help="search commands per policy")
    parser.add_argument("--series", type=int, default=30)
    parser.add_argument("--episodes-per-series", type=int, default=40)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.commands < 1:
        parser.error("--commands must be at least 1")
    data_dir = tempfile.mkdtemp(prefix="comradarr-completion-")
    atexit.register(shutil.rmtree, data_dir, ignore_errors=True)
    setup_django(data_dir)
    results = [run_engine(args), run_baseline(args, "random"), run_baseline(args, "in order")]
    if args.json:
        print(json.dumps([r.as_dict() for r in results], indent=2))
    else:
        print(
            f"Completion with {args.commands} search commands, one a simulated minute, then "
            f"{DRAIN / 60:.0f} minutes to import; fakearr Sonarr {args.series} series x "
            f"{args.episodes_per_series} episodes, seed {args.seed}."
        )
        print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
              f"Python {platform.python_version()}")  # fmt: skip
        print(table(results))
    engine = results[0]
    if engine.futile_searches:
        print(f"FAIL: the engine searched {engine.futile_searches} items that could not succeed")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
