"""serve's hold on the embedded PostgreSQL: one claim per cluster, restarts, every incarnation stopped."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

from comradarr import embedded_db
from comradarr.embedded_keeper import ClusterInUse, Keeper, claim
from tests.foundation.test_embedded_db import _gone


@pytest.fixture
def cluster_dir(tmp_path):
    path = tmp_path / "data" / "postgres"
    yield path
    embedded = embedded_db._servers.get(path.resolve())
    if embedded is not None:
        embedded.stop()
    # Whatever a failed assertion left running on this cluster.
    pid = embedded_db.running_postmaster(path)
    if pid is not None:
        psutil.Process(pid).kill()


class TestClaim:
    def test_a_second_claim_is_refused_naming_the_data_directory_and_the_holder(self, cluster_dir):
        first = claim(cluster_dir)
        try:
            with pytest.raises(ClusterInUse) as refused:
                claim(cluster_dir)
            message = str(refused.value)
            assert "\n" not in message
            assert f"data directory {cluster_dir.parent.resolve()} " in message
            assert f"(pid {os.getpid()})" in message
        finally:
            first.release()
        claim(cluster_dir).release()  # free again once released

    def test_the_claim_of_a_killed_serve_is_free(self, cluster_dir):
        holder = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sys, time; from comradarr.embedded_keeper import claim; "
                f"held = claim({str(cluster_dir)!r}); print('held', flush=True); time.sleep(60)",
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert holder.stdout.readline().strip() == "held"
            with pytest.raises(ClusterInUse, match=rf"\(pid {holder.pid}\)"):
                claim(cluster_dir)
        finally:
            holder.send_signal(signal.SIGKILL)
            holder.wait(timeout=10)
        claim(cluster_dir).release()

    def test_the_lock_file_lives_beside_the_cluster_not_in_it(self, cluster_dir):
        # initdb needs an empty directory: nothing of ours may be inside it first.
        held = claim(cluster_dir)
        try:
            assert held.path == cluster_dir.parent.resolve() / "postgres.serve.lock"
            assert not cluster_dir.exists()
        finally:
            held.release()


class _FakeDatabase:
    def __init__(self, cluster_dir, alive=True):
        self.cluster_dir = cluster_dir
        self.alive = alive
        self.stopped = False

    def running(self):
        return self.alive

    def postmaster_pid(self):
        return 4242

    def stop(self):
        self.stopped = True


class TestKeeperPolicy:
    def test_nothing_happens_while_the_database_runs(self, tmp_path, monkeypatch):
        monkeypatch.setattr(embedded_db, "restart", lambda db: pytest.fail("restarted"))
        keeper = Keeper(_FakeDatabase(tmp_path))
        assert keeper.check() is None

    def test_a_dead_database_is_replaced_and_the_new_one_is_stopped_at_the_end(
        self, tmp_path, monkeypatch
    ):
        first, second = _FakeDatabase(tmp_path, alive=False), _FakeDatabase(tmp_path)
        monkeypatch.setattr(embedded_db, "restart", lambda db: second if db is first else None)
        keeper = Keeper(first)
        assert keeper.check() is None
        assert keeper.database is second
        keeper.stop()
        assert second.stopped

    def test_restarts_are_bounded(self, tmp_path, monkeypatch):
        monkeypatch.setattr(embedded_db, "restart", lambda db: _FakeDatabase(tmp_path, alive=False))
        keeper = Keeper(_FakeDatabase(tmp_path, alive=False), max_restarts=2)
        assert keeper.check() is None
        assert keeper.check() is None
        reason = keeper.check()
        assert reason.startswith(f"the embedded PostgreSQL in {tmp_path} died 3 times within")

    def test_a_failed_restart_says_why(self, tmp_path, monkeypatch):
        def fail(db):
            raise RuntimeError("shared memory still in use")

        monkeypatch.setattr(embedded_db, "restart", fail)
        reason = Keeper(_FakeDatabase(tmp_path, alive=False)).check()
        assert "could not be restarted (shared memory still in use)" in reason


class TestIncarnations:
    def test_restart_after_a_crash_and_stop_the_new_incarnation(self, cluster_dir):
        keeper = Keeper(embedded_db.start(cluster_dir))
        first_pid = keeper.database.postmaster_pid()
        os.kill(first_pid, signal.SIGKILL)
        assert _gone(first_pid)
        assert keeper.check() is None
        second_pid = embedded_db.running_postmaster(cluster_dir)
        assert second_pid not in (None, first_pid)
        keeper.stop()
        assert _gone(second_pid)
        assert embedded_db.running_postmaster(cluster_dir) is None

    def test_the_last_handle_stops_a_server_it_did_not_start(self, cluster_dir):
        """pgserver stops only the server its handle saw; a later one must not be orphaned."""
        embedded = embedded_db.start(cluster_dir)
        first_pid = embedded.postmaster_pid()
        os.kill(first_pid, signal.SIGKILL)
        assert _gone(first_pid)
        embedded_db._clear_stale_pid_file(cluster_dir)
        # Another incarnation, started behind the handle's back.
        from pgserver._commands import pg_ctl

        pg_ctl(
            [
                "-w",
                "-o",
                '-h ""',
                "-o",
                f"-k {embedded.socket_dir}",
                "-l",
                str(cluster_dir / "log"),
                "start",
            ],
            pgdata=cluster_dir,
            user=embedded.server.system_user,
            timeout=30,
        )
        other_pid = embedded_db.running_postmaster(cluster_dir)
        assert other_pid not in (None, first_pid)
        embedded.stop()
        assert _gone(other_pid)

    def test_a_zombie_or_foreign_pid_in_postmaster_pid_is_not_a_running_server(self, tmp_path):
        (tmp_path / "postmaster.pid").write_text(f"{os.getpid()}\n{tmp_path}\n")
        assert embedded_db.running_postmaster(tmp_path) is None  # this is python, not postgres
        child = subprocess.Popen([sys.executable, "-c", "pass"])
        deadline = time.monotonic() + 10
        while psutil.Process(child.pid).status() != psutil.STATUS_ZOMBIE:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        (tmp_path / "postmaster.pid").write_text(f"{child.pid}\n")
        assert embedded_db.running_postmaster(tmp_path) is None
        child.wait()
