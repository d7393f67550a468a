"""The embedded PostgreSQL cluster used when DATABASE_URL is unset.

The `pgserver` package ships PostgreSQL binaries in a wheel. The cluster lives
in ``<data dir>/postgres``, listens only on a Unix socket, and is stopped when
the last process holding it exits (pgserver counts the handles per process).
`serve`'s side of it (one serve per cluster, restart after a crash) is in
comradarr/embedded_keeper.py.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import subprocess
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import psutil

from comradarr.embedded_pg import tuning

logger = logging.getLogger(__name__)

DATABASE_NAME = "comradarr"
SUPERUSER = "postgres"

_lock = threading.Lock()
_servers: dict[Path, EmbeddedDatabase] = {}


@dataclass
class EmbeddedDatabase:
    """A running embedded cluster and how to reach it."""

    cluster_dir: Path
    socket_dir: str
    port: int
    server: object
    max_connections: int = tuning.DEFAULT_MAX_CONNECTIONS

    def url(self, database: str = DATABASE_NAME) -> str:
        """A DATABASE_URL for child processes (socket path percent-encoded)."""
        from urllib.parse import quote

        host = quote(self.socket_dir, safe="")
        return f"postgresql://{SUPERUSER}@{host}:{self.port}/{database}"

    def stop(self) -> None:
        """Release this process's handle; the last handle stops the server.

        The last handle stops whichever server runs on the cluster now, not
        only the one pgserver started for this handle: after a crash another
        incarnation may have been started, and pgserver would leave it running.
        """
        with _lock:
            _servers.pop(self.cluster_dir, None)
        _forget_dead_handles(self.cluster_dir)
        # After a crash pgserver may try to kill its server, which has gone by
        # then; our handle is released before that, so nothing is left undone.
        with contextlib.suppress(psutil.Error):
            self.server.cleanup()
        # pgserver also registered this cleanup for interpreter exit. Left in
        # place, it would run after a later start() in this process and, being
        # the last handle, stop nothing (its postmaster is gone) while removing
        # the newer handle's entry, so the restarted server would outlive us.
        atexit.unregister(self.server._cleanup)
        _stop_unheld_server(self.cluster_dir, self.server.system_user)

    def postmaster_pid(self) -> int | None:
        """The server's process id while it runs (for supervision and tests)."""
        return self.server.get_pid()

    def running(self) -> bool:
        """Whether a PostgreSQL server runs on this cluster now (any incarnation)."""
        return running_postmaster(self.cluster_dir) is not None


def is_started(cluster_dir: Path) -> bool:
    """Whether this process started or joined the cluster (and has not stopped it).

    The log viewer's writer connects only then: a connection would otherwise
    start the cluster, even while serve is stopping it.
    """
    with _lock:
        return Path(cluster_dir).resolve() in _servers


def forget_handles_in_child() -> None:
    """In a process forked from a handle's holder: the handles stay the parent's.

    The child keeps reaching the running server through them, but its exit must
    not release them (pgserver registered their release for interpreter exit).
    """
    with _lock:
        for embedded in _servers.values():
            atexit.unregister(embedded.server._cleanup)


def running_postmaster(cluster_dir: Path) -> int | None:
    """The pid of the server running on ``cluster_dir`` (from its postmaster.pid), or None.

    A stale postmaster.pid whose pid now belongs to another program, or to a
    zombie, does not count.
    """
    try:
        pid = int((Path(cluster_dir) / "postmaster.pid").read_text().split("\n", 1)[0])
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE or process.name() != "postgres":
            return None
    except (OSError, ValueError, psutil.Error):
        return None
    return pid


def start(
    cluster_dir: Path,
    database: str = DATABASE_NAME,
    *,
    max_connections: int = tuning.DEFAULT_MAX_CONNECTIONS,
) -> EmbeddedDatabase:
    """Start (or join) the cluster in ``cluster_dir`` and ensure ``database`` exists.

    A server this call starts runs with comradarr/embedded_pg/tuning.py's settings
    (``max_connections`` among them); one already running keeps its own until
    its next start.
    """
    cluster_dir = Path(cluster_dir).resolve()
    with _lock:
        existing = _servers.get(cluster_dir)
        if existing is not None:
            return existing
        pgserver = _import_pgserver()

        cluster_dir.mkdir(parents=True, exist_ok=True)
        _forget_dead_handles(cluster_dir)
        _clear_stale_pid_file(cluster_dir)
        _configure(cluster_dir, max_connections)
        # Debug: `serve` tells people itself; for one-shot commands it is noise.
        logger.debug("starting embedded PostgreSQL", extra={"cluster_dir": str(cluster_dir)})
        server = pgserver.get_server(cluster_dir, cleanup_mode="stop")
        info = server.get_postmaster_info()
        embedded = EmbeddedDatabase(
            cluster_dir=cluster_dir,
            socket_dir=str(info.socket_dir),
            port=int(info.port or 5432),
            server=server,
            max_connections=max_connections,
        )
        _ensure_database(embedded.socket_dir, embedded.port, database)
        _servers[cluster_dir] = embedded
        return embedded


def _configure(cluster_dir: Path, max_connections: int) -> None:
    """Write the small-machine settings before pgserver starts the server.

    A new cluster is initialised here first, by pgserver's own initialisation
    (as root: under its own system user), which pgserver would otherwise do
    and then start the server at once, with PostgreSQL's defaults.
    """
    from pgserver.postgres_server import PostgresServer

    with PostgresServer._lock:
        if not (cluster_dir / "PG_VERSION").exists():
            initialiser = PostgresServer.__new__(PostgresServer)
            initialiser.pgdata = cluster_dir
            initialiser.postgres_user = SUPERUSER
            initialiser.system_user = None
            if os.geteuid() == 0:
                from pgserver.utils import ensure_user_exists

                initialiser.system_user = "pgserver"
                ensure_user_exists(initialiser.system_user)
            initialiser.ensure_pgdata_inited()
        tuning.write(cluster_dir, max_connections)


