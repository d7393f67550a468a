"""pg_dump, pg_restore and psql from the PostgreSQL binaries Comradarr already ships.

The embedded database's `pgserver` wheel carries the client programs beside
the server, so an embedded install and one on an external DATABASE_URL use
the same ones. A client can dump a server of its own major version or an
older one, never a newer one: that case is refused up front with a message
saying which versions met (pg_dump would fail half-way with a terser one).
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.db import connection

#: Seconds a dump or a restore may take before it is stopped (a 500,000-episode mirror
#: dumps in well under a minute; this only guards against a hung server).
COMMAND_TIMEOUT_SECONDS = 3600


class PgToolError(RuntimeError):
    """A PostgreSQL client program could not do its job; the message says why."""


def bin_dir() -> Path:
    from comradarr.embedded_db import _import_pgserver

    _import_pgserver()  # quiet import (XDG_RUNTIME_DIR warning)
    from pgserver._commands import POSTGRES_BIN_PATH

    return Path(POSTGRES_BIN_PATH)


def program(name: str) -> str:
    path = bin_dir() / name
    if not path.exists():
        raise PgToolError(f"{name} is missing from the PostgreSQL binaries in {path.parent}")
    return str(path)


def client_version() -> tuple[int, str]:
    """(major, full text) of the bundled pg_dump, e.g. (16, '16.2')."""
    out = subprocess.run(
        [program("pg_dump"), "--version"], capture_output=True, text=True, check=True, timeout=30
    ).stdout
    match = re.search(r"(\d+)(?:\.(\d+))?", out)
    if not match:
        raise PgToolError(f"cannot read pg_dump's version from {out.strip()!r}")
    return int(match.group(1)), match.group(0)


#: libpq connection options Django may pass (DATABASES OPTIONS) -> the client programs' env.
_LIBPQ_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
    "options": "PGOPTIONS",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}


@dataclass(frozen=True)
class Target:
    """How the client programs reach the live database: arguments and environment."""

    dbname: str
    host: str
    port: str
    user: str
    password: str
    server_version: str  # e.g. "16.2"
    server_major: int
    extra_env: tuple[tuple[str, str], ...] = ()

    def args(self, *, dbname: str | None = None) -> list[str]:
        args = ["--dbname", dbname or self.dbname, "--no-password"]
        if self.host:
            args += ["--host", self.host]
        if self.port:
            args += ["--port", self.port]
        if self.user:
            args += ["--username", self.user]
        return args

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env.update(dict(self.extra_env))
        if self.password:
            env["PGPASSWORD"] = self.password
        return env


def target() -> Target:
    """The live database as Django reaches it (the embedded one is started if needed)."""
    connection.ensure_connection()
    params = connection.get_connection_params()
    info = connection.connection.info
    number = info.server_version  # e.g. 160002
    major = number // 10000
    version = f"{major}.{number % 10000}" if major >= 10 else str(number)
    return Target(
        dbname=str(params.get("dbname") or connection.settings_dict["NAME"]),
        host=str(params.get("host") or ""),
        port=str(params.get("port") or ""),
        user=str(params.get("user") or ""),
        password=str(params.get("password") or ""),
        server_version=version,
        server_major=major,
        extra_env=tuple(
            (variable, str(params[option]))
            for option, variable in _LIBPQ_ENV.items()
            if params.get(option) not in (None, "")
        ),
    )


def check_compatible(live: Target) -> str:
    """The client's version text, or PgToolError when the server is newer than the client."""
    client_major, client_text = client_version()
    if live.server_major > client_major:
        raise PgToolError(
            f"the database server is PostgreSQL {live.server_version}, newer than the "
            f"bundled client tools ({client_text}); pg_dump cannot read a newer server. "
            "Use the server's own pg_dump, or a Comradarr release with newer PostgreSQL binaries."
        )
    return client_text


def _run(argv: list[str], env: dict[str, str], *, what: str, stdin=None) -> None:
    try:
        result = subprocess.run(
            argv,
            env=env,
            stdin=stdin,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=COMMAND_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise PgToolError(f"{what} took longer than {COMMAND_TIMEOUT_SECONDS} s") from None
    if result.returncode != 0:
        detail = result.stderr.decode("utf-8", errors="replace").strip().splitlines()
        raise PgToolError(f"{what} failed: {' / '.join(detail[-5:]) or result.returncode}")


def dump(live: Target, destination: Path) -> None:
    """pg_dump the whole database in custom format (-Fc) to ``destination``."""
    argv = [program("pg_dump"), "--format=custom", "--file", str(destination), *live.args()]
    _run(argv, live.env(), what="pg_dump")


def dump_list(dump_file: Path) -> str:
    """pg_restore --list of a dump: raises PgToolError for a file that is not one."""
    result = subprocess.run(
        [program("pg_restore"), "--list", str(dump_file)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise PgToolError(f"the database dump cannot be read: {result.stderr.strip()[:300]}")
    return result.stdout


#: Run before the dump's own SQL, in the same transaction: everything in the public schema
#: is dropped (not the schema itself, which an external server's user may not own), so
#: tables that only newer migrations made are gone too and `migrate` can make them again.
#: Running tasks keep their locks until they finish; the restore waits for them this long.
_PREAMBLE = """SET lock_timeout = '60s';
SET client_min_messages = warning;
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT c.relname, c.relkind FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
           -- Tables first: an identity column's sequence goes with its table.
           ORDER BY c.relkind = 'S', c.relname
  LOOP
    EXECUTE format(
      'DROP %s IF EXISTS public.%I CASCADE',
      CASE r.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                     WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
      r.relname);
  END LOOP;
END $$;
"""
#: Run after it: tasks that were queued when the backup was taken are stale now (one of
#: them may be the very backup task that made the file), schedules stay.
_EPILOGUE = "\nDELETE FROM public.django_q_ormq;\n"


def restore_replacing(live: Target, dump_file: Path, work_dir: Path) -> None:
    """Replace the live database's contents with the dump, in one transaction.

    pg_restore writes the dump as SQL, and psql runs the preamble, that SQL and
    the epilogue with --single-transaction and ON_ERROR_STOP: a failure at any
    point leaves the live database as it was.
    """
    sql_file = work_dir / "restore.sql"
    argv = [
        program("pg_restore"),
        "--no-owner",
        "--no-privileges",
        "--file",
        str(sql_file),
        str(dump_file),
    ]
    _run(argv, live.env(), what="pg_restore")
    script = work_dir / "restore-all.sql"
    with script.open("w", encoding="utf-8") as out:
        out.write(_PREAMBLE)
        out.write(f"\\i {_psql_quote(str(sql_file))}\n")
        out.write(_EPILOGUE)
    argv = [
        program("psql"),
        "--quiet",
        "--single-transaction",
        "--set",
        "ON_ERROR_STOP=1",
        "--file",
        str(script),
        *live.args(),
    ]
    _run(argv, live.env(), what="the restore (psql)")


def _psql_quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
