"""Scaled out: `serve --no-worker` and two `manage.py qcluster` processes on one database.

What docker-compose.yml's optional worker service does (`--scale worker=2`): the web
server runs no cluster, the workers share the queue in PostgreSQL, and every task
runs exactly once however many clusters poll it.
"""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.db import connections

from tests.foundation.conftest import REPO, clean_env, free_port, manage_py
from tests.foundation.worker_task import LEDGER

pytestmark = pytest.mark.slow

TASKS = 40
START_TIMEOUT = 120
RUN_TIMEOUT = 120
SECRET = "workers-test-secret-key-long-enough-for-hkdf-0123456789abcdef"


@pytest.fixture
def database(django_db_setup, django_db_blocker):
    """A database of its own on the suite's PostgreSQL server, dropped afterwards."""
    with django_db_blocker.unblock():
        server = connections["default"].get_connection_params()  # starts the embedded one
    name = f"comradarr_workers_{uuid.uuid4().hex[:8]}"
    params = {
        "host": server["host"],
        "port": server.get("port") or 5432,
        "user": server.get("user") or "postgres",
        "password": server.get("password") or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql://{quote(params['user'])}@{quote(params['host'], safe='')}"
    url += f":{params['port']}/{name}"
    try:
        yield url, params | {"dbname": name}
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _start(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    out = log.open("w")
    return subprocess.Popen(
        [*manage_py(), *args], cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT
    )


def _health(port: int) -> tuple[int, dict] | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
    except (OSError, ValueError):
        return None


def _wait(predicate, timeout: float, what: str, processes, logs):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for process, log in zip(processes, logs, strict=True):
            if process.poll() is not None:
                pytest.fail(f"{log.name} exited with {process.returncode} waiting for {what}:\n"
                            + log.read_text()[-3000:])  # fmt: skip
        result = predicate()
        if result:
            return result
        time.sleep(0.5)
    tails = "\n".join(f"--- {log.name}\n{log.read_text()[-2000:]}" for log in logs)
    pytest.fail(f"timed out waiting for {what}\n{tails}")


def _stop(process: subprocess.Popen) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=45)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()


def test_two_qclusters_and_serve_no_worker_run_each_task_once(database, tmp_path):
    url, params = database
    port = free_port()
    env = clean_env(
        DATABASE_URL=url,
        SECRET_KEY=SECRET,
        COMRADARR_DATA_DIR=str(tmp_path / "data"),
        ADMIN_PASS="workers-test-password",
        HOST="127.0.0.1",
        PORT=str(port),
        LOG_LEVEL="info",
    )
    logs = [tmp_path / "serve.log", tmp_path / "cluster-a.log", tmp_path / "cluster-b.log"]
    processes: list[subprocess.Popen] = []
    try:
        # serve migrates and creates the cache table; the clusters start on a ready database.
        serve = _start(["serve", "--no-worker"], env, logs[0])
        processes.append(serve)
        _wait(lambda: _health(port), START_TIMEOUT, "serve's /health", processes, logs[:1])
        with psycopg.connect(autocommit=True, **params) as conn:
            conn.execute(
                f"CREATE TABLE {LEDGER} (number int NOT NULL, cluster text NOT NULL, "
                "pid int NOT NULL, at timestamptz NOT NULL DEFAULT now())"
            )
        for tag, log in zip("ab", logs[1:], strict=True):
            processes.append(_start(["qcluster"], env | {"WORKER_TEST_CLUSTER": tag}, log))

        # serve's /health sees the clusters' heartbeats: "ok", no longer "degraded".
        _wait(
            lambda: (_health(port) or (0, {}))[1].get("status") == "ok",
            START_TIMEOUT,
            "the clusters' heartbeats in serve's /health",
            processes,
            logs,
        )
        enqueue = (
            "from django_q.tasks import async_task\n"
            f"for n in range({TASKS}):\n"
            "    async_task('tests.foundation.worker_task.record', n, q_options={'max_attempts': 1})\n"
        )
        subprocess.run(
            [*manage_py(), "shell", "-c", enqueue], cwd=REPO, env=env, check=True, timeout=60
        )

        def ledger() -> list[tuple]:
            with psycopg.connect(**params) as conn:
                query = f"SELECT number, cluster, pid FROM {LEDGER}"  # noqa: S608 - a constant
                return conn.execute(query).fetchall()

        _wait(lambda: len(ledger()) >= TASKS, RUN_TIMEOUT, f"{TASKS} tasks", processes, logs)
        time.sleep(3)  # a task run twice would land now
        rows = ledger()
        numbers = sorted(number for number, _cluster, _pid in rows)
        assert numbers == list(range(TASKS)), "each task exactly once"
        clusters = {cluster for _number, cluster, _pid in rows}
        assert clusters == {"a", "b"}, f"both clusters took tasks: {clusters}"
        assert "?" not in clusters  # serve --no-worker ran none
        with psycopg.connect(**params) as conn:
            assert conn.execute("SELECT count(*) FROM django_q_ormq").fetchone()[0] == 0
    finally:
        codes = [_stop(process) for process in reversed(processes)]
    assert codes == [0] * len(processes), [log.read_text()[-1500:] for log in logs]
    with contextlib.suppress(FileNotFoundError):
        assert "Traceback" not in logs[1].read_text() + logs[2].read_text()
