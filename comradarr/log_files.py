"""The optional log file (LOG_FILE): rotated by size, shared by serve's processes.

serve, gunicorn's master and workers and the task cluster and its workers all
append to the same file (each opened it with O_APPEND). The standard
RotatingFileHandler assumes one writer: two processes that both see the file
full would rotate twice, and a process that did not rotate would go on
writing into the renamed backup. So here the size check and the rotation run
under an exclusive lock on a companion lock file, and a process notices that
the path now names another file (rotated by a sibling, or moved away by
logrotate) and reopens it, as WatchedFileHandler does.

SIGHUP reopens the file explicitly (reopen_log_files), for tools that move the
file and then signal; rotated files older than the retention are deleted at
each rotation and each reopen.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import logging.handlers
import os
import time
from pathlib import Path

# Bumped by SIGHUP (request_reopen): each handler reopens its file at its next
# record. A counter, not a call into the handlers: a signal handler must not take
# a handler's lock, which the interrupted code may hold.
_reopen_generation = 0


def request_reopen() -> None:
    """Every log file of this process is reopened before its next line (signal-safe)."""
    global _reopen_generation
    _reopen_generation += 1


class SharedRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """RotatingFileHandler safe for several processes appending to one file."""

    def __init__(
        self,
        filename: str,
        maxBytes: int = 0,
        backupCount: int = 0,
        retention_days: int = 0,
        encoding: str | None = "utf-8",
    ) -> None:
        Path(filename).parent.mkdir(parents=True, exist_ok=True)
        super().__init__(filename, maxBytes=maxBytes, backupCount=backupCount, encoding=encoding)
        self.retention_days = retention_days
        self._lock_path = f"{self.baseFilename}.lock"
        self._identity = self._stream_identity()
        self._generation = _reopen_generation

    # ------------------------------------------------------------ reopening

    def _stream_identity(self) -> tuple[int, int] | None:
        if self.stream is None:
            return None
        try:
            info = os.fstat(self.stream.fileno())
        except (OSError, ValueError):
            return None
        return info.st_dev, info.st_ino

    def _path_identity(self) -> tuple[int, int] | None:
        try:
            info = os.stat(self.baseFilename)
        except OSError:
            return None
        return info.st_dev, info.st_ino

    def reopen(self) -> None:
        """Close the stream; the next record opens the path afresh (SIGHUP, rotation)."""
        with self.lock:
            self._close_stream()
        delete_expired_backups(self.baseFilename, self.retention_days)

    def _close_stream(self) -> None:
        if self.stream is not None:
            with contextlib.suppress(OSError, ValueError):
                self.stream.flush()
                self.stream.close()
            self.stream = None
            self._identity = None

    def _follow_path(self) -> None:
        """Reopen when asked to (SIGHUP) or when the path names another file than ours."""
        if self._generation != _reopen_generation:
            self._generation = _reopen_generation
            self._close_stream()
            delete_expired_backups(self.baseFilename, self.retention_days)
        elif self.stream is not None and self._path_identity() != self._identity:
            self._close_stream()
        if self.stream is None:
            self.stream = self._open()
            self._identity = self._stream_identity()

    # ------------------------------------------------------------- rotation

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self._follow_path()
            if self.maxBytes > 0 and self.shouldRollover(record):
                self._rotate_once()
            logging.StreamHandler.emit(self, record)
        except Exception:
            self.handleError(record)

    def _rotate_once(self) -> None:
        """Rotate under the shared lock, unless a sibling process rotated first."""
        with open(self._lock_path, "a") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                self._follow_path()
                if self.shouldRollover(None):
                    self.doRollover()
                    self._identity = self._stream_identity()
                    delete_expired_backups(self.baseFilename, self.retention_days)
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)

    def shouldRollover(self, record: logging.LogRecord | None) -> bool:
        # The file's real size (other processes append too), not this stream's position.
        if self.stream is None:
            return False
        try:
            size = os.fstat(self.stream.fileno()).st_size
        except (OSError, ValueError):
            return False
        return size > 0 and size >= self.maxBytes


def delete_expired_backups(base_filename: str, retention_days: int) -> list[Path]:
    """Delete rotated files (name.1, name.2, ...) last written over retention_days ago."""
    if retention_days <= 0:
        return []
    base = Path(base_filename)
    cutoff = time.time() - retention_days * 86400
    deleted = []
    for path in base.parent.glob(f"{base.name}.*"):
        suffix = path.name[len(base.name) + 1 :]
        if not suffix.isdigit():
            continue
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < cutoff:
                path.unlink()
                deleted.append(path)
    return deleted


def reopen_log_files() -> int:
    """Reopen every log file this process writes (SIGHUP); returns how many."""
    count = 0
    for ref in list(logging._handlerList):
        handler = ref()
        if isinstance(handler, SharedRotatingFileHandler):
            handler.reopen()
            count += 1
    return count
