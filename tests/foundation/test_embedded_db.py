"""The embedded PostgreSQL: start, stop, data kept, stale handles forgotten."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import psutil
import psycopg
import pytest
from django.conf import settings

from comradarr import config, embedded_db


def _connect(embedded: embedded_db.EmbeddedDatabase) -> psycopg.Connection:
    return psycopg.connect(
        host=embedded.socket_dir,
        port=embedded.port,
        user=embedded_db.SUPERUSER,
        dbname=embedded_db.DATABASE_NAME,
        autocommit=True,
    )


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def _gone(pid: int, timeout: float = 10) -> bool:
    """The process has exited (a zombie waiting for its reaper counts as exited)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def cluster_dir(tmp_path):
    path = tmp_path / "postgres"
    yield path
    # Never leave a server running if an assertion failed half-way.
    embedded = embedded_db._servers.get(path.resolve())
    if embedded is not None:
        embedded.stop()


def test_start_stop_and_data_survives_a_restart(cluster_dir):
    embedded = embedded_db.start(cluster_dir)
    pid = embedded.postmaster_pid()
    assert psutil.pid_exists(pid)
    assert embedded_db.start(cluster_dir) is embedded  # joined, not started twice
    with _connect(embedded) as conn:
        conn.execute("CREATE TABLE kept (note text)")
        conn.execute("INSERT INTO kept VALUES ('still here')")
    embedded.stop()
    assert _gone(pid)

    again = embedded_db.start(cluster_dir)
    try:
        assert again is not embedded
        assert again.postmaster_pid() != pid
        with _connect(again) as conn:
            assert conn.execute("SELECT note FROM kept").fetchall() == [("still here",)]
    finally:
        second_pid = again.postmaster_pid()
        again.stop()
    assert _gone(second_pid)


def test_url_reaches_the_server_through_settings_parsing(cluster_dir):
    embedded = embedded_db.start(cluster_dir)
    try:
        db = config.read_database_url(env={"DATABASE_URL": embedded.url()})
        assert db["HOST"] == embedded.socket_dir
        with psycopg.connect(
            host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"]
        ) as conn:
            assert conn.execute("SELECT current_database()").fetchone() == ("comradarr",)
    finally:
        embedded.stop()


def test_handles_of_killed_processes_do_not_keep_the_server_alive(cluster_dir):
    embedded = embedded_db.start(cluster_dir)
    pid = embedded.postmaster_pid()
    # A process that joined the cluster and was then SIGKILLed never released its handle.
    handles = cluster_dir / ".handle_pids.json"
    held = json.loads(handles.read_text())
    handles.write_text(json.dumps([*held, _dead_pid()]))
    embedded.stop()
    assert _gone(pid)


def test_test_suite_runs_on_the_embedded_cluster_in_a_temporary_directory():
    database = settings.DATABASES["default"]
    if config.read_database_url() is not None:
        pytest.skip("DATABASE_URL points the suite at an external server")
    assert database["ENGINE"] == "comradarr.embedded_pg"
    assert str(database["EMBEDDED_DIR"]).startswith(str(settings.DATA_DIR))
    assert "comradarr-test-" in str(settings.DATA_DIR)
