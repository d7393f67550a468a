"""`serve` and its embedded PostgreSQL: restarted after a crash, never orphaned, never shared.

Security issue point 13: the database serve restarted after a crash outlived
serve's graceful stop. These run one serve (web only, to start quickly) on one
data directory, in order: a second serve is refused while the first runs; then
the database is killed, serve starts it again, and SIGTERM leaves no PostgreSQL
process on that data directory.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import psutil
import pytest

from comradarr import embedded_db
from tests.foundation.conftest import REPO, clean_env, free_port, manage_py
from tests.foundation.test_serve_e2e import (
    START_TIMEOUT,
    STOP_TIMEOUT,
    _get_health,
    _kill_tree,
    _log,
    _serve,
    _wait_for,
)

pytestmark = pytest.mark.slow


def _postgres_on(cluster_dir: Path) -> list[int]:
    """Every live PostgreSQL server process started on ``cluster_dir`` (zombies excluded)."""
    found = []
    for process in psutil.process_iter(["name", "cmdline", "status"]):
        cmdline = process.info["cmdline"] or []
        if (
            process.info["name"] == "postgres"
            and process.info["status"] != psutil.STATUS_ZOMBIE
            and str(cluster_dir) in cmdline
        ):
            found.append(process.pid)
    return found


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("serve-crash-data")


@pytest.fixture(scope="module")
def running(data_dir):
    """One serve on ``data_dir``, up and healthy: (process, port)."""
    port = free_port()
    serve = _serve(data_dir, port, "--web-workers", "1", "--no-worker")
    try:
        _wait_for(lambda: _get_health(port)[0] == 200, START_TIMEOUT, serve, "/health")
        yield serve, port
    finally:
        if serve.poll() is None:
            _kill_tree(serve)
        leftover = embedded_db.running_postmaster(data_dir / "postgres")
        if leftover is not None:
            psutil.Process(leftover).kill()


def test_a_second_serve_on_the_same_data_directory_is_refused(running, data_dir):
    serve, _ = running
    env = clean_env(COMRADARR_DATA_DIR=str(data_dir), ADMIN_PASS="x" * 12, LOG_FORMAT="json")
    second = subprocess.run(
        [*manage_py(), "serve", "--host", "127.0.0.1", "--port", str(free_port())],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=START_TIMEOUT,
    )
    assert second.returncode == 1
    assert second.stderr.strip().splitlines() == [
        f"CommandError: the data directory {data_dir.resolve()} is in use by another serve "
        f"(pid {serve.pid}): its embedded PostgreSQL runs in {data_dir.resolve() / 'postgres'}; "
        "stop that serve first, or give this one another COMRADARR_DATA_DIR"
    ]
    assert "Starting the embedded PostgreSQL" not in second.stdout
    # The first one is untouched.
    assert serve.poll() is None
    assert _get_health(running[1])[1]["database"]["status"] == "ok"


def test_a_crashed_database_is_restarted_and_stopped_with_serve(running, data_dir):
    serve, port = running
    cluster_dir = (data_dir / "postgres").resolve()
    first = embedded_db.running_postmaster(cluster_dir)
    assert first is not None
    os.kill(first, signal.SIGKILL)

    def restarted():
        pid = embedded_db.running_postmaster(cluster_dir)
        return pid not in (None, first) and _get_health(port)[1]["database"]["status"] == "ok"

    _wait_for(restarted, 60, serve, "the database to be restarted and reachable again")
    second = embedded_db.running_postmaster(cluster_dir)

    serve.send_signal(signal.SIGTERM)
    assert serve.wait(timeout=STOP_TIMEOUT) == 0
    output = _log(data_dir, port)
    assert "the embedded PostgreSQL exited unexpectedly: starting it again" in output
    assert "Comradarr stopped." in output
    deadline = time.monotonic() + 10
    while _postgres_on(cluster_dir) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _postgres_on(cluster_dir) == [], f"PostgreSQL {second} outlived serve"
    assert not (cluster_dir / "postmaster.pid").exists()
