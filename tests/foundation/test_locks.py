import multiprocessing
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from comradarr.locks import LOCKS, advisory_lock, advisory_lock_held, lock_keys

pytestmark = pytest.mark.django_db(transaction=True)


def test_second_acquire_fails_while_the_first_is_held_and_succeeds_after():
    with advisory_lock("dispatch") as first:
        assert first is True
        assert advisory_lock_held("dispatch")
        with advisory_lock("dispatch") as second:
            assert second is False
        # The loser's exit must not release the winner's lock.
        assert advisory_lock_held("dispatch")
    assert not advisory_lock_held("dispatch")
    with advisory_lock("dispatch") as again:
        assert again is True


def test_subjects_and_names_are_independent():
    with (
        advisory_lock("sweep", 1) as one,
        advisory_lock("sweep", 2) as two,
        advisory_lock("sync", 1) as sync,
    ):
        assert one and two and sync
        with advisory_lock("sweep", 1) as taken:
            assert taken is False


def test_lock_released_when_the_block_raises():
    with pytest.raises(RuntimeError), advisory_lock("maintenance"):
        raise RuntimeError("boom")
    assert not advisory_lock_held("maintenance")


def test_two_threads_never_both_run_the_job():
    inside = threading.Event()
    release = threading.Event()
    results: dict[str, bool] = {}

    def holder():
        with advisory_lock("sync_libraries:full") as acquired:
            results["holder"] = acquired
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=holder)
    thread.start()
    assert inside.wait(10)
    try:
        with advisory_lock("sync_libraries:full") as acquired:
            results["second"] = acquired
    finally:
        release.set()
        thread.join(10)
    assert results == {"holder": True, "second": False}
    with advisory_lock("sync_libraries:full") as acquired:
        assert acquired  # released once the holder's block ended


def test_a_killed_holder_process_leaves_no_stale_lock():
    """A worker killed mid-job: its session ends, so the lock is free again."""
    code = (
        "import django, sys, time; django.setup();"
        "from comradarr.locks import advisory_lock;"
        "cm = advisory_lock('health_check', 7); print(cm.__enter__(), flush=True); time.sleep(60)"
    )
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="tests.settings")
    from django.db import connection

    env["DATABASE_URL"] = _url(connection.settings_dict)
    child = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert child.stdout.readline().strip() == "True"
        with advisory_lock("health_check", 7) as acquired:
            assert acquired is False
    finally:
        child.kill()
        child.wait(10)
    for _ in range(50):  # the server notices the dead session within moments
        with advisory_lock("health_check", 7) as acquired:
            if acquired:
                break
        threading.Event().wait(0.1)
    assert acquired


def _url(s: dict) -> str:
    host = s["HOST"] or "localhost"
    if host.startswith("/"):
        return f"postgresql://{s['USER']}@/{s['NAME']}?host={host}&port={s['PORT'] or 5432}"
    return f"postgresql://{s['USER']}:{s['PASSWORD']}@{host}:{s['PORT'] or 5432}/{s['NAME']}"


def test_keys_are_stable_and_bounded():
    assert lock_keys("dispatch") == lock_keys("dispatch")
    first, second = lock_keys("maintenance", 2**31 - 1)
    assert -(2**31) <= first < 2**31 and second == 2**31 - 1
    with pytest.raises(ValueError):
        lock_keys("sweep", 2**31)


def test_keys_agree_across_processes():
    # lock_keys must agree across processes (hash() would not): compare with a child.
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:
        assert pool.apply(lock_keys, ("dispatch", 3)) == lock_keys("dispatch", 3)


def test_every_lock_name_comes_from_the_one_table():
    """An unknown name is refused: no caller can invent a key that collides with another's."""
    for name in ("", "dispatchh", "x" * 1000):
        with pytest.raises(ValueError, match="unknown lock"):
            lock_keys(name)
    keys = {lock_keys(name)[0] for name in LOCKS}
    assert len(keys) == len(LOCKS)  # no two names share a first key


def test_no_other_module_takes_an_advisory_lock():
    """One helper: grep the apps for pg_*advisory* outside comradarr/locks.py."""
    root = Path(__file__).resolve().parents[2]
    offenders = []
    for app in ("comradarr", "connectors", "content", "searchstate", "queueing"):
        for path in (root / app).rglob("*.py"):
            if path.name == "locks.py" and path.parent.name == "comradarr":
                continue
            if re.search(r"pg_\w*advisory", path.read_text()):
                offenders.append(str(path.relative_to(root)))
    assert offenders == []
