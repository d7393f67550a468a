"""Memory of the whole install (summed PSS) while it syncs, sweeps and dispatches a library.

    .venv/bin/python benchmarks/footprint.py                                   # the demo's size
    .venv/bin/python benchmarks/footprint.py --series 5000 --episodes-per-series 100 --movies 0

Starts `manage.py serve` on a throwaway embedded database with the built-in
schedules switched off (so only what this script asks for runs), and one
fakearr per app (benchmarks/fakearr_worker.py, the generator benchmarks/sync.py
uses, each in its own process so it counts in no figure). Then, through the
running install's own task workers: a full sync of every connector, a gap
sweep with no item limit (the worst case benchmarks/sweep.py measures) and a
dispatch tick. A thread samples the PSS of every process of the install
(comradarr/footprint.py, as `manage.py footprint` does) every --interval
seconds throughout. This script's own database connection is left out.

Printed: idle before the library, peak during each phase, idle after the
library settled, and each process's peak. Environment variables the script is
run with (WORKERS, WEB_WORKERS, ...) reach serve, so settings can be compared.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MB = 1024 * 1024
SCHEDULES = ("SYNC_INCREMENTAL", "SYNC_FULL", "DISPATCH", "SWEEPS", "HEALTH_CHECKS", "MAINTENANCE")
ADMIN_PASS = "footprint-benchmark-password"  # noqa: S105 - a throwaway install


@dataclass
class Sampler:
    """Samples the install's PSS in a thread; remembers the sums and each process's peak."""

    cluster_dir: Path
    serve_pid: int
    interval: float
    exclude: set[int] = field(default_factory=set)
    samples: list[tuple[float, str, int]] = field(default_factory=list)  # (time, phase, PSS sum)
    peaks: dict[int, dict] = field(default_factory=dict)  # pid -> role, pss, rss, phase
    phase: str = "start-up"
    _stop: threading.Event = field(default_factory=threading.Event)

    def sample(self) -> int:
        from comradarr import footprint

        result = footprint.install_footprint(self.cluster_dir, serve_pid=self.serve_pid)
        rows = [row for row in result.processes if row.pid not in self.exclude]
        total = sum(row.pss or 0 for row in rows)
        self.samples.append((time.monotonic(), self.phase, total))
        for row in rows:
            peak = self.peaks.setdefault(row.pid, {"role": row.role, "pss": 0, "rss": 0})
            if (row.pss or 0) > peak["pss"]:
                peak.update(pss=row.pss or 0, phase=self.phase, role=row.role)
            peak["rss"] = max(peak["rss"], row.rss)
        return total

    def run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.sample()
            except Exception as exc:  # a process ending mid-read must not end the run
                print(f"  (sample failed: {exc})", file=sys.stderr)

    def start(self) -> None:
        threading.Thread(target=self.run, daemon=True).start()

    def stop(self) -> None:
        self._stop.set()

    def during(self, phase: str) -> list[int]:
        return [total for _, name, total in self.samples if name == phase]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_fakearr(kind: str, args: argparse.Namespace) -> tuple[subprocess.Popen, dict]:
    size = (
        ["--movies", str(args.movies)]
        if kind == "radarr"
        else ["--series", str(args.series), "--episodes-per-series", str(args.episodes_per_series)]
    )
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "benchmarks" / "fakearr_worker.py"), "--kind", kind, *size],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    return process, json.loads(process.stdout.readline())


def serve_env(data_dir: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG"}}
    env.update(
        DJANGO_SETTINGS_MODULE="comradarr.settings",
        COMRADARR_DATA_DIR=str(data_dir),
        ADMIN_PASS=ADMIN_PASS,
        HOST="127.0.0.1",
        PORT=str(port),
        LOG_LEVEL=os.environ.get("LOG_LEVEL", "warning"),
        LOG_FORMAT="console",
        PYTHONUNBUFFERED="1",
    )
    for key in SCHEDULES:
        env[f"COMRADARR_SCHEDULE_{key}"] = "disable"
    return env


def wait_for_cluster(port: int, serve: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if serve.poll() is not None:
            raise SystemExit(f"serve exited with {serve.returncode} during start-up")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as response:
                if json.loads(response.read())["cluster"]["status"] == "ok":
                    return
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.5)
    raise SystemExit("serve did not become ready")


def database_url(cluster_dir: Path) -> str:
    """The running embedded cluster's URL, from its postmaster.pid (no pgserver handle taken)."""
    lines = (cluster_dir / "postmaster.pid").read_text().splitlines()
    return f"postgresql://postgres@{quote(lines[4].strip(), safe='')}:{lines[3].strip()}/comradarr"


