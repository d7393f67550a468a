"""The memory footprint of a running install: every process with its RSS and PSS.

An install is one `serve` process tree (serve, gunicorn's master and workers,
the django-q2 cluster's processes) plus the embedded PostgreSQL's processes,
which pg_ctl starts outside that tree. RSS counts every page a process maps;
PSS divides each shared page among the processes sharing it, so the PSS of
all processes adds up to what the install really takes, and it is the figure
the sizing goals use. Both come from /proc/<pid>/smaps_rollup (one read per
process; Linux 4.14 and later).

Used by `manage.py footprint`, the footprint page and benchmarks/footprint.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil

from comradarr import embedded_db
from comradarr.embedded_keeper import LOCK_SUFFIX

KIB = 1024

# The names serve's forked children give themselves (comradarr.serving,
# comradarr.task_cluster); they keep serve's command line.
_FORKED_ROLES = {
    "cr-web": "gunicorn master",
    "cr-web-worker": "gunicorn worker",
    "cr-tasks": "django-q2 cluster (sentinel, pusher, monitor)",
    "cr-task-worker": "django-q2 worker",
}

# PostgreSQL's own processes, by the title they give themselves; any other
# "postgres: ..." process serves one client connection.
_POSTGRES_BACKGROUND = (
    "checkpointer",
    "background writer",
    "walwriter",
    "autovacuum launcher",
    "autovacuum worker",
    "logical replication launcher",
    "parallel worker",
    "startup",
    "archiver",
    "stats collector",
)


@dataclass(frozen=True)
class ProcessMemory:
    """One process of the install; sizes in bytes (PSS None when /proc does not tell us)."""

    pid: int
    role: str
    rss: int
    pss: int | None

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Footprint:
    """Every process of one install, largest PSS first, and the sums."""

    processes: tuple[ProcessMemory, ...]

    @property
    def rss_total(self) -> int:
        return sum(p.rss for p in self.processes)

    @property
    def pss_total(self) -> int:
        return sum(p.pss or 0 for p in self.processes)

    @property
    def pss_complete(self) -> bool:
        """False when some process's PSS could not be read (then the total is a floor)."""
        return all(p.pss is not None for p in self.processes)

    def as_dict(self) -> dict:
        return {
            "processes": [p.as_dict() for p in self.processes],
            "count": len(self.processes),
            "rss_total": self.rss_total,
            "pss_total": self.pss_total,
            "pss_complete": self.pss_complete,
        }


def parse_smaps_rollup(text: str) -> dict[str, int]:
    """The ``Field: N kB`` lines of smaps_rollup as bytes, by field name.

    The first line (the address range of the rollup) and anything that is not
    a size in kB are skipped, so a newer kernel's extra fields do no harm.
    """
    sizes: dict[str, int] = {}
    for line in text.splitlines():
        name, sep, rest = line.partition(":")
        parts = rest.split()
        if not sep or len(parts) != 2 or parts[1] != "kB" or not parts[0].isdigit():
            continue
        sizes[name.strip()] = int(parts[0]) * KIB
    return sizes


def read_memory(pid: int, proc: Path = Path("/proc")) -> tuple[int, int] | None:
    """(RSS, PSS) of ``pid`` in bytes from smaps_rollup, or None if it cannot be read."""
    try:
        text = (proc / str(pid) / "smaps_rollup").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    sizes = parse_smaps_rollup(text)
    if "Rss" not in sizes or "Pss" not in sizes:
        return None
    return sizes["Rss"], sizes["Pss"]


def _cmdline(process: psutil.Process) -> list[str]:
    try:
        return process.cmdline()
    except psutil.Error:
        return []


def _name(process: psutil.Process) -> str:
    try:
        return process.name()
    except psutil.Error:
        return ""


def is_serve(process: psutil.Process) -> bool:
    """Whether ``process`` is `manage.py serve` itself (not a child it forked)."""
    argv = _cmdline(process)
    return (
        any(Path(arg).name in {"manage.py", "django-admin"} for arg in argv[:3])
        and "serve" in argv[1:4]
        and _name(process) not in _FORKED_ROLES
    )


