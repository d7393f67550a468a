"""The ledger of backups and restores the UI follows while they run."""

from __future__ import annotations

import uuid

from django.db import models

from comradarr.runs import RunLedger


class BackupRun(RunLedger):
    """One backup or restore, from enqueue to end; the page polls it by ``token``.

    A full restore replaces this table with the backup's copy; the restore's
    own row is written again afterwards under the same token.
    """

    class Kind(models.TextChoices):
        BACKUP = "backup", "Backup"
        RESTORE = "restore", "Restore"

    class Trigger(models.TextChoices):
        MANUAL = "manual", "From the UI"
        CLI = "cli", "manage.py"
        SCHEDULED = "scheduled", "Scheduled"
        SAFETY = "before-restore", "Before a restore"

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    trigger = models.CharField(max_length=20, choices=Trigger.choices)
    mode = models.CharField(max_length=10, blank=True, help_text="full or config (restores).")
    file_name = models.CharField(max_length=200, blank=True)
    size_bytes = models.BigIntegerField(null=True, blank=True)
    step = models.CharField(max_length=200, blank=True, help_text="What it is doing now.")
    message = models.TextField(blank=True, help_text="What the user should know afterwards.")

    class Meta(RunLedger.Meta):
        indexes = [
            # The page's "latest runs" list: newest first.
            models.Index(fields=["-started_at"], name="backups_run_started_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name or self.token}"
