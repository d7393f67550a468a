import multiprocessing
import os
import subprocess
import sys
import threading

import pytest

from queueing.locks import job_lock, job_lock_held, lock_keys

pytestmark = pytest.mark.django_db(transaction=True)


def test_second_acquire_fails_while_the_first_is_held_and_succeeds_after():
    with job_lock("dispatch") as first:
        assert first is True
        assert job_lock_held("dispatch")
        with job_lock("dispatch") as second:
            assert second is False
        # The loser's exit must not release the winner's lock.
        assert job_lock_held("dispatch")
    assert not job_lock_held("dispatch")
    with job_lock("dispatch") as again:
        assert again is True


def test_subjects_and_names_are_independent():
    with job_lock("sweep", 1) as one, job_lock("sweep", 2) as two, job_lock("health", 1) as h:
        assert one and two and h
        with job_lock("sweep", 1) as taken:
            assert taken is False


def test_lock_released_when_the_block_raises():
    with pytest.raises(RuntimeError), job_lock("maintenance"):
        raise RuntimeError("boom")
    assert not job_lock_held("maintenance")


def test_two_threads_never_both_run_the_job():
    inside = threading.Event()
    release = threading.Event()
    results: dict[str, bool] = {}

    def holder():
        with job_lock("sync_libraries:full") as acquired:
            results["holder"] = acquired
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=holder)
    thread.start()
    assert inside.wait(10)
    try:
        with job_lock("sync_libraries:full") as acquired:
            results["second"] = acquired
    finally:
        release.set()
        thread.join(10)
    assert results == {"holder": True, "second": False}
    with job_lock("sync_libraries:full") as acquired:
        assert acquired  # released once the holder's block ended


def test_a_killed_holder_process_leaves_no_stale_lock():
    """A worker killed mid-job: its session ends, so the lock is free again."""
    code = (
        "import django, sys, time; django.setup();"
        "from queueing.locks import job_lock;"
        "cm = job_lock('health_check', 7); print(cm.__enter__(), flush=True); time.sleep(60)"
    )
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="tests.settings")
    from django.db import connection

    env["DATABASE_URL"] = _url(connection.settings_dict)
    child = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        assert child.stdout.readline().strip() == "True"
        with job_lock("health_check", 7) as acquired:
            assert acquired is False
    finally:
        child.kill()
        child.wait(10)
    for _ in range(50):  # the server notices the dead session within moments
        with job_lock("health_check", 7) as acquired:
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
    first, second = lock_keys("x" * 1000, 2**31 - 1)
    assert -(2**31) <= first < 2**31 and second == 2**31 - 1
    with pytest.raises(ValueError):
        lock_keys("", 1)
    with pytest.raises(ValueError):
        lock_keys("sweep", 2**31)


def test_keys_agree_across_processes():
    # lock_keys must agree across processes (hash() would not): compare with a child.
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:
        assert pool.apply(lock_keys, ("dispatch", 3)) == lock_keys("dispatch", 3)
