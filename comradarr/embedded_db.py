"""The embedded PostgreSQL cluster used when DATABASE_URL is unset.

The `pgserver` package ships PostgreSQL binaries in a wheel. The cluster lives
in ``<data dir>/postgres``, listens only on a Unix socket, and is stopped when
the last process holding it exits (pgserver counts the handles per process).
"""

from __future__ import annotations

import atexit
import json
import logging
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path

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

    def url(self, database: str = DATABASE_NAME) -> str:
        """A DATABASE_URL for child processes (socket path percent-encoded)."""
        from urllib.parse import quote

        host = quote(self.socket_dir, safe="")
        return f"postgresql://{SUPERUSER}@{host}:{self.port}/{database}"

    def stop(self) -> None:
        """Release this process's handle; the last handle stops the server."""
        with _lock:
            _servers.pop(self.cluster_dir, None)
        _forget_dead_handles(self.cluster_dir)
        self.server.cleanup()
        # pgserver also registered this cleanup for interpreter exit. Left in
        # place, it would run after a later start() in this process and, being
        # the last handle, stop nothing (its postmaster is gone) while removing
        # the newer handle's entry, so the restarted server would outlive us.
        atexit.unregister(self.server._cleanup)

    def postmaster_pid(self) -> int | None:
        """The server's process id while it runs (for supervision and tests)."""
        return self.server.get_pid()


def start(cluster_dir: Path, database: str = DATABASE_NAME) -> EmbeddedDatabase:
    """Start (or join) the cluster in ``cluster_dir`` and ensure ``database`` exists."""
    cluster_dir = Path(cluster_dir).resolve()
    with _lock:
        existing = _servers.get(cluster_dir)
        if existing is not None:
            return existing
        pgserver = _import_pgserver()

        cluster_dir.mkdir(parents=True, exist_ok=True)
        _forget_dead_handles(cluster_dir)
        # Debug: `serve` tells people itself; for one-shot commands it is noise.
        logger.debug("starting embedded PostgreSQL", extra={"cluster_dir": str(cluster_dir)})
        server = pgserver.get_server(cluster_dir, cleanup_mode="stop")
        info = server.get_postmaster_info()
        embedded = EmbeddedDatabase(
            cluster_dir=cluster_dir,
            socket_dir=str(info.socket_dir),
            port=int(info.port or 5432),
            server=server,
        )
        _ensure_database(embedded.socket_dir, embedded.port, database)
        _servers[cluster_dir] = embedded
        return embedded


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


def _ensure_database(socket_dir: str, port: int, database: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(
        host=socket_dir, port=port, user=SUPERUSER, dbname="postgres", autocommit=True
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
