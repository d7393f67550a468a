"""The embedded PostgreSQL's configuration, sized for the 256 MB minimum machine.

PostgreSQL's defaults assume a database server with memory to spare
(128 MB of shared buffers alone). Every shared-buffer page a process touches
counts in the install's memory, so on a small machine they are kept small and
the operating system's page cache, which gives its memory back when others
need it, caches the rest of the files. Measured effects are in
benchmarks/README.md.

Written to ``comradarr.conf`` in the cluster, included at the end of
postgresql.conf, before every start of the embedded server; settings made
with ALTER SYSTEM (postgresql.auto.conf, read after it) still win. An
external PostgreSQL (DATABASE_URL) is never touched.
"""

from __future__ import annotations

from pathlib import Path

CONF_NAME = "comradarr.conf"
INCLUDE_LINE = f"include_if_exists = '{CONF_NAME}'"

#: Connections serve's processes keep with the default process model are about
#: a dozen; this leaves room for `manage.py` commands and a few more workers.
DEFAULT_MAX_CONNECTIONS = 30


def connections_needed(*, web_workers: int, web_threads: int, task_workers: int) -> int:
    """Connections the process model can hold at once, plus room for commands.

    Each web thread keeps its own connection (CONN_MAX_AGE); the task cluster
    holds three (guard, pusher, monitor) and each task worker one, plus one for
    a sync's helper thread; ten more for `manage.py` commands and serve itself.
    Each process's log writer (comradarr/logbook/handler.py) connects briefly
    every few seconds: one more per process (gunicorn's master and workers,
    the cluster and its workers).
    """
    log_writers = 1 + web_workers + 1 + task_workers
    needed = web_workers * web_threads + 3 + 2 * task_workers + 10 + log_writers
    return max(DEFAULT_MAX_CONNECTIONS, needed)


def settings_text(max_connections: int = DEFAULT_MAX_CONNECTIONS) -> str:
    """The contents of comradarr.conf, each value with its reason."""
    values = [
        (
            "max_connections",
            str(max_connections),
            "serve's processes and `manage.py` commands (comradarr/embedded_pg/tuning.py "
            "connections_needed); each slot reserves shared memory",
        ),
        (
            "shared_buffers",
            "'32MB'",
            "PostgreSQL's own page cache, counted in the install's memory as it is touched "
            "(default 128MB); the OS page cache holds the rest of the files",
        ),
        (
            "work_mem",
            "'4MB'",
            "per sort or hash step of a query, PostgreSQL's default stated: the sweep's "
            "discovery and the sync's merge stay within it at 500,000 episodes",
        ),
        (
            "maintenance_work_mem",
            "'16MB'",
            "VACUUM, index builds (default 64MB): the nightly VACUUM ANALYZE of the big "
            "tables takes a little longer, never more memory",
        ),
        (
            "autovacuum_max_workers",
            "2",
            "each autovacuum worker is a process with its own maintenance memory (default 3)",
        ),
        (
            "max_parallel_workers_per_gather",
            "0",
            "a parallel query starts extra processes, each with its own work_mem; on the "
            "1-2 cores this runs on they gain little",
        ),
        ("jit", "off", "LLVM compilation costs tens of MB in a backend, for little gain here"),
        ("huge_pages", "off", "never needed at this size, and never a reason not to start"),
        (
            "effective_cache_size",
            "'256MB'",
            "a planner estimate only (allocates nothing): a small machine's page cache",
        ),
    ]
    lines = [
        "# Written by Comradarr before each start of its embedded PostgreSQL",
        "# (comradarr/embedded_pg/tuning.py); changes here are overwritten.",
        "# To override a value, use ALTER SYSTEM: postgresql.auto.conf wins.",
    ]
    lines += [f"{name} = {value}\t# {why}" for name, value, why in values]
    return "\n".join(lines) + "\n"


def write(cluster_dir: Path, max_connections: int = DEFAULT_MAX_CONNECTIONS) -> bool:
    """Write comradarr.conf and include it from postgresql.conf; True when something changed.

    Takes effect at the server's next start (a reload applies all but
    max_connections and shared_buffers).
    """
    cluster_dir = Path(cluster_dir)
    main_conf = cluster_dir / "postgresql.conf"
    changed = False
    text = main_conf.read_text()
    if INCLUDE_LINE not in text.splitlines():
        with main_conf.open("a") as conf:
            conf.write(f"\n# Comradarr's settings for a small machine\n{INCLUDE_LINE}\n")
        changed = True
    ours = cluster_dir / CONF_NAME
    wanted = settings_text(max_connections)
    if not ours.exists() or ours.read_text() != wanted:
        ours.write_text(wanted)
        changed = True
    return changed
