"""`manage.py serve` end to end: embedded database, web, workers, clean stop."""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import signal
import stat
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psutil
import pytest

from tests.foundation.conftest import REPO, clean_env, free_port, manage_py
from tests.foundation.test_docker import healthcheck_command

pytestmark = pytest.mark.slow

START_TIMEOUT = 90
ADMIN_PASS = "correct-horse-battery-staple"
STOP_TIMEOUT = 30


def _signed_in_opener(port: int) -> urllib.request.OpenerDirector:
    """A urllib opener holding a session of the admin (ADMIN_PASS of _serve)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    base = f"http://127.0.0.1:{port}"
    opener.open(f"{base}/login/", timeout=5).read()
    token = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": "admin", "password": ADMIN_PASS}
    )
    opener.open(f"{base}/login/", data=form.encode(), timeout=5).read()
    return opener


def _get_health(port: int) -> tuple[int, dict]:
    """The full report: /health shows its details to signed-in users only."""
    try:
        opener = _signed_in_opener(port)
        with opener.open(f"http://127.0.0.1:{port}/health", timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _wait_for(predicate, timeout: float, process: subprocess.Popen, what: str):
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"serve exited with {process.returncode} while waiting for {what}")
        try:
            result = predicate()
            if result:
                return result
        except (OSError, ValueError) as exc:
            last_error = exc
        time.sleep(0.5)
    pytest.fail(f"timed out waiting for {what} (last error: {last_error})")


def _postmaster_pid(data_dir: Path) -> int:
    return int((data_dir / "postgres" / "postmaster.pid").read_text().splitlines()[0])


def _gone(pids: list[int], timeout: float = 10) -> list[int]:
    """The pids still running (zombies count as gone) after up to ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    alive = list(pids)
    while alive and time.monotonic() < deadline:
        still = []
        for pid in alive:
            try:
                if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                    still.append(pid)
            except psutil.NoSuchProcess:
                pass
        alive = still
        if alive:
            time.sleep(0.2)
    return alive


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("serve-data")


def _serve(data_dir: Path, port: int, *extra: str) -> subprocess.Popen:
    log = open(data_dir / f"serve-{port}.log", "w")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        [*manage_py(), "serve", "--host", "127.0.0.1", "--port", str(port), *extra],
        env=clean_env(
            COMRADARR_DATA_DIR=str(data_dir),
            ADMIN_PASS=ADMIN_PASS,
            LOG_FORMAT="json",
            WORKERS="1",
        ),
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _kill_tree(process: subprocess.Popen) -> None:
    """A failed test must not leave a cluster behind to confuse the next one."""
    try:
        children = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        children = []
    process.kill()
    for child in children:
        with contextlib.suppress(psutil.NoSuchProcess):
            child.kill()
    process.wait(timeout=STOP_TIMEOUT)


def _log(data_dir: Path, port: int) -> str:
    return (data_dir / f"serve-{port}.log").read_text()


def test_serve_starts_answers_health_and_stops_cleanly_on_sigterm(data_dir):
    port = free_port()
    serve = _serve(data_dir, port, "--web-workers", "1")
    try:
        _wait_for(lambda: _get_health(port)[0] == 200, START_TIMEOUT, serve, "/health 200")
        # The cluster reports its heartbeat shortly after the web server is up; its
        # first heartbeats may come before the worker pool has spawned.
        status, body = _wait_for(
            lambda: (
                (r := _get_health(port))[1]["cluster"]["status"] == "ok"
                and r[1]["cluster"]["clusters"][0]["workers"] == 1
                and r
            ),
            60,
            serve,
            "the django-q2 cluster with its worker",
        )
        assert status == 200
        assert body["status"] == "ok"
        assert body["database"]["status"] == "ok"
        assert body["cluster"]["clusters"][0]["workers"] == 1

        # The Dockerfile's HEALTHCHECK command passes against it.
        subprocess.run(
            healthcheck_command(),
            env={**os.environ, "PORT": str(port), "BASE_URL": "/"},
            check=True,
            timeout=15,
        )
        # Generated secret key, private.
        key_file = data_dir / "secret_key"
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

        postgres_pid = _postmaster_pid(data_dir)
        children = [p.pid for p in psutil.Process(serve.pid).children(recursive=True)]
        assert len(children) >= 4  # gunicorn master + worker, qcluster + its processes
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=STOP_TIMEOUT) == 0
    finally:
        if serve.poll() is None:
            _kill_tree(serve)
    output = _log(data_dir, port)
    assert "Comradarr is running: open http://127.0.0.1:" in output
    assert "Comradarr stopped." in output
    assert _gone([postgres_pid]) == [], "the embedded PostgreSQL outlived serve"
    assert _gone(children) == [], "a child process outlived serve"
    assert not (data_dir / "postgres" / "postmaster.pid").exists()


