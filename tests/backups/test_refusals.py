"""Backups that must not be restored are refused, with a message saying why, before any change."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest

from backups import archive
from backups.manifest import InvalidBackup
from backups.models import BackupRun
from backups.services import backup_create, backup_restore
from connectors.models import Connector
from tests.backups.helpers import table_checksums
from tests.content.builders import make_connector

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def backup_folder(tmp_path, settings):
    settings.BACKUP_DIR = tmp_path / "backups"
    return settings.BACKUP_DIR


@pytest.fixture
def good_backup(backup_folder) -> Path:
    make_connector("Sonarr", "sonarr")
    run = backup_create(trigger=BackupRun.Trigger.CLI)
    return backup_folder / run.file_name


def _members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers()}


def _write(path: Path, members: dict[str, bytes], *, links: dict[str, str] | None = None) -> Path:
    with tarfile.open(path, "w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = target
            tar.addfile(info)
    return path


def _refused(path: Path, fragment: str) -> None:
    Connector.objects.get_or_create(
        name="added after", defaults={"kind": "radarr", "url": "http://x:1", "api_key": "k"}
    )
    before = table_checksums()
    with pytest.raises(InvalidBackup) as caught:
        backup_restore(path, mode="full", safety_backup=False)
    assert fragment in str(caught.value)
    assert table_checksums() == before  # nothing changed
    assert Connector.objects.filter(name="added after").exists()


def test_tampered_dump_is_refused_by_its_checksum(good_backup, tmp_path):
    members = _members(good_backup)
    dump = bytearray(members["database.dump"])
    dump[len(dump) // 2] ^= 0xFF
    members["database.dump"] = bytes(dump)
    _refused(_write(tmp_path / "tampered.tar", members), "does not match the manifest's checksum")


def test_truncated_file_is_refused(good_backup, tmp_path):
    data = good_backup.read_bytes()
    cut = tmp_path / "cut.tar"
    cut.write_bytes(data[: len(data) // 2])
    _refused(cut, "")


def test_oversized_file_is_refused_before_it_is_read(good_backup, settings):
    settings.BACKUP_MAX_BYTES = good_backup.stat().st_size - 1
    _refused(good_backup, "more than the")


def test_path_traversal_is_refused(good_backup, tmp_path):
    members = _members(good_backup)
    members["../../escaped.txt"] = b"x"
    _refused(_write(tmp_path / "slip.tar", members), "leaves the destination")
    assert not (tmp_path.parent / "escaped.txt").exists()


def test_absolute_path_is_refused(good_backup, tmp_path):
    members = _members(good_backup)
    members["/tmp/evil-absolute.txt"] = b"x"
    _refused(_write(tmp_path / "abs.tar", members), "absolute path")


def test_symlink_is_refused(good_backup, tmp_path):
    members = _members(good_backup)
    _refused(
        _write(tmp_path / "link.tar", members, links={"outside": "../../etc/passwd"}),
        "outside the destination",
    )
    _refused(
        _write(tmp_path / "link2.tar", members, links={"inner": "config.json"}),
        "a backup holds no links",
    )


def test_backup_from_a_newer_version_is_refused(good_backup, tmp_path):
    members = _members(good_backup)
    manifest = json.loads(members["manifest.json"])
    manifest["app_version"] = "99.0.0"
    members["manifest.json"] = json.dumps(manifest).encode()
    _refused(_write(tmp_path / "newer.tar", members), "newer than this install")


def test_backup_with_unknown_migrations_is_refused(good_backup, tmp_path):
    members = _members(good_backup)
    manifest = json.loads(members["manifest.json"])
    manifest["migrations"]["connectors"].append("9999_from_the_future")
    members["manifest.json"] = json.dumps(manifest).encode()
    _refused(_write(tmp_path / "future.tar", members), "connectors.9999_from_the_future")


def test_not_a_backup_is_refused(tmp_path):
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"this is not an archive at all" * 100)
    _refused(junk, "not a tar or zip archive")
    no_manifest = _write(tmp_path / "other.tar", {"hello.txt": b"hi"})
    _refused(no_manifest, "no manifest.json")


def test_extra_member_is_refused(good_backup, tmp_path):
    members = _members(good_backup)
    members["payload.sh"] = b"#!/bin/sh"
    _refused(_write(tmp_path / "extra.tar", members), "payload.sh")


def test_read_manifest_refuses_an_oversized_file_without_opening_it(tmp_path, settings):
    settings.BACKUP_MAX_BYTES = 10
    big = tmp_path / "big.tar"
    big.write_bytes(b"\0" * 100)
    with pytest.raises(InvalidBackup, match="more than the"):
        archive.read_manifest(big)