def find_serve(cluster_dir: Path | None) -> psutil.Process | None:
    """The `serve` of this install: an ancestor of this process, or the cluster's holder."""
    try:
        for ancestor in psutil.Process().parents():
            if is_serve(ancestor):
                return ancestor
    except psutil.Error:
        pass
    if cluster_dir is not None:
        lock = Path(cluster_dir).with_name(Path(cluster_dir).name + LOCK_SUFFIX)
        try:
            holder = psutil.Process(int(lock.read_text().strip()))
        except (OSError, ValueError, psutil.Error):
            holder = None
        if holder is not None and is_serve(holder):
            return holder
    return None


def _role(process: psutil.Process, serve_pid: int | None) -> str:
    """What a process of the install is: from the name serve's children give
    themselves, else (qcluster or gunicorn run by hand) its command line and parent."""
    argv = _cmdline(process)
    joined = " ".join(argv)
    if process.pid == serve_pid:
        return "serve"
    if _name(process) in _FORKED_ROLES:
        return _FORKED_ROLES[_name(process)]
    if argv and argv[0].startswith("postgres:"):
        title = joined.removeprefix("postgres:").strip()
        for name in _POSTGRES_BACKGROUND:
            if title.startswith(name):
                return f"postgres {name}"
        return "postgres connection"
    if argv and Path(argv[0]).name == "postgres":
        return "postgres postmaster"
    try:
        parent = process.parent()
    except psutil.Error:
        parent = None
    parent_argv = _cmdline(parent) if parent is not None else []
    if "gunicorn" in joined:
        return "gunicorn master" if "gunicorn" not in " ".join(parent_argv) else "gunicorn worker"
    if "qcluster" in joined:
        if parent is not None and parent.pid == serve_pid:
            return "django-q2 cluster"
        if "qcluster" in parent_argv and parent is not None and parent.ppid() == serve_pid:
            return "django-q2 sentinel"
        # Workers, monitor and pusher share one command line; the sentinel
        # starts the workers first, then the monitor and the pusher.
        return "django-q2 worker/monitor/pusher"
    return Path(argv[0]).name if argv else process.name()


def install_processes(
    serve: psutil.Process | None, cluster_dir: Path | None
) -> list[psutil.Process]:
    """serve with all its descendants, then the embedded PostgreSQL's processes."""
    found: dict[int, psutil.Process] = {}
    if serve is not None:
        found[serve.pid] = serve
        try:
            for child in serve.children(recursive=True):
                found.setdefault(child.pid, child)
        except psutil.Error:
            pass
    postmaster_pid = embedded_db.running_postmaster(cluster_dir) if cluster_dir else None
    if postmaster_pid is not None:
        try:
            postmaster = psutil.Process(postmaster_pid)
            for process in [postmaster, *postmaster.children(recursive=True)]:
                found.setdefault(process.pid, process)
        except psutil.Error:
            pass
    return list(found.values())


def measure(processes: Iterable[psutil.Process], serve_pid: int | None) -> Footprint:
    """RSS and PSS of each process still alive, largest PSS first."""
    rows = []
    for process in processes:
        memory = read_memory(process.pid)
        if memory is not None:
            rss, pss = memory
        else:
            try:
                rss, pss = process.memory_info().rss, None
            except psutil.Error:
                continue  # gone since it was listed
        try:
            role = _role(process, serve_pid)
        except psutil.Error:
            continue
        rows.append(ProcessMemory(pid=process.pid, role=role, rss=rss, pss=pss))
    rows.sort(key=lambda row: (-(row.pss or 0), row.pid))
    return Footprint(processes=tuple(rows))


def install_footprint(cluster_dir: Path | None, serve_pid: int | None = None) -> Footprint:
    """The footprint of the install on ``cluster_dir`` (None: an external database).

    ``serve_pid`` names the serve process; by default it is found (an ancestor
    of this process, or the holder of the embedded cluster). Without a serve,
    only the embedded PostgreSQL is measured.
    """
    serve = psutil.Process(serve_pid) if serve_pid is not None else find_serve(cluster_dir)
    return measure(install_processes(serve, cluster_dir), serve.pid if serve else None)


def settings_cluster_dir() -> Path | None:
    """The embedded cluster of the configured database, or None for an external one."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    directory = database.get("EMBEDDED_DIR")
    return Path(directory) if directory else None


def megabytes(size: int | None) -> str:
    """Bytes as whole MiB for people ("-" for unknown)."""
    return "-" if size is None else f"{size / (KIB * KIB):.0f} MB"
