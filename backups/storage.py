"""The backup folder (DATA_DIR/backups): names, listing, pruning and leftovers.

A backup is written under a temporary name (".partial-<pid>-<name>") and
renamed into place only when complete, so a listed file is always whole. A
process stopped half-way (SIGTERM cleans up itself; SIGKILL or a power cut
cannot) leaves a partial file, removed by :func:`remove_leftovers` once its
writer's process is gone.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psutil
from django.conf import settings

logger = logging.getLogger(__name__)

PREFIX = "comradarr-backup-"
SUFFIX = ".tar"
PARTIAL = ".partial-"
#: A name this folder may hold: what :func:`new_name` makes (and nothing with a slash).
NAME_PATTERN = re.compile(r"^comradarr-backup-\d{8}-\d{6}(?:-[a-z0-9-]{1,40})?\.tar$")
_PARTIAL_PATTERN = re.compile(r"^\.partial-(\d+)-(.+)$")


def backup_dir() -> Path:
    path = Path(getattr(settings, "BACKUP_DIR", None) or settings.DATA_DIR / "backups")
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def new_name(trigger: str, now: datetime | None = None) -> str:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    suffix = "" if trigger in ("manual", "cli") else f"-{trigger}"
    name = f"{PREFIX}{stamp}{suffix}{SUFFIX}"
    counter = 1
    while (backup_dir() / name).exists():
        counter += 1
        name = f"{PREFIX}{stamp}{suffix}-{counter}{SUFFIX}"
    return name


def partial_path(name: str) -> Path:
    return backup_dir() / f"{PARTIAL}{os.getpid()}-{name}"


def path_of(name: str) -> Path:
    """The file of a listed backup; ValueError for any other name (no path tricks)."""
    if not NAME_PATTERN.match(name or ""):
        raise ValueError("not the name of a backup in the backup folder")
    path = backup_dir() / name
    if not path.is_file() or path.is_symlink():
        raise FileNotFoundError(f"no backup named {name}")
    return path


@dataclass(frozen=True)
class StoredBackup:
    name: str
    path: Path
    size: int
    modified: datetime

    @property
    def trigger(self) -> str:
        stem = self.name[len(PREFIX) : -len(SUFFIX)]
        tail = stem[16:].lstrip("-")
        return tail.split("-")[0] if tail and not tail.isdigit() else "manual"


def stored_backups() -> list[StoredBackup]:
    """The complete backups in the folder, newest first."""
    found = []
    for path in backup_dir().iterdir():
        if not NAME_PATTERN.match(path.name) or not path.is_file() or path.is_symlink():
            continue
        info = path.stat()
        modified = datetime.fromtimestamp(info.st_mtime, tz=UTC)
        found.append(StoredBackup(path.name, path, info.st_size, modified))
    return sorted(found, key=lambda b: (b.name, b.modified), reverse=True)


def prune(keep: int, *, trigger: str = "scheduled") -> list[str]:
    """Delete the oldest backups made by ``trigger`` beyond the newest ``keep``; their names."""
    mine = [b for b in stored_backups() if b.trigger == trigger]
    removed = []
    for old in mine[keep:]:
        with contextlib.suppress(FileNotFoundError):
            old.path.unlink()
            removed.append(old.name)
    if removed:
        logger.info("old backups removed", extra={"removed": removed})
    return removed


def remove_leftovers() -> list[str]:
    """Delete partial files whose writing process is gone; their names."""
    removed = []
    for path in backup_dir().iterdir():
        match = _PARTIAL_PATTERN.match(path.name)
        if not match:
            continue
        pid = int(match.group(1))
        if psutil.pid_exists(pid):
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        removed.append(path.name)
    if removed:
        logger.warning("removed unfinished backup files", extra={"removed": removed})
    return removed


def upload_dir() -> Path:
    """Where an uploaded backup waits for the user's confirmation (inside the backup folder)."""
    path = backup_dir() / ".uploads"
    path.mkdir(exist_ok=True, mode=0o700)
    return path
