"""Done-when, end to end: `manage.py serve` with a fakearr Sonarr and Radarr added fills
their gaps by itself (schedules, dispatch tick, polling, sync) within the default (balanced) profile.

Everything runs as a user would run it: manage.py commands against a fresh data directory
(its own embedded PostgreSQL), then `serve` left running. The fakearr apps run 60 times
faster than real time so searches end and downloads import within a tick; Comradarr's
clock is the real one, so the default profile's spacing is real too.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import signal
import subprocess
import time
from pathlib import Path

import psutil
import pytest

from tests.fakearr.server import FakeArr
from tests.fakearr.simulation import SEARCH_COMMANDS, SimConfig
from tests.foundation.conftest import REPO, clean_env, free_port, manage_py

pytestmark = pytest.mark.slow

SPEED = 60.0  # simulated seconds per wall second
#: Long enough for serve to start and three dispatch ticks (cron "* * * * *") to run.
WATCH_SECONDS = 240


def _env(data_dir: Path) -> dict[str, str]:
    return clean_env(
        COMRADARR_DATA_DIR=str(data_dir),
        ADMIN_PASS="correct-horse-battery-staple",
        LOG_FORMAT="json",
        WORKERS="2",
        # Acquisitions show up within a minute instead of 15.
        COMRADARR_SCHEDULE_SYNC_INCREMENTAL="* * * * *",
    )


def _manage(data_dir: Path, *args: str) -> str:
    done = subprocess.run(
        [*manage_py(), *args],
        env=_env(data_dir),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, f"manage.py {' '.join(args)}: {done.stdout}\n{done.stderr}"
    return done.stdout


def _stop(process: subprocess.Popen) -> None:
    try:
        children = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        children = []
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
    for child in children:
        with contextlib.suppress(psutil.NoSuchProcess):
            child.kill()


def _search_times(arr: FakeArr) -> list[float]:
    """When each search command reached the app, in wall seconds (its clock runs SPEED x)."""
    return sorted(
        r.received_at / SPEED
        for r in arr.commands_received
        if r.name in SEARCH_COMMANDS and not r.deduplicated
    )


def _missing(arr: FakeArr) -> int:
    counts = arr.summary()
    return counts.get("missing_aired_monitored", counts.get("missing_available", 0))


def _gaps_filled(arr: FakeArr) -> int:
    """Missing items a search of ours found and the app imported."""
    return sum(1 for a in arr.acquisitions if a.source == "search" and not a.upgrade)


def test_serve_fills_the_gaps_of_a_sonarr_and_a_radarr_within_the_default_profile(tmp_path):
    config = SimConfig(grab_probability=1.0, unfindable_fraction=0.0, import_delay=60.0)
    sonarr = FakeArr.start(
        "sonarr", series=3, episodes_per_series=10, seed=3, speed=SPEED, config=config
    )
    radarr = FakeArr.start("radarr", movies=12, seed=3, speed=SPEED, config=config)
    serve = None
    try:
        _manage(tmp_path, "migrate", "--verbosity", "0")
        for arr, name in ((sonarr, "Sonarr"), (radarr, "Radarr")):
            _manage(tmp_path, "connectors", "add", "--kind", arr.kind, "--name", name,
                    "--url", arr.url, "--api-key", arr.api_key)  # fmt: skip
        _manage(tmp_path, "sync")
        _manage(tmp_path, "sweep")  # the hourly gaps schedule would do it at the next hour
        missing_before = {arr.kind: _missing(arr) for arr in (sonarr, radarr)}
        assert min(missing_before.values()) >= 3
        port = free_port()
        log = open(tmp_path / "serve.log", "w")  # noqa: SIM115 - closed with the process
        serve = subprocess.Popen(
            [*manage_py(), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=_env(tmp_path),
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + WATCH_SECONDS
        while time.monotonic() < deadline:
            assert serve.poll() is None, (tmp_path / "serve.log").read_text()[-3000:]
            searched = len(_search_times(sonarr)) >= 2 and len(_search_times(radarr)) >= 1
            if searched and all(_gaps_filled(a) for a in (sonarr, radarr)):
                break
            time.sleep(2)
        status = json.loads(_manage(tmp_path, "queue", "status", "--json"))
    finally:
        if serve is not None:
            _stop(serve)
        sonarr.stop()
        radarr.stop()
    log_text = (tmp_path / "serve.log").read_text()
    # The engine ran by itself: searched both apps (the Radarr's few gaps fit one command),
    # and what it searched was found and imported by the apps.
    assert len(_search_times(sonarr)) >= 2 and len(_search_times(radarr)) >= 1, log_text[-3000:]
    assert _gaps_filled(sonarr) >= 1 and _gaps_filled(radarr) >= 1
    for arr in (sonarr, radarr):
        times = _search_times(arr)
        gaps = [b - a for a, b in itertools.pairwise(times)]
        assert min(gaps, default=60) >= 60 - 1  # balanced: 60 s apart (plus jitter)
        assert len(times) <= 12  # balanced: 12 an hour
        assert arr.futile_searches() == []
    # No profile assigned: the balanced preset is the default, and its budget held.
    assert sorted(row["connector"] for row in status["connectors"]) == ["Radarr", "Sonarr"]
    for row in status["connectors"]:
        assert row["profile"] == "balanced", row
        assert row["last_hour"] <= 12 and row["queries_today"] <= row["daily_budget"] == 300
