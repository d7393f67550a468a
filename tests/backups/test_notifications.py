"""A backup's outcome reaches the notification outbox as backup_completed or backup_failed."""

from __future__ import annotations

import pytest

from backups.models import BackupRun
from backups.services import BackupError, backup_create
from notifications import catalog
from notifications.models import NotificationEvent

pytestmark = pytest.mark.django_db(transaction=True)


def test_backup_events_are_recorded_for_the_channels(tmp_path, settings, monkeypatch):
    settings.BACKUP_DIR = tmp_path / "backups"
    run = backup_create(trigger=BackupRun.Trigger.SCHEDULED)
    done = NotificationEvent.objects.get(event_type="backup_completed")
    assert run.file_name in done.data["statistics"] and done.severity == "info"
    assert done.data["path"].endswith("/settings/backups/")

    monkeypatch.setattr("backups.pgtools.client_version", lambda: (9, "9.6"))
    with pytest.raises(BackupError):
        backup_create(trigger=BackupRun.Trigger.SCHEDULED)
    failed = NotificationEvent.objects.get(event_type="backup_failed")
    assert failed.severity == "error" and "newer than the bundled" in failed.data["statistics"]
    assert catalog.label("backup_failed") == "Backup failed"
