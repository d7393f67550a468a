"""Configuration-only restore, an older migration state migrated forward, passphrase backups."""

from __future__ import annotations

import tarfile

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from backups import archive
from backups.manifest import InvalidBackup, applied_migrations
from backups.models import BackupRun
from backups.services import backup_create, backup_restore
from connectors.models import Connector
from content.models import Series
from notifications.models import NotificationChannel
from queueing.models import ConnectorThrottle, ThrottleProfile
from tests.backups.helpers import sample_configuration, table_checksums

pytestmark = pytest.mark.django_db(transaction=True)

PASSPHRASE = "correct horse battery staple"


@pytest.fixture(autouse=True)
def backup_folder(tmp_path, settings):
    settings.BACKUP_DIR = tmp_path / "backups"
    return settings.BACKUP_DIR


def _add_series(connector: Connector, title: str) -> Series:
    return Series.objects.create(
        connector=connector, arr_id=Series.objects.count() + 1, title=title, sort_title=title
    )


def test_configuration_only_restore_keeps_the_library(backup_folder):
    sample = sample_configuration()
    run = backup_create(trigger=BackupRun.Trigger.CLI)
    connector = sample["connector"]
    # After the backup: the configuration changes and the library grows.
    _add_series(connector, "Added later")
    connector.url = "http://changed:1"
    connector.save()
    NotificationChannel.objects.all().delete()
    ThrottleProfile.objects.filter(name="gentle").update(commands_per_hour=99)

    result = backup_restore(backup_folder / run.file_name, mode="config")

    connector.refresh_from_db()
    assert connector.url == "http://127.0.0.1:1" and connector.api_key.endswith("9f3e")
    assert ThrottleProfile.objects.get(name="gentle").commands_per_hour == 3
    assert ConnectorThrottle.objects.get(connector=connector).profile.name == "gentle"
    channel = NotificationChannel.objects.get(name="Phone")
    assert channel.secrets == {"topic": "my-secret-topic"}
    assert list(channel.connectors.all()) == [connector]
    # The library is not configuration: the series added after the backup stays.
    assert Series.objects.filter(title="Added later").exists()
    assert "Configuration:" in result.summary()


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def test_backup_from_an_older_migration_state_is_restored_and_migrated(backup_folder):
    sample_configuration()
    later = sorted(m for m in applied_migrations()["api"] if m > "0001_api_keys")
    assert "0002_api_key_usage" in later
    _migrate([("api", "0001_api_keys")])  # the state an older version left
    try:
        old = archive.write_backup(trigger="cli")
    finally:
        _migrate([("api", later[-1])])
    assert "0002_api_key_usage" not in archive.read_manifest(old).migrations["api"]

    result = backup_restore(old, mode="full", safety_backup=False)

    assert result.migrated == [f"api.{name}" for name in later]
    assert "0002_api_key_usage" in applied_migrations()["api"]
    with connection.cursor() as cursor:  # the table that migration makes is there again
        cursor.execute("SELECT count(*) FROM api_apikeyusage")
        assert cursor.fetchone() == (0,)
    assert Connector.objects.get().name == "Sonarr (Main)"


def test_backup_with_the_key_is_encrypted_and_needs_the_passphrase(backup_folder, settings):
    sample_configuration()
    before = table_checksums()
    run = backup_create(trigger=BackupRun.Trigger.CLI, include_key=True, passphrase=PASSPHRASE)
    path = backup_folder / run.file_name
    with tarfile.open(path) as tar:
        names = sorted(tar.getnames())
        raw = b"".join(tar.extractfile(n).read() for n in names if n != "manifest.json")
    assert names == ["config.json.enc", "database.dump.enc", "manifest.json", "secret_key.enc"]
    assert settings.SECRET_KEY.encode() not in raw and b"my-secret-topic" not in raw

    with pytest.raises(InvalidBackup, match="wrong passphrase"):
        backup_restore(path, mode="full", passphrase="not the passphrase", safety_backup=False)
    with pytest.raises(InvalidBackup, match="encrypted: enter its passphrase"):
        backup_restore(path, mode="full", safety_backup=False)

    # On an install with another SECRET_KEY the secrets are re-encrypted with its key.
    Connector.objects.all().delete()
    settings.SECRET_KEY = "another-install-secret-key-0123456789-abcdefghijkl"
    result = backup_restore(path, mode="full", passphrase=PASSPHRASE, safety_backup=False)
    assert Connector.objects.get().api_key.endswith("9f3e")
    assert NotificationChannel.objects.get().secrets == {"topic": "my-secret-topic"}
    assert "re-encrypted" in result.summary()
    assert set(table_checksums()) == set(before)


def test_backup_without_the_key_warns_on_another_install(backup_folder, settings):
    sample_configuration()
    run = backup_create(trigger=BackupRun.Trigger.CLI)
    # The other install has none of them yet (deleted while the old key still reads them).
    Connector.objects.all().delete()
    NotificationChannel.objects.all().delete()
    settings.SECRET_KEY = "another-install-secret-key-0123456789-abcdefghijkl"
    result = backup_restore(backup_folder / run.file_name, mode="config", safety_backup=False)
    assert "another SECRET_KEY" in result.summary() and "left out" in result.summary()
    # Nothing unreadable was written: the restored connector loads, its key to enter again.
    assert Connector.objects.get(name="Sonarr (Main)").api_key == ""
    assert NotificationChannel.objects.get(name="Phone").secrets == {}


def test_altered_encrypted_backup_is_refused(backup_folder, tmp_path):
    sample_configuration()
    run = backup_create(trigger=BackupRun.Trigger.CLI, include_key=True, passphrase=PASSPHRASE)
    with tarfile.open(backup_folder / run.file_name) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}
    sealed = bytearray(members["database.dump.enc"])
    sealed[-5] ^= 1
    members["database.dump.enc"] = bytes(sealed)
    import io

    altered = tmp_path / "altered.tar"
    with tarfile.open(altered, "w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    with pytest.raises(InvalidBackup, match="altered or cut short"):
        backup_restore(altered, mode="full", passphrase=PASSPHRASE, safety_backup=False)
