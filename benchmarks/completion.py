"""How much of a library does a fixed budget of search commands complete?

    .venv/bin/python benchmarks/completion.py [--commands 120] [--series 30]
        [--episodes-per-series 40] [--movies 300] [--seed 5] [--json]

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

Per connector (the engine on a fakearr Sonarr and a fakearr Radarr, gaps hourly and
upgrades every 6 hours) it also prints: new files per command and per actual indexer
query, estimated vs actual queries (actual: fakearr's own count of the queries each
indexer received, Simulation.indexer_queries), polling requests per command (command
status and history reads) and all requests per command (every request the dispatch
ticks made: the POST, polls, history, queue checks), unreleased items searched while a
released gap had not been searched yet, and the time from adding a connector under
the default profile to its first search (first sync at once, the first sweep after
it, a tick a minute, as serve runs them).
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
from collections import Counter
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
    kind: str = "sonarr"
    actual_queries: int = 0  # fakearr's own count, per indexer
    new_files: int = 0
    tick_requests: int = 0  # everything the dispatch ticks sent (commands, polls, queue)
    poll_requests: int = 0  # command status and history reads
    unreleased_first: int = 0
    first_search_seconds: float | None = None

    def per(self, value: int, of: int) -> float | None:
        return round(value / of, 2) if of else None

    @property
    def estimate_error(self) -> float | None:
        """(estimated - actual) / actual, in percent."""
        if not self.actual_queries:
            return None
        return round(100 * (self.queries - self.actual_queries) / self.actual_queries, 1)

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
            "estimate_error_percent": self.estimate_error,
            "files_per_command": self.per(self.new_files, self.commands),
            "files_per_query": self.per(self.new_files, self.actual_queries),
            "requests_per_command": self.per(self.tick_requests, self.commands),
            "poll_requests_per_command": self.per(self.poll_requests, self.commands),
        }


def new_arr(args, kind: str = "sonarr"):
    from tests.fakearr.server import FakeArr

    return FakeArr.start(
        kind,
        series=args.series,
        episodes_per_series=args.episodes_per_series,
        movies=args.movies,
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
    summary = arr.summary()
    return summary.get("missing_aired_monitored", summary.get("missing_available", 0))


def searched_acquisitions(arr) -> int:
    return len({a.item_id for a in arr.acquisitions if a.source == "search" and not a.upgrade})


def new_files(arr) -> int:
    """Files a search brought in, upgrades included."""
    return sum(1 for a in arr.acquisitions if a.source == "search")


def is_released(arr, item: int, at: float) -> bool:
    lib = arr.library
    if lib.shape == "movies":
        return lib.movie_status(lib.movies[item], at) == "released"
    return lib.episode_aired(item, at)


def released_gaps(arr, at: float) -> set[int]:
    """Monitored items without a file, released and past the app's availability gate."""
    from tests.fakearr.library import F_MONITORED

    lib = arr.library
    if lib.shape == "movies":
        return {
            m.id
            for m in lib.movies.values()
            if m.monitored
            and not m.file_id
            and lib.movie_is_available(m, at)
            and lib.movie_status(m, at) == "released"
        }
    return {
        e
        for s in lib.series.values()
        if s.monitored
        for e in s.episode_ids
        if lib.ep_flags[e - 1] & F_MONITORED and not lib.ep_file[e - 1] and lib.episode_aired(e, at)
    }


def unreleased_first(arr, gaps: set[int]) -> int:
    """Unreleased items searched while a released gap (from the start) was never searched."""
    waiting, count = set(gaps), 0
    for record in search_records(arr):
        waiting.difference_update(record.items)  # one command: its items search together
        if waiting:
            count += sum(not is_released(arr, item, record.received_at) for item in record.items)
    return count


