"""What the Database page shows: the connection, the server, sizes, and the maintenance runs.

Sizes and row counts come from the catalogue in one query (reltuples is the
planner's estimate, refreshed by ANALYZE; an exact COUNT(*) of the big tables
would cost more than the page is worth). The maintenance buttons enqueue work
(queueing.maintenance_runs); this module only reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import connection

from comradarr.models import MaintenanceRun

EMBEDDED_ENGINE = "comradarr.embedded_pg"

_SERVER_SQL = """
SELECT current_setting('server_version'), current_database(),
       pg_database_size(current_database())
"""
# Ordinary and partitioned tables of the schema Django uses; -1 reltuples = never analysed.
_TABLES_SQL = """
SELECT c.relname, c.reltuples::bigint, pg_total_relation_size(c.oid)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema()
ORDER BY pg_total_relation_size(c.oid) DESC, c.relname
"""


@dataclass(frozen=True)
class TableSize:
    name: str
    rows: int | None  # None: not analysed yet
    bytes: int


@dataclass(frozen=True)
class DatabaseOverview:
    embedded: bool
    location: str  # the data directory (embedded) or host:port (external), never a password
    name: str
    server_version: str
    size_bytes: int
    tables: list[TableSize]


def connection_location(db: dict | None = None) -> tuple[bool, str]:
    """(embedded?, where): the cluster directory, or the external server's host and port."""
    db = settings.DATABASES["default"] if db is None else db
    if db.get("ENGINE") == EMBEDDED_ENGINE:
        return True, str(db.get("EMBEDDED_DIR", ""))
    host = db.get("HOST") or "local socket"
    return False, f"{host}:{db['PORT']}" if db.get("PORT") else str(host)


def database_overview() -> DatabaseOverview:
    """The server's facts and every table's size: two queries whatever the table count."""
    with connection.cursor() as cursor:
        cursor.execute(_SERVER_SQL)
        version, name, size = cursor.fetchone()
        cursor.execute(_TABLES_SQL)
        tables = [
            TableSize(name=rel, rows=rows if rows >= 0 else None, bytes=total)
            for rel, rows, total in cursor.fetchall()
        ]
    embedded, location = connection_location()
    return DatabaseOverview(
        embedded=embedded,
        location=location,
        name=name,
        server_version=version,
        size_bytes=size,
        tables=tables,
    )


def server_version() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version')")
        return cursor.fetchone()[0]


def maintenance_recent(limit: int = 5) -> list[MaintenanceRun]:
    """The newest maintenance runs, newest first (the first is the one the page follows)."""
    return list(MaintenanceRun.objects.order_by("-started_at", "-pk")[:limit])