def restart(
    embedded: EmbeddedDatabase, *, attempts: int = 5, pause: float = 1.0
) -> EmbeddedDatabase:
    """A new incarnation of a server that died under ``embedded``'s handle.

    The dead server's processes may take a moment to exit and free its shared
    memory, so a failed start is retried; the last failure is raised.
    """
    if not embedded.running():
        # Known dead: pgserver's stop would only wait on pg_ctl for a zombie.
        embedded.server._postmaster_info = None
    embedded.stop()
    for attempt in range(1, attempts + 1):
        try:
            return start(embedded.cluster_dir, max_connections=embedded.max_connections)
        except Exception:
            _forget_failed_start(embedded.cluster_dir)
            if attempt == attempts:
                raise
            logger.warning(
                "embedded PostgreSQL did not start; trying again",
                extra={"cluster_dir": str(embedded.cluster_dir), "attempt": attempt},
            )
            time.sleep(pause)
    raise AssertionError("unreachable")


def _forget_failed_start(cluster_dir: Path) -> None:
    """pgserver keeps a half-made server object after a failed start; a retry must not reuse it."""
    from pgserver.postgres_server import PostgresServer

    server = PostgresServer._instances.pop(Path(cluster_dir).resolve(), None)
    if server is not None:
        atexit.unregister(server._cleanup)


def _stop_unheld_server(cluster_dir: Path, system_user: str | None) -> None:
    """Stop the server on ``cluster_dir`` when no live process holds a handle any more."""
    _import_pgserver()
    from pgserver._commands import pg_ctl
    from pgserver.postgres_server import PostgresServer

    with PostgresServer._lock:
        if _live_handles(cluster_dir) or running_postmaster(cluster_dir) is None:
            return
        logger.info(
            "embedded PostgreSQL: stopping the server no process holds",
            extra={"cluster_dir": str(cluster_dir)},
        )
        try:
            pg_ctl(["-w", "-m", "fast", "stop"], pgdata=cluster_dir, user=system_user, timeout=60)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            pid = running_postmaster(cluster_dir)
            if pid is not None:
                logger.warning("embedded PostgreSQL did not stop: killing it", extra={"pid": pid})
                with contextlib.suppress(psutil.Error):
                    psutil.Process(pid).kill()


def _live_handles(cluster_dir: Path) -> list[int]:
    from pgserver.utils import process_is_running

    try:
        pids = json.loads((cluster_dir / ".handle_pids.json").read_text())
    except (OSError, ValueError):
        return []
    return [pid for pid in pids if isinstance(pid, int) and process_is_running(pid)]


def _import_pgserver():
    # pgserver picks its lock directory at import; without XDG_RUNTIME_DIR
    # (containers, services) platformdirs warns on stderr and uses /tmp,
    # which is fine for a lock file.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
        import pgserver
    return pgserver


def _forget_dead_handles(cluster_dir: Path) -> None:
    """Drop handles of processes that died without releasing them.

    pgserver stops the server when the last process holding a handle releases
    it, and keeps the holders' pids in a file in the cluster. A process killed
    with SIGKILL (or an OOM kill) never removes its pid, and from then on no
    clean shutdown would ever stop the server again.
    """
    _import_pgserver()
    from pgserver.postgres_server import PostgresServer
    from pgserver.utils import process_is_running

    handles = cluster_dir / ".handle_pids.json"
    with PostgresServer._lock:
        try:
            pids = json.loads(handles.read_text())
        except (OSError, ValueError):
            return
        alive = [pid for pid in pids if isinstance(pid, int) and process_is_running(pid)]
        if alive != pids:
            logger.info(
                "embedded PostgreSQL: forgetting handles of exited processes",
                extra={"stale_pids": sorted(set(pids) - set(alive))},
            )
            handles.write_text(json.dumps(alive))


def _clear_stale_pid_file(cluster_dir: Path) -> None:
    """Remove the lock files of a server that is gone.

    A server killed while its parent is an init that does not reap (serve as
    PID 1 in a container) stays a zombie: pgserver and PostgreSQL itself would
    take the zombie's pid in postmaster.pid and in the socket's lock file for
    a running server and never start a new one. PostgreSQL still refuses to
    start while any process of the old server is attached to its shared
    memory, so the data stays safe.
    """
    from pgserver.postgres_server import PostgresServer

    pid_file = cluster_dir / "postmaster.pid"
    with PostgresServer._lock:
        if not pid_file.exists() or running_postmaster(cluster_dir) is not None:
            return
        lines = pid_file.read_text().splitlines()
        logger.info(
            "embedded PostgreSQL: removing the lock files of a server that is gone",
            extra={"cluster_dir": str(cluster_dir)},
        )
        if len(lines) > 4 and lines[4].strip():
            for socket_lock in Path(lines[4].strip()).glob(".s.PGSQL.*.lock"):
                with contextlib.suppress(OSError, IndexError):
                    if socket_lock.read_text().splitlines()[0].strip() == lines[0].strip():
                        socket_lock.unlink()
        pid_file.unlink(missing_ok=True)


def _ensure_database(socket_dir: str, port: int, database: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(
        host=socket_dir, port=port, user=SUPERUSER, dbname="postgres", autocommit=True
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
