"""Backup -> wipe -> restore gives back the same database, table by table."""

from __future__ import annotations

import json
import tarfile

import pytest

from backups import storage
from backups.models import BackupRun
from backups.services import backup_create, backup_restore
from connectors.models import Connector
from notifications.models import NotificationChannel
from queueing.models import SweepSchedule
from tests.backups.helpers import sample_configuration, table_checksums
from tests.content.builders import make_connector

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def backup_folder(tmp_path, settings):
    settings.BACKUP_DIR = tmp_path / "backups"
    return settings.BACKUP_DIR


def test_backup_file_holds_manifest_dump_and_config(backup_folder):
    sample_configuration()
    run = backup_create(trigger=BackupRun.Trigger.CLI)
    path = backup_folder / run.file_name
    with tarfile.open(path) as tar:
        assert sorted(tar.getnames()) == ["config.json", "database.dump", "manifest.json"]
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["app_version"] == "0.1.0"
    assert "0001_backup_runs" in manifest["migrations"]["backups"]
    assert len(manifest["database"]["dump"]["sha256"]) == 64
    assert manifest["secrets"]["key_included"] is False
    assert "same SECRET_KEY" in manifest["secrets"]["note"]
    assert manifest["created_at"].endswith("+00:00")
    assert run.status == "succeeded" and run.size_bytes == path.stat().st_size
    # Nothing but the finished file is left in the folder.
    assert [p.name for p in backup_folder.iterdir()] == [run.file_name]


def test_backup_wipe_restore_gives_identical_tables(backup_folder):
    sample_configuration()
    before = table_checksums()
    run = backup_create(trigger=BackupRun.Trigger.CLI)

    Connector.objects.all().delete()
    NotificationChannel.objects.all().delete()
    make_connector("Radarr", "radarr")
    assert table_checksums() != before

    result = backup_restore(backup_folder / run.file_name, mode="full")

    assert table_checksums() == before
    connector = Connector.objects.get()
    assert connector.api_key.endswith("9f3e")  # the secret still decrypts
    assert NotificationChannel.objects.get().secrets == {"topic": "my-secret-topic"}
    assert SweepSchedule.objects.filter(cron="17 */5 * * *").count() == 1
    # The state just before the restore was kept, and the restore is in the ledger.
    assert result.safety_backup in {b.name for b in storage.stored_backups()}
    restore_run = BackupRun.objects.get(kind="restore")
    assert restore_run.status == "succeeded" and "Full restore" in restore_run.message
