"""Thin django-q2 tasks: load by token, call the service, record failures on the run row."""

from __future__ import annotations

import logging
from pathlib import Path

from backups import storage
from backups.manifest import InvalidBackup
from backups.models import BackupRun
from backups.services import BackupError, backup_create, backup_restore
from comradarr import crypto

logger = logging.getLogger(__name__)

#: Dotted paths for async_task (the page and the schedule name them).
CREATE_TASK = "backups.tasks.create_backup"
RESTORE_TASK = "backups.tasks.restore_backup"


def create_backup(token: str, include_key: bool = False, sealed_passphrase: str = "") -> None:
    """A backup asked for from the UI; its run row was made when it was enqueued.

    The passphrase travels encrypted with the instance key: django-q2 keeps a task's
    arguments in its tables.
    """
    run = BackupRun.objects.filter(token=token, status=BackupRun.Status.RUNNING).first()
    if run is None:
        return  # already done (a re-delivered task) or gone
    passphrase = crypto.decrypt(sealed_passphrase) if sealed_passphrase else ""
    try:
        backup_create(trigger=run.trigger, run=run, include_key=include_key, passphrase=passphrase)
    except BackupError:
        return  # recorded on the run and announced (backup_failed)


def scheduled_backup() -> None:
    """The daily backup: leftovers of an interrupted one removed first, old ones pruned after."""
    storage.remove_leftovers()
    try:
        backup_create(trigger=BackupRun.Trigger.SCHEDULED)
    except BackupError:
        return


def restore_backup(token: str, path: str, mode: str, sealed_passphrase: str = "") -> None:
    """A restore confirmed in the UI; the uploaded file is removed afterwards.

    The passphrase travels encrypted with the instance key (``crypto.encrypt``): django-q2
    keeps a task's arguments in its tables.
    """
    passphrase = crypto.decrypt(sealed_passphrase) if sealed_passphrase else ""
    run = BackupRun.objects.filter(token=token, status=BackupRun.Status.RUNNING).first()
    upload = Path(path)
    try:
        if run is None:
            return
        backup_restore(upload, mode=mode, passphrase=passphrase, trigger=run.trigger, run=run)
    except (BackupError, InvalidBackup):
        return  # recorded on the run row
    finally:
        if upload.parent == storage.upload_dir():
            upload.unlink(missing_ok=True)
