"""manage.py backup, restore and config: arguments, progress, round trips, one-line errors."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from backups import archive, storage
from backups.models import BackupRun
from backups.services import BackupError, backup_create
from comradarr import events
from connectors.models import Connector
from notifications.models import NotificationChannel
from queueing.models import SweepSchedule, ThrottleProfile
from tests.backups.helpers import sample_configuration

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def backup_folder(tmp_path, settings):
    settings.BACKUP_DIR = tmp_path / "backups"
    return settings.BACKUP_DIR


def _run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_backup_and_restore_commands(backup_folder, tmp_path):
    sample_configuration()
    out, err = _run("backup")
    assert "Backup written: comradarr-backup-" in out and "same key" in out
    assert "backup: 4/4 done" in err  # the progress bar, a line per step off a terminal
    (path,) = [b.path for b in storage.stored_backups()]
    Connector.objects.all().delete()
    out, err = _run("restore", str(path), "--yes")
    assert "made by Comradarr 0.1.0" in out and "Full restore" in out
    assert Connector.objects.get().name == "Sonarr (Main)"
    assert "restore: " in err


def test_backup_with_key_needs_a_passphrase_file(tmp_path):
    with pytest.raises(CommandError, match="--passphrase-file is required"):
        _run("backup", "--include-key")
    short = tmp_path / "short"
    short.write_text("abc\n")
    with pytest.raises(CommandError, match="at least 8 characters"):
        _run("backup", "--include-key", "--passphrase-file", str(short))
    with pytest.raises(CommandError, match="only used with --include-key"):
        _run("backup", "--passphrase-file", str(short))
    with pytest.raises(CommandError, match=r"(?i)no such file"):
        _run("backup", "--include-key", "--passphrase-file", str(tmp_path / "missing"))


def test_backup_with_key_and_output(tmp_path):
    sample_configuration()
    phrase = tmp_path / "phrase"
    phrase.write_text("a long enough passphrase\n")
    target = tmp_path / "offsite.tar"
    out, _ = _run(
        "backup", "--include-key", "--passphrase-file", str(phrase), "--output", str(target)
    )
    assert str(target) in out
    assert archive.read_manifest(target).key_included
    with pytest.raises(CommandError, match="exists already"):
        _run("backup", "--output", str(target))
    wrong = tmp_path / "wrong"
    wrong.write_text("not the passphrase at all")
    with pytest.raises(CommandError, match="wrong passphrase"):
        _run("restore", str(target), "--yes", "--passphrase-file", str(wrong))
    _run("restore", str(target), "--yes", "--passphrase-file", str(phrase), "--config-only")


def test_restore_refuses_without_yes_when_not_interactive(backup_folder):
    run = backup_create(trigger=BackupRun.Trigger.CLI)
    with pytest.raises(CommandError, match="add --yes"):
        _run("restore", str(backup_folder / run.file_name))
    with pytest.raises(CommandError, match="no such file"):
        _run("restore", str(backup_folder / "nope.tar"), "--yes")


def test_config_export_and_import_round_trip(tmp_path):
    sample_configuration()
    phrase = tmp_path / "phrase"
    phrase.write_text("export passphrase 123")
    plain, _ = _run("config", "export")
    document = json.loads(plain)
    connector_row = document["models"]["connectors.Connector"][0]
    assert connector_row["name"] == "Sonarr (Main)" and connector_row["api_key"] is None
    assert "health_status" not in connector_row
    target = tmp_path / "config.json"
    _run("config", "export", "--secrets", "passphrase", "--passphrase-file", str(phrase),
         "--output", str(target))  # fmt: skip
    assert "9f3e" not in target.read_text() and "my-secret-topic" not in target.read_text()

    Connector.objects.all().delete()
    NotificationChannel.objects.all().delete()
    ThrottleProfile.objects.filter(name="gentle").delete()
    with pytest.raises(CommandError, match="enter its passphrase"):
        _run("config", "import", str(target))
    out, _ = _run("config", "import", str(target), "--passphrase-file", str(phrase))
    assert "created" in out
    assert Connector.objects.get().api_key.endswith("9f3e")
    assert NotificationChannel.objects.get().secrets == {"topic": "my-secret-topic"}
    # Importing again makes no duplicates (a connector's schedules are replaced as a set).
    schedules = SweepSchedule.objects.count()
    _run("config", "import", str(target), "--passphrase-file", str(phrase))
    assert Connector.objects.count() == 1 and SweepSchedule.objects.count() == schedules
    assert ThrottleProfile.objects.filter(name="gentle").count() == 1


def test_config_import_refuses_bad_documents(tmp_path):
    bad = tmp_path / "bad.json"
    for content, message in [
        (b"\xff\xfe", "not a JSON document"),
        (b'{"hello": 1}', "not a Comradarr configuration export"),
        (b'{"document": "comradarr-config", "version": 99}', "version 99"),
    ]:
        bad.write_bytes(content)
        with pytest.raises(CommandError, match=message):
            _run("config", "import", str(bad))


def test_scheduled_backup_prunes_to_the_newest_seven(backup_folder, settings):
    from backups.tasks import scheduled_backup

    settings.BACKUP_KEEP = 2
    backup_folder.mkdir(parents=True, exist_ok=True)
    for day in range(1, 5):
        (backup_folder / f"comradarr-backup-2025010{day}-044500-scheduled.tar").write_bytes(b"x")
    manual = backup_folder / "comradarr-backup-20250101-120000.tar"
    manual.write_bytes(b"x")
    scheduled_backup()
    names = sorted(b.name for b in storage.stored_backups())
    scheduled = [n for n in names if n.endswith("-scheduled.tar")]
    assert len(scheduled) == 2 and "comradarr-backup-20250104-044500-scheduled.tar" in scheduled
    assert manual.name in names  # manual backups are never pruned


def test_backup_events_are_emitted(backup_folder, monkeypatch):
    seen = []
    events.backup_completed.connect(lambda **kw: seen.append(("ok", kw["run"].file_name)), weak=False,
                                    dispatch_uid="t1")  # fmt: skip
    events.backup_failed.connect(lambda **kw: seen.append(("failed", kw["error"])), weak=False,
                                 dispatch_uid="t2")  # fmt: skip
    try:
        run = backup_create(trigger=BackupRun.Trigger.CLI)
        monkeypatch.setattr("backups.pgtools.client_version", lambda: (12, "12.0"))
        with pytest.raises(BackupError, match="newer than the bundled client tools"):
            backup_create(trigger=BackupRun.Trigger.CLI)
    finally:
        events.backup_completed.disconnect(dispatch_uid="t1")
        events.backup_failed.disconnect(dispatch_uid="t2")
    assert seen[0] == ("ok", run.file_name)
    assert seen[1][0] == "failed" and "PostgreSQL 16" in seen[1][1]
    failed = BackupRun.objects.filter(status="failed").get()
    assert "newer than the bundled client tools" in failed.error


def test_sigterm_during_a_backup_leaves_no_partial_file(backup_folder):
    """The signal arrives while pg_dump runs: the backup stops and removes its files."""
    steps = []
    before = signal.getsignal(signal.SIGTERM)

    def progress(text):
        steps.append(text)
        if text.startswith("dumping"):
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(1)  # the handler raises in here

    with pytest.raises(BackupError, match="stopped by SIGTERM"):
        backup_create(trigger=BackupRun.Trigger.CLI, progress=progress)
    assert list(backup_folder.iterdir()) == []
    assert signal.getsignal(signal.SIGTERM) == before  # the process's own handler is back
    assert BackupRun.objects.get().status == "failed"


def test_leftovers_of_a_killed_backup_are_removed_at_the_next_start(backup_folder):
    backup_folder.mkdir(parents=True, exist_ok=True)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    leftover = backup_folder / f".partial-{dead}-comradarr-backup-20250101-000000.tar"
    leftover.write_bytes(b"half")
    work = backup_folder / f".partial-{dead}-work-abc"
    work.mkdir()
    (work / "database.dump").write_bytes(b"half")
    mine = backup_folder / f".partial-{os.getpid()}-comradarr-backup-20250102-000000.tar"
    mine.write_bytes(b"in progress")
    events.emit(events.application_started, version="0.1.0")
    assert not leftover.exists() and not work.exists()
    assert mine.exists()  # a live process's file is not touched