def test_serve_exits_nonzero_when_a_child_dies(data_dir):
    """Runs on the data directory of the test above: the data is kept across runs."""
    port = free_port()
    key_before = (data_dir / "secret_key").read_text()
    cluster_created = (data_dir / "postgres" / "PG_VERSION").stat().st_mtime_ns
    serve = _serve(data_dir, port, "--web-workers", "1", "--no-worker")
    try:
        _, body = _wait_for(
            lambda: (r := _get_health(port))[0] == 200 and r, START_TIMEOUT, serve, "/health"
        )
        assert body["cluster"]["status"] == "missing"  # --no-worker: degraded, still 200
        assert body["status"] == "degraded"
        postgres_pid = _postmaster_pid(data_dir)
        (gunicorn,) = psutil.Process(serve.pid).children()
        gunicorn.kill()
        assert serve.wait(timeout=STOP_TIMEOUT) == 1
    finally:
        if serve.poll() is None:
            _kill_tree(serve)
    output = _log(data_dir, port)
    # Second start on the same data: same key, same cluster, the admin user kept.
    assert (data_dir / "secret_key").read_text() == key_before
    assert (data_dir / "postgres" / "PG_VERSION").stat().st_mtime_ns == cluster_created
    assert "Created admin user" not in output
    assert "comradarr: gunicorn was killed by SIGKILL unexpectedly; stopped everything." in output
    assert _gone([postgres_pid]) == []


def test_serve_without_admin_pass_on_first_run_stops_with_one_line(tmp_path):
    port = free_port()
    env = clean_env(COMRADARR_DATA_DIR=str(tmp_path), LOG_FORMAT="json")
    env.pop("ADMIN_PASS", None)
    env.pop("ADMIN_PASS_FILE", None)
    result = subprocess.run(
        [*manage_py(), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=START_TIMEOUT,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "CommandError: ADMIN_PASS is required on first run to create the admin user 'admin' "
        "(set ADMIN_PASS or ADMIN_PASS_FILE)"
    ]
    assert "Stopping the embedded PostgreSQL." in result.stdout
    assert not (tmp_path / "postgres" / "postmaster.pid").exists()


def test_sigterm_during_start_up_still_stops_the_database(tmp_path):
    port = free_port()
    serve = _serve(tmp_path, port)
    try:
        _wait_for(
            lambda: "Starting the embedded PostgreSQL" in _log(tmp_path, port),
            START_TIMEOUT,
            serve,
            "start-up to begin",
        )
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=START_TIMEOUT) == 0
    finally:
        if serve.poll() is None:
            _kill_tree(serve)
    output = _log(tmp_path, port)
    assert "Received SIGTERM during start-up: stopping." in output
    assert "Comradarr is running" not in output
    assert not (tmp_path / "postgres" / "postmaster.pid").exists()


def test_after_serve_is_killed_the_next_start_recovers(tmp_path):
    """SIGKILL leaves no orphans but the database, which the next serve adopts and stops."""
    port = free_port()
    first = _serve(tmp_path, port, "--web-workers", "1", "--no-worker")
    try:
        _wait_for(lambda: _get_health(port)[0] == 200, START_TIMEOUT, first, "/health")
        children = [p.pid for p in psutil.Process(first.pid).children(recursive=True)]
        first.kill()
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    assert _gone(children, timeout=15) == [], "children outlived a SIGKILLed serve"

    port = free_port()
    second = _serve(tmp_path, port, "--web-workers", "1", "--no-worker")
    try:
        _wait_for(lambda: _get_health(port)[0] == 200, START_TIMEOUT, second, "/health again")
        postgres_pid = _postmaster_pid(tmp_path)
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=STOP_TIMEOUT) == 0
    finally:
        if second.poll() is None:
            second.kill()
    assert _gone([postgres_pid]) == [], "the adopted PostgreSQL was not stopped"
