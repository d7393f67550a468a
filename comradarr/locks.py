"""Overlap locks: one PostgreSQL advisory lock helper for every app, with named keys.

A background job, a library sync or a sweep must never run twice at once for
the same subject (a connector, or 0 for "the whole job"): django-q2 may hand a
job to a second worker (a schedule firing while the last run is still busy, a
retry after a crash), a webhook may start a sync while the scheduled one runs.
Every such guard takes :func:`advisory_lock` with a name from :data:`LOCKS`,
the one table of lock keys; an unknown name is refused, so two callers cannot
pick colliding keys by accident.

The lock is taken on a *dedicated* connection, not Django's pooled one: the
caller's own transactions can commit, roll back or fail without releasing the
lock early, and if the worker is killed the server ends that session and the
lock goes with it - no stale lock rows to clean up. ``pg_try_advisory_lock``
never waits: a second run gives up at once and the caller returns quietly (or
records a "skipped" run).
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections

logger = logging.getLogger(__name__)

#: Every lock name -> what it keeps from overlapping (the subject, when there is one).
LOCKS: dict[str, str] = {
    "sync": "one library sync per connector (content.sync.runner; subject: connector id)",
    "sweep": "one sweep per connector (queueing.sweep; subject: connector id)",
    "sync_libraries:incremental": "the scheduled fan-out of incremental syncs",
    "sync_libraries:full": "the scheduled fan-out of full reconciliations",
    "dispatch": "the per-minute dispatch tick (a slow tick never overlaps the next)",
    "health_checks": "the fan-out of connector health checks",
    "health_check": "one health check per connector (subject: connector id)",
    "run_due_sweep_schedules": "the per-minute start of due sweep schedules",
    "maintenance": "the daily maintenance and the Database page's manual runs",
    "update_check": "the daily check of the release feed (comradarr.update_check)",
    "setup_schedules": "the reconciliation of the built-in schedules at start-up",
    "analytics_collect": "analytics' periodic collection from the ledgers",
    "refresh_indexer_managers": "the periodic read of every indexer manager (Prowlarr)",
    "backup": "one backup or restore at a time (backups.services)",
}


def lock_keys(name: str, subject: int = 0) -> tuple[int, int]:
    """The (int4, int4) key pair of a lock: a stable hash of its name, and the subject id.

    CRC32 is stable across processes and Python versions (``hash()`` is
    salted per process, so two workers would disagree).
    """
    if name not in LOCKS:
        raise ValueError(f"unknown lock {name!r}: add it to comradarr.locks.LOCKS")
    if not -(2**31) <= subject < 2**31:
        raise ValueError(f"lock subject {subject} does not fit in a 32-bit key")
    return zlib.crc32(name.encode()) - 2**31, subject


@contextmanager
def advisory_lock(name: str, subject: int = 0, *, using: str = "default") -> Iterator[bool]:
    """Hold the advisory lock of ``name``/``subject`` for the block; yields whether it was won.

    ``with advisory_lock("dispatch") as acquired: if not acquired: return`` -
    the loser does not wait. The lock is released (and the dedicated
    connection closed) when the block ends, even when it raises.
    """
    first, second = lock_keys(name, subject)
    connection = connections.create_connection(using)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [first, second])
            acquired = bool(cursor.fetchone()[0])
        if not acquired:
            logger.info("already running elsewhere", extra={"lock": name, "subject": subject})
        try:
            yield acquired
        finally:
            if acquired:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [first, second])
    finally:
        # Closing ends the session, which would release the lock anyway.
        connection.close()


def advisory_lock_held(name: str, subject: int = 0, *, using: str = "default") -> bool:
    """Whether some session holds the lock right now (for status pages and tests)."""
    first, second = lock_keys(name, subject)
    # pg_locks shows advisory keys as classid (first) and objid (second) with objsubid 2.
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory'"
            " AND classid = %s::oid AND objid = %s::oid AND objsubid = 2 AND granted)",
            [first & 0xFFFFFFFF, second & 0xFFFFFFFF],
        )
        return bool(cursor.fetchone()[0])
