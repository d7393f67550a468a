"""Backups and restores: the service calls the UI, the tasks and manage.py share.

One at a time (the "backup" advisory lock), each recorded as a BackupRun,
each stopped cleanly by SIGTERM (backups.shutdown). A backup emits
backup_completed or backup_failed; a scheduled one prunes the older
scheduled backups afterwards.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from backups import archive, configdoc, pgtools, rekey, storage
from backups.manifest import InvalidBackup, Manifest, check_restorable
from backups.models import BackupRun
from backups.sealing import check_passphrase_text
from backups.shutdown import Interrupted, stop_cleanly_on_sigterm
from comradarr import events
from comradarr.locks import advisory_lock

logger = logging.getLogger(__name__)

Progress = Callable[[str], None]
MODES = ("full", "config")


class BackupError(RuntimeError):
    """A backup or restore did not happen; the message is for the user."""


def _keep() -> int:
    return int(getattr(settings, "BACKUP_KEEP", 7))


def _stepper(run: BackupRun, progress: Progress | None) -> Progress:
    def step(text: str) -> None:
        BackupRun.objects.filter(pk=run.pk).update(step=text[:200])
        if progress:
            progress(text)

    return step


def run_start(kind: str, trigger: str, **fields) -> BackupRun:
    return BackupRun.objects.create(kind=kind, trigger=trigger, started_at=timezone.now(), **fields)


def _finish(run: BackupRun, status: str, **fields) -> None:
    fields |= {"status": status, "finished_at": timezone.now(), "step": ""}
    for name, value in fields.items():
        setattr(run, name, value)
    BackupRun.objects.filter(pk=run.pk).update(**fields)


def _failure_text(exc: BaseException) -> str:
    if isinstance(exc, (BackupError, InvalidBackup, pgtools.PgToolError, Interrupted,
                        configdoc.ConfigError, ValueError, OSError)):  # fmt: skip
        return str(exc) or exc.__class__.__name__
    return f"unexpected error ({exc.__class__.__name__}): see the log"


# ------------------------------------------------------------------ backup


def backup_create(
    *,
    trigger: str = BackupRun.Trigger.MANUAL,
    include_key: bool = False,
    passphrase: str = "",
    run: BackupRun | None = None,
    progress: Progress | None = None,
    output: Path | None = None,
) -> BackupRun:
    """Write a backup; the finished run (file_name, size). Raises BackupError on failure."""
    run = run or run_start(BackupRun.Kind.BACKUP, trigger)
    try:
        if include_key:
            check_passphrase_text(passphrase)
        with stop_cleanly_on_sigterm(), advisory_lock("backup") as acquired:
            if not acquired:
                raise BackupError("another backup or restore is running; try again when it ends")
            path = archive.write_backup(
                trigger=trigger,
                include_key=include_key,
                passphrase=passphrase,
                progress=_stepper(run, progress),
                output=output,
            )
    except Exception as exc:  # every failure is recorded and announced, then raised
        text = _failure_text(exc)
        logger.error(
            "backup failed",
            extra={"error": text},
            exc_info=not isinstance(
                exc, (BackupError, InvalidBackup, pgtools.PgToolError, Interrupted, ValueError)
            ),
        )
        with transaction.atomic():  # the event's outbox row commits with the run's outcome
            _finish(run, BackupRun.Status.FAILED, error=text)
            events.emit(events.backup_failed, run=run, error=text)
        raise BackupError(text) from exc
    with transaction.atomic():
        _finish(
            run, BackupRun.Status.SUCCEEDED, file_name=path.name, size_bytes=path.stat().st_size
        )
        events.emit(events.backup_completed, run=run, path=path)
    logger.info("backup written", extra={"file": path.name, "bytes": run.size_bytes})
    if trigger == BackupRun.Trigger.SCHEDULED:
        storage.prune(_keep(), trigger=BackupRun.Trigger.SCHEDULED)
    return run


def backup_delete(name: str) -> None:
    storage.path_of(name).unlink()


# ------------------------------------------------------------------ restore


@dataclass
class RestoreResult:
    manifest: Manifest
    mode: str
    safety_backup: str = ""
    migrated: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        what = "Full restore" if self.mode == "full" else "Configuration restore"
        text = f"{what} of the backup from {self.manifest.created_at[:19]} UTC done."
        return " ".join([text, *self.notes])


def backup_restore(
    path: Path,
    *,
    mode: str = "full",
    passphrase: str = "",
    safety_backup: bool = True,
    trigger: str = BackupRun.Trigger.CLI,
    run: BackupRun | None = None,
    progress: Progress | None = None,
) -> RestoreResult:
    """Verify, then restore ``path`` (``full`` or ``config`` only); BackupError, InvalidBackup.

    Nothing is changed until the backup was unpacked safely, its manifest read,
    its checksums matched and this install found able to restore it.
    """
    if mode not in MODES:
        raise BackupError(f"mode must be one of {', '.join(MODES)}")
    run = run or run_start(BackupRun.Kind.RESTORE, trigger, mode=mode, file_name=path.name[:200])
    token, started = run.token, run.started_at
    step = _stepper(run, progress)
    try:
        with stop_cleanly_on_sigterm(), advisory_lock("backup") as acquired:
            if not acquired:
                raise BackupError("another backup or restore is running; try again when it ends")
            result = _restore_locked(path, mode, passphrase, safety_backup, step)
    except Exception as exc:
        text = _failure_text(exc)
        logger.error("restore failed", extra={"error": text})
        _finish(run, BackupRun.Status.FAILED, error=text)
        if isinstance(exc, (InvalidBackup, BackupError)):
            raise
        raise BackupError(text) from exc
    # A full restore replaced this table with the backup's copy: write the run again.
    BackupRun.objects.update_or_create(
        token=token,
        defaults={
            "kind": BackupRun.Kind.RESTORE,
            "trigger": trigger,
            "mode": mode,
            "file_name": path.name[:200],
            "started_at": started,
            "finished_at": timezone.now(),
            "status": BackupRun.Status.SUCCEEDED,
            "step": "",
            "message": result.summary(),
        },
    )
    logger.info("restore done", extra={"mode": mode, "file": path.name})
    return result


def _restore_locked(
    path: Path, mode: str, passphrase: str, safety_backup: bool, step: Progress
) -> RestoreResult:
    with archive.open_backup(path, passphrase=passphrase, progress=step) as opened:
        manifest = opened.manifest
        pending = check_restorable(manifest)
        result = RestoreResult(manifest=manifest, mode=mode)
        if safety_backup:
            step("taking a safety backup of the current database")
            safety = archive.write_backup(trigger=BackupRun.Trigger.SAFETY)
            result.safety_backup = safety.name
            result.notes.append(f"The database as it was is kept in {safety.name}.")
        if mode == "full":
            _restore_full(opened, step, result, pending)
        else:
            _restore_config(opened, step, result)
    return result


def _restore_full(opened, step: Progress, result: RestoreResult, pending: list[str]) -> None:
    step("restoring the database (pg_restore)")
    live = pgtools.target()
    pgtools.check_compatible(live)
    pgtools.restore_replacing(live, opened.dump, opened.directory)
    # Our connection's caches describe the replaced database.
    connection.close()
    ContentType.objects.clear_cache()
    if pending:
        step("migrating the restored database")
    call_command("migrate", interactive=False, verbosity=0)
    result.migrated = pending
    if pending:
        result.notes.append(f"{len(pending)} migration(s) applied after the restore.")
    _settle_key(opened, result, document=None)
    result.notes.append("Sign in again with the account the backup holds.")


def _restore_config(opened, step: Progress, result: RestoreResult) -> None:
    step("restoring the configuration")
    document = configdoc.parse_document(opened.config.read_bytes())
    _settle_key(opened, result, document=document)
    report = configdoc.config_import(document)
    result.notes.append(f"Configuration: {report.summary()}.")


def _settle_key(opened, result: RestoreResult, *, document: dict | None) -> None:
    """Make the restored secrets readable with this install's SECRET_KEY, or say they are not."""
    if opened.manifest.same_key():
        return
    if opened.secret_key:
        if document is None:
            count = rekey.reencrypt_all(opened.secret_key)
        else:
            rekey.reencrypt_document(document, opened.secret_key)
            count = 0
        result.notes.append(
            "The backup's secrets were re-encrypted with this install's key"
            + (f" ({count} values)." if count else ".")
        )
    elif document is not None:
        # Ciphertexts this key cannot read would break every page that shows the row.
        rekey.drop_document_secrets(document)
        result.notes.append(
            "This backup was made with another SECRET_KEY: its secrets were left out "
            "(existing ones kept); enter the missing API keys and credentials again."
        )
    else:
        result.notes.append(
            "Warning: this backup was made with another SECRET_KEY; its API keys and "
            "notification credentials cannot be read here. Set SECRET_KEY to the original "
            "key, or enter them again."
        )
