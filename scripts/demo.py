"""`make demo`: watch the whole loop work without an *arr of your own.

1. Start tests/fakearr twice, as a small Sonarr and a small Radarr (fixed ports
   and API keys, simulated time running DEMO_SPEED times faster than real time so
   downloads finish and files import while you watch).
2. In a separate data directory (data/demo, never your real one): migrate, add
   both as connectors (kept if they exist), create a fast throttle profile
   "demo-fast" (kept if it exists) and assign it, sync both libraries, run a first
   sweep, and make their sweep schedules run every few minutes.
3. Run `manage.py serve` on 127.0.0.1 until Ctrl-C, then stop the fakearr apps.

Every step is a `manage.py` command, so each is idempotent: run `make demo` again
and it picks up where it left off. `make demo DEMO_RESET=1` starts from scratch.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
MANAGE = [PYTHON, str(ROOT / "manage.py")]

SPEED = float(os.environ.get("DEMO_SPEED", "120"))  # simulated seconds per wall second
DATA_DIR = Path(os.environ.get("DEMO_DATA_DIR", ROOT / "data" / "demo")).resolve()
PORT = os.environ.get("DEMO_PORT", "3000")
ADMIN_PASS = os.environ.get("DEMO_ADMIN_PASS", "watch-the-loop-work")
PROFILE = "demo-fast"
#: name, kind, port, API key, library size options
ARRS = (
    ("Demo Sonarr", "sonarr", 18989, "demo0sonarr0key0000000000000000a", ["--series", "12"]),
    ("Demo Radarr", "radarr", 17878, "demo0radarr0key0000000000000000b", ["--movies", "40"]),
)
#: A profile that shows the loop within minutes yet still throttles.
PROFILE_FIELDS = {
    "commands-per-minute": 4,
    "commands-per-hour": 120,
    "min-interval-seconds": 10,
    "interval-jitter-seconds": 3,
    "max-in-flight": 2,
    "batch-size": 5,
    "daily-budget": 2000,
}
#: The demo's own env: quick syncs so grabs show up as acquisitions within minutes.
DEMO_ENV = {
    "COMRADARR_DATA_DIR": str(DATA_DIR),
    "ADMIN_USER": "admin",
    "ADMIN_PASS": ADMIN_PASS,
    "LOG_FORMAT": "console",
    "COMRADARR_SCHEDULE_SYNC_INCREMENTAL": "*/2 * * * *",
}
SWEEP_CRON = "*/5 * * * *"


def env() -> dict[str, str]:
    values = dict(os.environ)
    values.pop("DATABASE_URL", None)  # the demo always uses its own embedded database
    values.update(DEMO_ENV)
    return values


def manage(
    *args: str, check: bool = True, capture: bool = False, echo: str | None = None
) -> subprocess.CompletedProcess:
    print(f"$ manage.py {echo or ' '.join(args)}", flush=True)
    return subprocess.run(
        [*MANAGE, *args],
        cwd=ROOT,
        env=env(),
        check=check,
        text=True,
        capture_output=capture,
    )


def wait_listening(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"demo: fakearr on port {port} exited with {process.returncode}")
        with socket.socket() as sock:
            sock.settimeout(0.5)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"demo: fakearr did not listen on port {port} within {timeout:.0f}s")


def start_fakearrs() -> list[subprocess.Popen]:
    processes = []
    for name, kind, port, key, size in ARRS:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                raise SystemExit(f"demo: port {port} for {name} is taken; stop what uses it")
        command = [
            PYTHON, "-m", "tests.fakearr", "--kind", kind, "--port", str(port),
            "--api-key", key, "--speed", str(SPEED), "--seed", "7", *size,
        ]  # fmt: skip
        print(f"Starting fakearr {kind} on http://127.0.0.1:{port} (speed x{SPEED:g})", flush=True)
        # Its own process group: Ctrl-C in the terminal reaches serve, and we stop these.
        processes.append(subprocess.Popen(command, cwd=ROOT, start_new_session=True))
    for (_, _, port, _, _), process in zip(ARRS, processes, strict=True):
        wait_listening(port, process)
    return processes


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def existing_connectors() -> set[str]:
    listing = manage("connectors", "list", "--json", capture=True)
    return {row["name"] for row in json.loads(listing.stdout or "[]")}


def set_up() -> None:
    manage("migrate", "--verbosity", "0")
    have = existing_connectors()
    for name, kind, port, key, _ in ARRS:
        if name in have:
            print(f"Connector {name} exists; kept.")
            continue
        manage(
            "connectors", "add", "--kind", kind, "--name", name,
            "--url", f"http://127.0.0.1:{port}", "--api-key", key,
        )  # fmt: skip
    if "throttle_profiles" in commands():
        if manage("throttle_profiles", "show", PROFILE, check=False, capture=True).returncode:
            options = [f"--{k}={v}" for k, v in PROFILE_FIELDS.items()]
            manage("throttle_profiles", "create", PROFILE, *options,
                   "--description", "make demo: fast, for a simulated *arr")  # fmt: skip
        for name, *_ in ARRS:
            manage("throttle_profiles", "assign", name, PROFILE)
    else:
        print("No throttle_profiles command in this version: the default profile applies.")
    manage("shell", "--verbosity", "0", "-c", SCHEDULES_SNIPPET, echo="sweep schedules")
    manage("sync")
    sweep = manage("sweep", capture=True)
    # The plan is long; its one-line summaries are enough here (`manage.py sweep --dry-run`
    # prints the whole plan).
    print("\n".join(line for line in sweep.stdout.splitlines() if not line.startswith(" ")))


def commands() -> str:
    return manage("help", "--commands", capture=True).stdout


# Runs inside `manage.py shell`: the demo connectors' sweeps every few minutes.
SCHEDULES_SNIPPET = f"""
from queueing.models import SweepSchedule
from queueing.sweep_schedules import sweep_schedule_update
names = {[a[0] for a in ARRS]!r}
for schedule in SweepSchedule.objects.filter(connector__name__in=names, kind="gaps"):
    if schedule.cron != {SWEEP_CRON!r}:
        sweep_schedule_update(schedule=schedule, cron={SWEEP_CRON!r})
        print(f"Sweep of {{schedule.connector.name}}: {SWEEP_CRON} (every 5 minutes)")
