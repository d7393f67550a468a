"""SIGHUP to a running `serve`: log files reopened in every process, settings re-read.

A real serve with LOG_FILE set: the file is moved away (as logrotate does),
SIGHUP is sent, and a new file at the path receives the lines of serve itself
and of gunicorn (which reloads on SIGHUP and replaces its workers); the task
cluster stays up, and the log viewer's table got the lines of the processes too.
"""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import urllib.request
from pathlib import Path

import psutil
import pytest

from tests.foundation.conftest import REPO, clean_env, free_port, manage_py
from tests.foundation.test_serve_e2e import (
    ADMIN_PASS,
    START_TIMEOUT,
    STOP_TIMEOUT,
    _kill_tree,
    _signed_in_opener,
    _wait_for,
)

pytestmark = pytest.mark.slow


def _health(port: int) -> bool:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as response:
        return response.status == 200


def _messages(path: Path) -> list[str]:
    if not path.exists():
        return []
    return [json.loads(line)["message"] for line in path.read_text().splitlines() if line]


def _by_name(serve: subprocess.Popen) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for process in psutil.Process(serve.pid).children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            found.setdefault(process.name(), []).append(process.pid)
    return found


def test_sighup_reopens_the_log_file_in_serve_and_its_children(tmp_path):
    port = free_port()
    log_file = tmp_path / "logs" / "comradarr.log"
    output = open(tmp_path / "serve.out", "w")  # noqa: SIM115 - closed below
    serve = subprocess.Popen(
        [*manage_py(), "serve", "--host", "127.0.0.1", "--port", str(port), "--web-workers", "1"],
        env=clean_env(
            COMRADARR_DATA_DIR=str(tmp_path / "data"),
            ADMIN_PASS=ADMIN_PASS,
            LOG_FORMAT="json",
            WORKERS="1",
            LOG_FILE=str(log_file),
        ),
        cwd=REPO,
        stdout=output,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for(lambda: _health(port), START_TIMEOUT, serve, "/health 200")
        _wait_for(
            lambda: "task cluster starting" in _messages(log_file), 30, serve, "the cluster's line"
        )
        before = _by_name(serve)
        assert before.get("cr-web-worker") and before.get("cr-tasks"), before

        moved = log_file.with_name("comradarr.log.moved")
        log_file.rename(moved)
        serve.send_signal(signal.SIGHUP)

        _wait_for(
            lambda: any(m.startswith("SIGHUP: log files reopened") for m in _messages(log_file)),
            20,
            serve,
            "serve's SIGHUP line in a new file",
        )
        # gunicorn's master reloaded (its lines go to the new file) and replaced its worker.
        _wait_for(
            lambda: "Handling signal: hup" in _messages(log_file), 20, serve, "gunicorn's reload"
        )
        _wait_for(
            lambda: (
                (w := _by_name(serve).get("cr-web-worker"))
                and set(w).isdisjoint(before["cr-web-worker"])
            ),
            30,
            serve,
            "a new gunicorn worker",
        )
        after = _by_name(serve)
        assert after["cr-tasks"] == before["cr-tasks"]  # the cluster took SIGHUP and lived
        assert after.get("cr-task-worker") == before.get("cr-task-worker")
        assert _health(port)
        assert "SIGHUP: log files reopened" not in " ".join(_messages(moved))

        # The same lines reached the log viewer's table, from serve's own process.
        opener = _signed_in_opener(port)

        def viewer_shows_it() -> bool:
            url = f"http://127.0.0.1:{port}/settings/logs/?q=SIGHUP"
            with opener.open(url, timeout=5) as response:
                return "log files reopened" in response.read().decode()

        _wait_for(viewer_shows_it, 20, serve, "the SIGHUP line in the log viewer")

        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=STOP_TIMEOUT) == 0
    finally:
        if serve.poll() is None:
            _kill_tree(serve)
        output.close()
