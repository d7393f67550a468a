"""A logging handler that stores records in the log viewer's table, in batches.

emit() only turns the record into a row's values and appends them to an
in-memory buffer: it never touches the database, so logging never waits for
PostgreSQL, nor fails with it. A writer thread per process inserts the buffer
with one INSERT per batch (every INTERVAL seconds, or as soon as BATCH_SIZE
records wait), trims the table now and then, and closes its connection again
(each of serve's processes has one, and the embedded server's connection slots
are sized for the web and task workers).

- Recursion: records logged while writing (the database driver's own lines,
  the writer's warning about an outage) are not stored again.
- Outage: a failed batch is kept and retried; records beyond BUFFER_LIMIT are
  dropped oldest first, and the count is stored as one warning once the
  database is back.
- Fork: a forked child (gunicorn and task workers) starts with an empty buffer
  and starts its own writer thread; the parent writes what it had.
- Exit: close() (logging.shutdown, at exit) writes what is left, waiting a bounded time.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import multiprocessing.util
import os
import threading
import weakref
from datetime import UTC, datetime
from typing import Any

from comradarr.logs import redact

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
INTERVAL_SECONDS = 2.0
BUFFER_LIMIT = 5000
CLOSE_TIMEOUT_SECONDS = 5.0
FORK_WAIT_SECONDS = 5.0

# Set in a thread while it writes: records it logs meanwhile are not stored.
_writing = threading.local()
_handlers: weakref.WeakSet[DatabaseHandler] = weakref.WeakSet()

_FIELD_LIMITS = {"logger": 200, "module": 200, "connector_name": 200, "origin": 300}


def _connector(record: logging.LogRecord) -> tuple[int | None, str]:
    """The connector a record names: extra connector_id (a number) and/or connector (a name)."""
    raw_id = getattr(record, "connector_id", None)
    connector_id = None
    if isinstance(raw_id, int) and not isinstance(raw_id, bool):
        connector_id = raw_id
    elif isinstance(raw_id, str) and raw_id.isdigit() and len(raw_id) < 19:
        connector_id = int(raw_id)
    name = getattr(record, "connector", None)
    if name is not None and not isinstance(name, str | int):
        name = getattr(name, "name", name)  # a Connector passed whole
    return connector_id, "" if name is None else redact(str(name))


def row_values(record: logging.LogRecord, formatter: logging.Formatter) -> dict[str, Any]:
    """The LogRecord row for a log record, every text redacted like the log lines."""
    exception = ""
    if record.exc_info:
        exception = formatter.formatException(record.exc_info)
    elif record.exc_text:
        exception = record.exc_text
    if record.stack_info:
        exception = f"{exception}\n{record.stack_info}".strip()
    connector_id, connector_name = _connector(record)
    values = {
        "created": datetime.fromtimestamp(record.created, tz=UTC),
        "level": max(0, min(record.levelno, 32767)),
        "logger": record.name,
        "module": record.module,
        # RedactingFilter already redacted the message; a handler without it must not leak.
        "message": redact(record.getMessage()),
        "connector_id": connector_id,
        "connector_name": connector_name,
        "correlation_id": str(getattr(record, "correlation_id", None) or "")[:128],
        "origin": redact(str(getattr(record, "origin", None) or "")),
        "exception": redact(exception),
        "process": record.process,
    }
    for key, limit in _FIELD_LIMITS.items():
        values[key] = values[key][:limit]
    return values


def _table_missing(exc: BaseException) -> bool:
    from psycopg.errors import UndefinedTable

    return isinstance(exc.__cause__, UndefinedTable)


def trim(keep: int) -> int:
    """Delete every row more than ``keep`` ids below the newest; returns how many went.

    Ids come from one sequence, so this keeps at most ``keep`` rows with one
    index range delete, however many processes write.
    """
    from django.db import connection

    from comradarr.logbook.models import LogRecord

    table = connection.ops.quote_name(LogRecord._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE id <= (SELECT max(id) FROM {table}) - %s",  # noqa: S608
            [keep],
        )
        return cursor.rowcount


class DatabaseHandler(logging.Handler):
    """Buffers records and has a writer thread store them in LogRecord (see module doc)."""

    def __init__(
        self,
        keep: int = 20000,
        *,
        batch_size: int = BATCH_SIZE,
        interval: float = INTERVAL_SECONDS,
        buffer_limit: int = BUFFER_LIMIT,
        threaded: bool = True,
        level: int = logging.NOTSET,
    ) -> None:
        super().__init__(level)
        self.keep = keep
        # False: no writer thread; the caller runs write_pending() (tests, in their transaction).
        self.threaded = threaded
        self.batch_size = batch_size
        self.interval = interval
        self.buffer_limit = buffer_limit
        # Trim once per tenth of the table written: the table holds at most keep * 1.1 rows.
        self.trim_every = max(100, keep // 10)
        self._formatter = logging.Formatter()
        self._start_fresh()
        _handlers.add(self)

    def _start_fresh(self) -> None:
        """Empty state: at construction, and in a forked child (whose parent writes its copy)."""
        self._buffer: collections.deque[dict[str, Any]] = collections.deque(
            maxlen=self.buffer_limit
        )
        self._retry: list[dict[str, Any]] = []
        self._wake = threading.Event()
        self._write_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closing = False
        self._dropped = 0
        self._failing = False
        # The first write of each process trims, so a restart never finds the table overgrown.
        self._since_trim = self.trim_every

    # ---------------------------------------------------------------- emitting

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(_writing, "active", False):
            return
        try:
            values = row_values(record, self._formatter)
        except Exception:
            self.handleError(record)
            return
        if len(self._buffer) == self._buffer.maxlen:
            self._dropped += 1
        self._buffer.append(values)
        if self.threaded and (self._thread is None or not self._thread.is_alive()):
            self._start_writer()
        if len(self._buffer) >= self.batch_size:
            self._wake.set()

    def flush(self) -> None:
        """Ask the writer to write now (does not wait: logging must never block)."""
        self._wake.set()

    def pending(self) -> int:
        return len(self._buffer) + len(self._retry)

    # ----------------------------------------------------------------- writing

    def _start_writer(self) -> None:
        if self._closing or not self.threaded:
            return
        self._thread = threading.Thread(target=self._run, name="log-db-writer", daemon=True)
        self._thread.start()
        # A task worker (multiprocessing) leaves through os._exit, past atexit:
        # its exit finalizers are the last chance to write what is buffered.
        multiprocessing.util.Finalize(self, self.close, exitpriority=10)

    def _run(self) -> None:
        _writing.active = True
        while True:
            self._wake.wait(self.interval)
            self._wake.clear()
            try:
                # No idle connection per process: the slots are sized for the workers.
                self.write_pending(close_connection=True)
            except Exception:
                # The thread must outlive any surprise; the other outputs show it.
                logger.exception("the log writer failed; it tries again")
            if self._closing:
                return

    def write_pending(self, *, close_connection: bool = False) -> int:
        """Insert everything buffered, a batch per INSERT; returns the rows written.

        Runs in the writer thread (and in tests, in the caller's). A database
        error keeps the batch for the next attempt and returns. All of it holds
        the write lock, which a fork waits for (_before_fork).
        """
        with self._write_lock:
            try:
                return self._write_locked()
            finally:
                if close_connection:
                    from django.db import connection

                    with contextlib.suppress(Exception):
                        connection.close()

    def _write_locked(self) -> int:
        written = 0
        if not _database_ready():
            return 0
        previous = getattr(_writing, "active", False)
        _writing.active = True
        try:
            while self._retry or self._buffer:
                batch = self._retry or self._take_batch()
                self._retry = []
                if not self._store(batch):
                    break
                written += len(batch)
            if self._since_trim >= self.trim_every and not self._failing:
                self._trim()
        finally:
            _writing.active = previous
        return written

    def _take_batch(self) -> list[dict[str, Any]]:
        batch = []
        with contextlib.suppress(IndexError):
            for _ in range(self.batch_size):
                batch.append(self._buffer.popleft())
        if self._dropped:
            dropped, self._dropped = self._dropped, 0
            batch.append(self._dropped_notice(dropped))
        return batch

    def _dropped_notice(self, dropped: int) -> dict[str, Any]:
        record = logging.LogRecord(
            logger.name,
            logging.WARNING,
            __file__,
            0,
            "%d log records were not stored: the database was unreachable and the buffer "
            "full (they still went to the other log outputs)",
            (dropped,),
            None,
        )
        return row_values(record, self._formatter)

    def _store(self, batch: list[dict[str, Any]]) -> bool:
        from comradarr.logbook.models import LogRecord

        try:
            LogRecord.objects.bulk_create([LogRecord(**values) for values in batch])
        except Exception as exc:
            self._retry = batch[-self.buffer_limit :]
            if _table_missing(exc):
                # Before `migrate` created it (serve's first start): kept until it exists.
                return False
            if not self._failing and not self._closing:
                self._failing = True
                # Not stored (this thread is writing), printed by the other outputs.
                logger.warning(
                    "log records cannot be stored in the database: %s; retrying",
                    type(exc).__name__,
                )
            return False
        if self._failing:
            self._failing = False
            logger.info("log records are stored in the database again")
        self._since_trim += len(batch)
        return True

    def _trim(self) -> None:
        try:
            trim(self.keep)
        except Exception:
            return
        self._since_trim = 0

    # ---------------------------------------------------------------- closing

    def close(self) -> None:
        """Write what is left (bounded wait), then stop the writer."""
        thread = self._thread
        self._closing = True
        if thread is not None and thread.is_alive() and thread is not threading.current_thread():
            self._wake.set()
            thread.join(CLOSE_TIMEOUT_SECONDS)
        super().close()


def _database_ready() -> bool:
    """False while this process has not started the embedded cluster (or serve stopped it).

    Connecting would start it: the writer waits for the process's own code to do that.
    """
    from django.apps import apps
    from django.conf import settings

    if not apps.ready:  # a line logged while Django starts: written once it has
        return False
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "comradarr.embedded_pg":
        return True
    from comradarr import embedded_db

    return embedded_db.is_started(database["EMBEDDED_DIR"])


def stop_writers() -> None:
    """Write what is buffered and stop every writer of this process (before the database stops)."""
    for handler in list(_handlers):
        handler.close()


def _before_fork() -> None:
    # A writer mid-write holds locks (the embedded database's among them) that
    # a child would inherit held; the fork waits for the write to end.
    for handler in list(_handlers):
        handler._held_for_fork = handler._write_lock.acquire(timeout=FORK_WAIT_SECONDS)


def _after_fork_in_parent() -> None:
    for handler in list(_handlers):
        if getattr(handler, "_held_for_fork", False):
            handler._held_for_fork = False
            handler._write_lock.release()


def _after_fork_in_child() -> None:
    for handler in list(_handlers):
        handler._start_fresh()


def wake_writers(*args: object, **kwargs: object) -> None:
    """Have every writer of this process write now (end of a task: the worker may be recycled)."""
    for handler in list(_handlers):
        if handler.pending():
            handler.flush()


os.register_at_fork(
    before=_before_fork,
    after_in_parent=_after_fork_in_parent,
    after_in_child=_after_fork_in_child,
)