"""


def main() -> int:
    if os.environ.get("DEMO_RESET") and DATA_DIR.exists():
        print(f"DEMO_RESET: removing {DATA_DIR}")
        shutil.rmtree(DATA_DIR)
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    processes = start_fakearrs()
    try:
        set_up()
        print(
            f"\nDemo ready. Sign in as admin / {ADMIN_PASS} at http://127.0.0.1:{PORT}/ and "
            "watch the queue: sweeps plan searches, dispatch sends them within the demo-fast "
            "profile, the fakearr apps grab and import, syncs record the acquisitions.\n"
            f"`COMRADARR_DATA_DIR={DATA_DIR} .venv/bin/python manage.py schedules list` shows "
            "the timers. Ctrl-C stops everything.\n",
            flush=True,
        )
        # Ctrl-C reaches serve directly (same process group): it shuts down gracefully,
        # then we stop the fakearr apps. A SIGTERM sent to us is passed on to serve.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        serve = subprocess.Popen(
            [*MANAGE, "serve", "--host", "127.0.0.1", "--port", PORT], cwd=ROOT, env=env()
        )
        signal.signal(signal.SIGTERM, lambda signum, frame: serve.send_signal(signal.SIGTERM))
        return serve.wait()
    except subprocess.CalledProcessError as exc:
        print(f"demo: `{' '.join(exc.cmd[2:])}` failed with status {exc.returncode}")
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        print("Stopping the fakearr apps.", flush=True)
        stop(processes)


if __name__ == "__main__":
    sys.exit(main())