def setup_django(data_dir: Path) -> int:
    """Django in this process on serve's database; returns our backend's pid (left out)."""
    os.environ["COMRADARR_DATA_DIR"] = str(data_dir)
    os.environ["DATABASE_URL"] = database_url(data_dir / "postgres")
    os.environ["DJANGO_SETTINGS_MODULE"] = "comradarr.settings"
    os.environ.setdefault("LOG_LEVEL", "warning")
    os.environ["LOG_FORMAT"] = "console"
    os.environ.pop("DEBUG", None)
    import django

    django.setup()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def add_connectors(data_dir: Path, arrs: list[dict]) -> list[int]:
    env = {**os.environ, "COMRADARR_DATA_DIR": str(data_dir)}
    for arr in arrs:
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "connectors", "add", "--kind", arr["kind"],
             "--name", f"bench {arr['kind']}", "--url", arr["url"], "--api-key", arr["api_key"]],
            check=True, env=env, cwd=ROOT, capture_output=True,
        )  # fmt: skip
    from connectors.models import Connector

    return list(Connector.objects.order_by("pk").values_list("pk", flat=True))


def run_task(func: str, *args, timeout: float) -> float:
    """Enqueue a task for serve's workers and wait for its result; returns seconds taken."""
    from django_q.tasks import async_task, fetch

    started = time.monotonic()
    task_id = async_task(func, *args)
    while time.monotonic() - started < timeout:
        task = fetch(task_id)
        if task is not None:
            if not task.success:
                raise SystemExit(f"{func}{args} failed: {str(task.result)[:500]}")
            return time.monotonic() - started
        time.sleep(1)
    raise SystemExit(f"{func}{args} did not finish within {timeout:.0f}s")


def phase(sampler: Sampler, name: str, seconds: float | None = None) -> None:
    sampler.phase = name
    if seconds:
        time.sleep(seconds)


