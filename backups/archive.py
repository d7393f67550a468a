"""The backup file: one tar holding manifest.json, the database dump and config.json.

Plain backup::

    manifest.json      what it holds (backups.manifest), with the sha256 of the others
    database.dump      pg_dump --format=custom of the whole database
    config.json        the configuration document (backups.configdoc), secrets as stored

With the key file included, every member but the manifest is sealed with the
passphrase (backups.sealing), and ``secret_key.enc`` holds SECRET_KEY.

Reading never trusts the file: its size is checked before it is opened, it is
unpacked only by comradarr.archives.safe_extract into a fresh temporary
directory (paths, links and sizes checked before anything is written), the
members must be exactly the expected ones, and the checksums must match,
all before a restore touches the database.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tarfile
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

from backups import configdoc, pgtools, sealing, storage
from backups.manifest import (
    InvalidBackup,
    Manifest,
    applied_migrations,
    key_fingerprint,
    sha256_file,
)
from comradarr.archives import UnsafeArchive, safe_extract

MANIFEST = "manifest.json"
DUMP = "database.dump"
CONFIG = "config.json"
KEY = "secret_key"
SEALED = ".enc"
#: The largest backup file accepted for a restore (env BACKUP_MAX_MB).
DEFAULT_MAX_BYTES = 2 * 1024**3

Progress = Callable[[str], None]


def max_bytes() -> int:
    return int(getattr(settings, "BACKUP_MAX_BYTES", DEFAULT_MAX_BYTES))


def _noop(step: str) -> None:
    return None


@contextlib.contextmanager
def work_dir(prefix: str):
    """A private temporary directory beside the backups (same disk as the result)."""
    path = Path(tempfile.mkdtemp(prefix=f"{storage.PARTIAL}{os.getpid()}-{prefix}-",
                                 dir=storage.backup_dir()))  # fmt: skip
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def write_backup(
    *,
    trigger: str,
    passphrase: str = "",
    include_key: bool = False,
    progress: Progress = _noop,
    output: Path | None = None,
) -> Path:
    """Make a backup file; returns its path (in the backup folder unless ``output``).

    The file appears under its final name only when complete (written under a
    temporary name, fsynced, renamed). Interrupted, nothing is left behind but
    what :func:`backups.storage.remove_leftovers` removes.
    """
    if include_key:
        sealing.check_passphrase_text(passphrase)
    progress("checking the database tools")
    live = pgtools.target()
    client = pgtools.check_compatible(live)
    name = storage.new_name(trigger)
    final = output or storage.backup_dir() / name
    partial = final.with_name(f"{storage.PARTIAL}{os.getpid()}-{final.name}")
    with work_dir("work") as work:
        try:
            progress("dumping the database (pg_dump)")
            dump = work / DUMP
            pgtools.dump(live, dump)
            progress("exporting the configuration")
            config = work / CONFIG
            config.write_bytes(configdoc.config_export_bytes(secrets="instance"))
            manifest = Manifest(
                app_version=settings.COMRADARR_VERSION,
                created_at=datetime.now(UTC).isoformat(),
                migrations=applied_migrations(),
                dump_sha256=sha256_file(dump),
                dump_bytes=dump.stat().st_size,
                config_sha256=sha256_file(config),
                server_version=live.server_version,
                client_version=client,
                trigger=trigger,
                key_fingerprint=key_fingerprint(),
                key_included=include_key,
            )
            members = [dump, config]
            if include_key:
                progress("encrypting with the passphrase")
                members = _seal(work, passphrase, manifest, [dump, config])
            (work / MANIFEST).write_bytes(manifest.to_json())
            progress("writing the backup file")
            _write_tar(partial, [work / MANIFEST, *members])
            os.replace(partial, final)
        finally:
            partial.unlink(missing_ok=True)
    return final


def _seal(work: Path, passphrase: str, manifest: Manifest, files: list[Path]) -> list[Path]:
    key, manifest.encryption = sealing.new_parameters(passphrase)
    key_file = work / KEY
    key_file.write_text(settings.SECRET_KEY, encoding="utf-8")
    sealed = []
    for plain in [*files, key_file]:
        target = plain.with_name(plain.name + SEALED)
        sealing.seal_file(key, plain, target, plain.name.encode())
        plain.unlink()
        sealed.append(target)
    return sealed


def _write_tar(path: Path, files: list[Path]) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as raw:
        with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
            for file in files:
                info = tar.gettarinfo(str(file), arcname=file.name)
                info.uid = info.gid = 0
                info.uname = info.gname = ""
                info.mode = 0o600
                with file.open("rb") as handle:
                    tar.addfile(info, handle)
        raw.flush()
        os.fsync(raw.fileno())


# ------------------------------------------------------------------ reading


@dataclass
class OpenedBackup:
    """A verified backup unpacked in ``directory`` (removed when the with-block ends)."""

    directory: Path
    manifest: Manifest
    dump: Path
    config: Path
    secret_key: str | None


def read_manifest(path: Path) -> Manifest:
    """Only the manifest (for showing it before asking to confirm); checks nothing else."""
    _check_size(path)
    with work_dir("peek") as work:
        _extract(path, work)
        return _load_manifest(work)


def _check_size(path: Path) -> None:
    size = path.stat().st_size
    if size > max_bytes():
        raise InvalidBackup(
            f"the file is {size // 1024**2} MB, more than the {max_bytes() // 1024**2} MB "
            "a backup may have (BACKUP_MAX_MB)"
        )
    if size == 0:
        raise InvalidBackup("the file is empty")


def _extract(path: Path, destination: Path) -> set[str]:
    try:
        written = safe_extract(path, destination, max_total_bytes=max_bytes(), max_members=10)
    except UnsafeArchive as exc:
        raise InvalidBackup(f"the file was refused: {exc}") from None
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError) as exc:
        raise InvalidBackup(f"the file is damaged or cut short ({exc})") from None
    names = {p.relative_to(destination).as_posix() for p in written}
    if any(p.is_symlink() for p in written):
        raise InvalidBackup("the file was refused: a backup holds no links")
    return names


def _load_manifest(work: Path) -> Manifest:
    path = work / MANIFEST
    if not path.is_file():
        raise InvalidBackup("the file has no manifest.json: it is not a Comradarr backup")
    return Manifest.from_json(path.read_bytes())


@contextlib.contextmanager
def open_backup(path: Path, *, passphrase: str = "", progress: Progress = _noop):
    """Unpack and verify a backup; yields an OpenedBackup. Raises InvalidBackup."""
    _check_size(path)
    with work_dir("restore") as work:
        progress("unpacking the backup")
        names = _extract(path, work)
        manifest = _load_manifest(work)
        sealed = manifest.encryption is not None
        expected = {MANIFEST, DUMP, CONFIG} if not sealed else {
            MANIFEST, DUMP + SEALED, CONFIG + SEALED, KEY + SEALED
        }  # fmt: skip
        if names != expected:
            extra = ", ".join(sorted(names ^ expected)) or "?"
            raise InvalidBackup(f"the file does not hold what a backup holds ({extra})")
        secret = None
        if sealed:
            progress("decrypting")
            secret = _unseal(work, manifest, passphrase)
        progress("verifying checksums")
        _verify(work / DUMP, manifest.dump_sha256, "database dump")
        _verify(work / CONFIG, manifest.config_sha256, "configuration")
        try:
            pgtools.dump_list(work / DUMP)
        except pgtools.PgToolError as exc:
            raise InvalidBackup(str(exc)) from None
        yield OpenedBackup(work, manifest, work / DUMP, work / CONFIG, secret)


def _unseal(work: Path, manifest: Manifest, passphrase: str) -> str:
    if not passphrase:
        raise InvalidBackup("this backup is encrypted: enter its passphrase")
    try:
        key = sealing.key_for(passphrase, manifest.encryption or {})
        for name in (DUMP, CONFIG, KEY):
            sealed = work / (name + SEALED)
            sealing.open_file(key, sealed, work / name, name.encode())
            sealed.unlink()
    except sealing.WrongPassphrase as exc:
        raise InvalidBackup(str(exc)) from None
    except sealing.SealBroken as exc:
        raise InvalidBackup(str(exc)) from None
    return (work / KEY).read_text(encoding="utf-8").strip()


def _verify(path: Path, expected: str, what: str) -> None:
    if sha256_file(path) != expected:
        raise InvalidBackup(
            f"the {what} does not match the manifest's checksum: the file was altered or damaged"
        )


def peek_manifest(path: Path) -> Manifest | None:
    """The manifest of a stored backup for the list page, read from the tar without unpacking;
    None when the file has none (it is still listed, and refused when restored)."""
    try:
        with tarfile.open(path, mode="r:") as tar:
            first = tar.next()
            if first is None or first.name != MANIFEST or not first.isreg():
                return None
            if first.size > 1024 * 1024:
                return None
            handle = tar.extractfile(first)
            return Manifest.from_json(handle.read()) if handle else None
    except (tarfile.TarError, OSError, InvalidBackup):
        return None
