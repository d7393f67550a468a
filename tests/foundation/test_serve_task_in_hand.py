"""`serve` end to end, continued: the task in hand, and an external database.

Stopped while a task runs, the worker finishes it first, then all stops.

The task is enqueued by another process (`manage.py shell`) that joins the
running embedded database, inside a correlation id: the worker's log line for
the task must carry it, end to end through a real django-q2 cluster.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time

import pytest

from tests.foundation.conftest import REPO, clean_env, free_port, manage_py
from tests.foundation.test_serve_e2e import (
    START_TIMEOUT,
    STOP_TIMEOUT,
    _get_health,
    _gone,
    _kill_tree,
    _log,
    _postmaster_pid,
    _serve,
    _wait_for,
)

pytestmark = pytest.mark.slow

TASK_SECONDS = 4
REQUEST_ID = "e2e-request-7"


def _enqueue(data_dir) -> None:
    code = (
        "from comradarr import logs\n"
        "from django_q.tasks import async_task\n"
        f"logs.correlation_id.set({REQUEST_ID!r})\n"
        f"async_task('tests.foundation.slow_task.run', {str(data_dir)!r}, {TASK_SECONDS})\n"
    )
    subprocess.run(
        [*manage_py(), "shell", "--no-imports", "-c", code],
        env=clean_env(COMRADARR_DATA_DIR=str(data_dir)),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
def test_the_task_in_hand_finishes_before_serve_exits(tmp_path, stop_signal):
    port = free_port()
    serve = _serve(tmp_path, port, "--web-workers", "1")
    try:
        _wait_for(
            lambda: (
                (r := _get_health(port))[1]["cluster"]["status"] == "ok"
                and r[1]["cluster"]["clusters"][0]["workers"] == 1
            ),
            START_TIMEOUT,
            serve,
            "the django-q2 cluster with its worker",
        )
        _enqueue(tmp_path)
        _wait_for(lambda: (tmp_path / "task-started").exists(), 60, serve, "the task to start")
        postgres_pid = _postmaster_pid(tmp_path)
        started = time.monotonic()
        serve.send_signal(stop_signal)
        assert serve.wait(timeout=STOP_TIMEOUT) == 0
        waited = time.monotonic() - started
    finally:
        if serve.poll() is None:
            _kill_tree(serve)

    assert (tmp_path / "task-finished").exists(), "the task in hand was cut short"
    assert waited < STOP_TIMEOUT
    assert _gone([postgres_pid]) == [], "the embedded PostgreSQL outlived serve"
    records = []
    for line in _log(tmp_path, port).splitlines():
        if line.startswith("{"):
            records.append(json.loads(line))
    (finished,) = [r for r in records if r["message"] == "slow task finished"]
    assert finished["correlation_id"] == REQUEST_ID
    processed = [r for r in records if r["message"].startswith("Processed ")]
    assert [r["correlation_id"] for r in processed] == [REQUEST_ID]


def test_with_database_url_serve_uses_that_server_and_starts_none(tmp_path):
    """An "external" server (an embedded cluster this test owns) stays up after serve stops."""
    import psutil
    import psycopg

    from comradarr import embedded_db

    external = embedded_db.start(tmp_path / "external")
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    port = free_port()
    log = open(data_dir / "serve.log", "w")  # noqa: SIM115 - closed below
    serve = subprocess.Popen(
        [*manage_py(), "serve", "--host", "127.0.0.1", "--port", str(port), "--no-worker"],
        env=clean_env(
            COMRADARR_DATA_DIR=str(data_dir),
            DATABASE_URL=external.url(),
            ADMIN_PASS="correct-horse-battery-staple",
            LOG_FORMAT="json",
        ),
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _, body = _wait_for(
            lambda: (r := _get_health(port))[0] == 200 and r, START_TIMEOUT, serve, "/health"
        )
        assert body["database"]["status"] == "ok"
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=STOP_TIMEOUT) == 0
        log.close()
        output = (data_dir / "serve.log").read_text()
        assert "embedded PostgreSQL" not in output
        assert not (data_dir / "postgres").exists()
        # The server it used is still running, migrated and with the admin user.
        assert psutil.pid_exists(external.postmaster_pid())
        with psycopg.connect(
            host=external.socket_dir, port=external.port, user="postgres", dbname="comradarr"
        ) as conn:
            users = conn.execute("SELECT username FROM auth_user").fetchall()
        assert users == [("admin",)]
    finally:
        if serve.poll() is None:
            _kill_tree(serve)
        log.close()
        external.stop()