def summarise(sampler: Sampler, phases: list[str], timings: dict[str, float]) -> dict:
    per_phase = {}
    for name in phases:
        totals = sampler.during(name)
        if totals:
            per_phase[name] = {
                "samples": len(totals),
                "median_mb": round(statistics.median(totals) / MB, 1),
                "peak_mb": round(max(totals) / MB, 1),
                "seconds": round(timings.get(name, 0.0), 1),
            }
    processes = sorted(sampler.peaks.items(), key=lambda item: -item[1]["pss"])
    comradarr = [p for _, p in processes if not p["role"].startswith("postgres")]
    return {
        "phases": per_phase,
        "peak_mb": round(max(total for _, _, total in sampler.samples) / MB, 1),
        "max_comradarr_process_pss_mb": round(max(p["pss"] for p in comradarr) / MB, 1),
        "processes": [
            {
                "pid": pid,
                "role": p["role"],
                "peak_pss_mb": round(p["pss"] / MB, 1),
                "peak_rss_mb": round(p["rss"] / MB, 1),
                "phase": p.get("phase"),
            }
            for pid, p in processes
        ],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--series", type=int, default=12, help="Sonarr series (0: no Sonarr)")
    parser.add_argument("--episodes-per-series", type=int, default=60)
    parser.add_argument("--movies", type=int, default=40, help="Radarr movies (0: no Radarr)")
    parser.add_argument("--settle", type=float, default=30, help="seconds before each idle reading")
    parser.add_argument("--idle", type=float, default=15, help="seconds each idle reading lasts")
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between samples")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds a task may take")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="comradarr-footprint-"))
    fakes: list[subprocess.Popen] = []
    serve = None
    try:
        arrs = []
        for kind, wanted in (("sonarr", args.series), ("radarr", args.movies)):
            if wanted:
                process, info = start_fakearr(kind, args)
                fakes.append(process)
                arrs.append(info)
        port = free_port()
        serve = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "serve"],
            env=serve_env(data_dir, port),
            cwd=ROOT,
            stdout=open(data_dir / "serve.log", "w"),  # noqa: SIM115 - closed with the process
            stderr=subprocess.STDOUT,
        )
        wait_for_cluster(port, serve)
        sampler = Sampler(data_dir / "postgres", serve.pid, args.interval)
        # One connection for the whole run (never closed: a new one would be counted).
        sampler.exclude.add(setup_django(data_dir))
        sampler.start()
        timings: dict[str, float] = {}
        phase(sampler, "settling", args.settle)
        phase(sampler, "idle, empty", args.idle)

        phase(sampler, "add connectors")
        connector_ids = add_connectors(data_dir, arrs)
        phase(sampler, "full sync")
        timings["full sync"] = sum(
            run_task("content.tasks.sync_connector", cid, "full", timeout=args.timeout)
            for cid in connector_ids
        )
        from queueing.models import SweepSchedule
        from queueing.sweep_schedules import sweep_schedule_update

        phase(sampler, "gap sweep")
        started = time.monotonic()
        for schedule in SweepSchedule.objects.filter(kind="gaps", connector_id__in=connector_ids):
            if schedule.item_limit is not None:
                sweep_schedule_update(schedule=schedule, item_limit=None)
            run_task("queueing.jobs.sweep_schedule", schedule.pk, timeout=args.timeout)
        timings["gap sweep"] = time.monotonic() - started
        phase(sampler, "dispatch tick")
        timings["dispatch tick"] = run_task("queueing.jobs.dispatch", timeout=args.timeout)
        phase(sampler, "settling after", args.settle)
        phase(sampler, "idle, library", args.idle)
        sampler.stop()
        report = summarise(
            sampler,
            ["idle, empty", "full sync", "gap sweep", "dispatch tick", "idle, library"],
            timings,
        )
        report["library"] = [arr["summary"] for arr in arrs]
        report["settings"] = {
            k: os.environ[k]
            for k in sorted(os.environ)
            if k.startswith(("WORKERS", "WEB_", "COMRADARR_Q", "COMRADARR_PG"))
        }
        if args.json:
            print(json.dumps(report))
        else:
            print_report(report)
    finally:
        if serve is not None and serve.poll() is None:
            serve.send_signal(signal.SIGTERM)
            serve.wait(60)
        for process in fakes:
            if process.poll() is None:
                process.stdin.write("quit\n")
                process.stdin.close()
                process.wait(30)
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


def print_report(report: dict) -> None:
    import platform

    print(f"{platform.node()}: {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"library: {json.dumps(report['library'])}")
    if report["settings"]:
        print(f"settings: {report['settings']}")
    print(f"{'phase':<16} {'median PSS':>11} {'peak PSS':>9} {'seconds':>8}")
    for name, row in report["phases"].items():
        print(
            f"{name:<16} {row['median_mb']:>8.1f} MB {row['peak_mb']:>6.1f} MB {row['seconds']:>8.1f}"
        )
    print(
        f"peak of the summed PSS: {report['peak_mb']:.1f} MB; largest Comradarr process: "
        f"{report['max_comradarr_process_pss_mb']:.1f} MB PSS"
    )
    print(f"{'pid':>8} {'peak PSS':>9} {'peak RSS':>9}  process (phase of its peak)")
    for row in report["processes"]:
        print(
            f"{row['pid']:>8} {row['peak_pss_mb']:>6.1f} MB {row['peak_rss_mb']:>6.1f} MB  "
            f"{row['role']} ({row['phase']})"
        )


if __name__ == "__main__":
    sys.exit(main())