def finish(arr, policy, missing_at_start, started_wall, started_sim) -> Result:
    count, reasons = futile(arr)
    records = search_records(arr)
    return Result(
        policy=policy,
        kind=arr.kind,
        actual_queries=sum(arr.simulation.indexer_queries.values()),
        new_files=new_files(arr),
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


def is_poll(request: str) -> bool:
    """A request that follows a command in flight: its status, or the history it wrote."""
    method, path = request.split(" ", 1)
    return method == "GET" and (path.startswith("/api/v3/command") or "/history" in path)


def fresh_connector(arr, name: str):
    from django.db import connection

    from connectors.models import Connector

    with connection.cursor() as cursor:  # a fresh database for each run
        cursor.execute("TRUNCATE connectors_connector CASCADE")
    return Connector.objects.create(name=name, kind=arr.kind, url=arr.url, api_key=arr.api_key)


def run_engine(args, kind: str = "sonarr") -> Result:
    import time_machine

    from content.models import SyncRun
    from content.sync.runner import connector_sync
    from queueing.engine import run_tick
    from queueing.models import SweepRun, SweepSchedule
    from queueing.sweep import sweep_connector
    from queueing.sweep_schedules import next_run_after
    from queueing.throttle_profiles import connector_throttle_assign, throttle_profile_create

    arr = new_arr(args, kind)
    started_wall, started_sim = time.monotonic(), arr.clock.timestamp()
    missing_at_start = missing_count(arr)
    gaps_at_start = released_gaps(arr, started_sim)

    def at_sim_now():
        return time_machine.travel(arr.now(), tick=False)

    with at_sim_now():
        connector = fresh_connector(arr, f"bench {kind}")
        profile = throttle_profile_create(
            name=f"bench {kind} {os.urandom(4).hex()}", **ENGINE_PROFILE
        )
        connector_throttle_assign(connector=connector, profile=profile)
        run = connector_sync(connector=connector, kind=SyncRun.Kind.FULL)
        assert run and run.status == SyncRun.Status.SUCCEEDED, run and run.error
    schedules = list(
        SweepSchedule.objects.filter(connector=connector, kind__in=("gaps", "upgrades"))
    )
    due = {schedule.pk: arr.now() for schedule in schedules}  # the first sweeps right after sync
    last_sync = arr.now()
    deadline = None
    tick_requests: Counter[str] = Counter()
    while True:
        now = arr.now()
        with at_sim_now():
            if (now - last_sync).total_seconds() >= 15 * 60:
                connector_sync(connector=connector, kind=SyncRun.Kind.INCREMENTAL)
                last_sync = now
            for schedule in schedules:
                if now >= due[schedule.pk] and deadline is None:
                    sweep_connector(
                        connector=connector,
                        kind=schedule.kind,
                        trigger=SweepRun.Trigger.SCHEDULE,
                        now=now,
                    )
                    due[schedule.pk] = next_run_after(schedule, now)
            before = Counter(arr.requests)
            run_tick(connector=connector, now=now, dispatch=deadline is None)
            tick_requests.update(Counter(arr.requests) - before)
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
    result.tick_requests = sum(tick_requests.values())
    result.poll_requests = sum(n for key, n in tick_requests.items() if is_poll(key))
    result.unreleased_first = unreleased_first(arr, gaps_at_start)
    result.first_search_seconds = first_search_seconds(args, kind)
    arr.stop()
    return result


def first_search_seconds(args, kind: str, limit_minutes: int = 120) -> float | None:
    """Seconds from adding a connector (default profile) to its first search command.

    Run as serve runs it: the first sync at once (enqueued on commit), the first gap
    sweep when it succeeds, then a dispatch tick a minute. Simulated time stands still
    while the sync and sweep run, so their wall time is added.
    """
    import time_machine

    from content.models import SyncRun
    from content.sync.runner import connector_sync
    from queueing.engine import run_tick
    from queueing.models import SweepRun
    from queueing.sweep import sweep_connector

    arr = new_arr(args, kind)
    added = arr.clock.timestamp()
    try:
        wall = time.monotonic()
        with time_machine.travel(arr.now(), tick=False):
            connector = fresh_connector(arr, f"first {kind}")
            run = connector_sync(connector=connector, kind=SyncRun.Kind.FULL)
            assert run and run.status == SyncRun.Status.SUCCEEDED, run and run.error
            sweep_connector(
                connector=connector, kind="gaps", trigger=SweepRun.Trigger.SCHEDULE, now=arr.now()
            )
        setup_seconds = time.monotonic() - wall
        while arr.clock.timestamp() - added <= limit_minutes * 60:
            with time_machine.travel(arr.now(), tick=False):
                run_tick(connector=connector, now=arr.now())
            if search_records(arr):
                first = search_records(arr)[0].received_at
                return round(first - added + setup_seconds, 1)
            arr.advance(STEP)
        return None
    finally:
        arr.stop()


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


def connector_table(results: list[Result]) -> str:
    header = (
        "connector",
        "commands",
        "new files",
        "files/command",
        "files/query",
        "est. vs actual queries",
        "polls/command",
        "requests/command",
        "futile (by reason)",
        "unreleased first",
        "first search",
    )
    rows = [header]
    for r in results:
        reasons = ", ".join(f"{k} {v}" for k, v in r.futile_reasons.items())
        first = r.first_search_seconds
        rows.append(
            (
                r.kind,
                str(r.commands),
                str(r.new_files),
                str(r.per(r.new_files, r.commands)),
                str(r.per(r.new_files, r.actual_queries)),
                f"{r.queries} vs {r.actual_queries} ({r.estimate_error:+}%)"
                if r.estimate_error is not None
                else f"{r.queries} vs {r.actual_queries}",
                str(r.per(r.poll_requests, r.commands)),
                str(r.per(r.tick_requests, r.commands)),
                f"{r.futile_searches}" + (f" ({reasons})" if reasons else ""),
                str(r.unreleased_first),
                "none within 2 h" if first is None else f"{first} s",
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
    parser.add_argument("--movies", type=int, default=300, help="movies of the Radarr run")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.commands < 1:
        parser.error("--commands must be at least 1")
    data_dir = tempfile.mkdtemp(prefix="comradarr-completion-")
    atexit.register(shutil.rmtree, data_dir, ignore_errors=True)
    setup_django(data_dir)
    results = [run_engine(args), run_baseline(args, "random"), run_baseline(args, "in order")]
    engines = [results[0], run_engine(args, "radarr")]
    if args.json:
        print(json.dumps([r.as_dict() for r in [*results, engines[1]]], indent=2))
    else:
        print(
            f"Completion with {args.commands} search commands, one a simulated minute, then "
            f"{DRAIN / 60:.0f} minutes to import; fakearr Sonarr {args.series} series x "
            f"{args.episodes_per_series} episodes, seed {args.seed}."
        )
        print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
              f"Python {platform.python_version()}")  # fmt: skip
        print(table(results))
        print(f"\nPer connector (the engine; Radarr {args.movies} movies, same seed):")
        print(connector_table(engines))
    failed = False
    for engine in engines:
        if engine.futile_searches:
            print(f"FAIL: {engine.kind}: {engine.futile_searches} searches could not succeed")
            failed = True
        if engine.unreleased_first:
            print(f"FAIL: {engine.kind}: {engine.unreleased_first} unreleased searched first")
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
