"""`serve`'s hold on the embedded PostgreSQL: one serve per cluster, restarted after a crash.

Two `serve` processes on one data directory would share one cluster, and the
first to stop would take the database away from the other. So serve claims
the cluster with an exclusive lock on a file beside it, held as long as serve
runs; the kernel drops the lock when the holder exits, however it exits
(SIGKILL and OOM kills included), so a crashed serve never blocks the next one.

While serve runs, the Keeper checks on every supervision tick that a server
still runs on the cluster, starts a new one when it died (its children
reconnect by themselves: the socket path and port do not change), and on the
way out stops whichever incarnation is running.
"""

from __future__ import annotations

import collections
import fcntl
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from comradarr import embedded_db

logger = logging.getLogger(__name__)

LOCK_SUFFIX = ".serve.lock"


class ClusterInUse(Exception):
    """Another serve holds the embedded cluster."""

    def __init__(self, cluster_dir: Path, holder: str) -> None:
        self.cluster_dir = cluster_dir
        self.holder = holder
        super().__init__(
            f"the data directory {cluster_dir.parent} is in use by another serve (pid {holder}): "
            f"its embedded PostgreSQL runs in {cluster_dir}; stop that serve first, "
            "or give this one another COMRADARR_DATA_DIR"
        )


@dataclass
class Claim:
    """This process's exclusive hold on a cluster; released on exit or by release()."""

    path: Path
    handle: IO[str]

    def release(self) -> None:
        if not self.handle.closed:
            self.handle.close()  # closing the file drops the lock


def claim(cluster_dir: Path) -> Claim:
    """Take the cluster for this serve, or raise ClusterInUse naming the holder's pid."""
    cluster_dir = Path(cluster_dir).resolve()
    cluster_dir.parent.mkdir(parents=True, exist_ok=True)
    path = cluster_dir.with_name(cluster_dir.name + LOCK_SUFFIX)
    handle = open(path, "a+")  # noqa: SIM115 - kept open for as long as serve runs
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _holder(handle)
        handle.close()
        raise ClusterInUse(cluster_dir, holder) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return Claim(path=path, handle=handle)


def _holder(handle: IO[str]) -> str:
    # The holder writes its pid right after taking the lock: give it a moment.
    for _ in range(10):
        handle.seek(0)
        text = handle.read().strip()
        if text:
            return text
        time.sleep(0.05)
    return "unknown"


@dataclass
class Keeper:
    """Keeps one embedded cluster running for serve, within a restart budget."""

    database: embedded_db.EmbeddedDatabase
    max_restarts: int = 5
    window_seconds: float = 600.0
    _restarts: collections.deque[float] = field(default_factory=collections.deque)

    def check(self) -> str | None:
        """Called on every supervision tick: None while all is well, else why serve must stop."""
        if self.database.running():
            return None
        now = time.monotonic()
        while self._restarts and now - self._restarts[0] > self.window_seconds:
            self._restarts.popleft()
        if len(self._restarts) >= self.max_restarts:
            return (
                f"the embedded PostgreSQL in {self.database.cluster_dir} died "
                f"{self.max_restarts + 1} times within {self.window_seconds:.0f}s "
                f"(see {self.database.cluster_dir / 'log'})"
            )
        self._restarts.append(now)
        logger.warning(
            "the embedded PostgreSQL exited unexpectedly: starting it again",
            extra={"cluster_dir": str(self.database.cluster_dir)},
        )
        try:
            self.database = embedded_db.restart(self.database)
        except Exception as exc:
            where = self.database.cluster_dir
            return f"the embedded PostgreSQL in {where} could not be restarted ({exc})"
        logger.info(
            "embedded PostgreSQL running again", extra={"pid": self.database.postmaster_pid()}
        )
        return None

    def stop(self) -> None:
        """Stop the incarnation running now (the first one or a restarted one)."""
        self.database.stop()
