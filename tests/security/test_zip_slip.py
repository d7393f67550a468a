"""Zip slip in backup restore: comradarr/archives.py refuses hostile tar and zip archives.

The peer's restore extracted uploaded archives with extractall: "../../" names,
absolute paths and symlinks wrote anywhere the service could. Every test here
builds a real hostile archive and checks that nothing lands outside, and that
nothing at all is written when the archive is refused.
"""

from __future__ import annotations

import io
import re
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest

from comradarr.archives import UnsafeArchive, safe_extract

REPO = Path(__file__).resolve().parents[2]


def make_tar(path: Path, members: list[tuple], mode: str = "w") -> Path:
    """members: (name, kind, data_or_target); kinds file, dir, symlink, hardlink, chr, fifo."""
    with tarfile.open(path, mode) as tar:
        for name, kind, value in members:
            info = tarfile.TarInfo(name)
            if kind == "file":
                data = value if isinstance(value, bytes) else value.encode()
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
                continue
            info.type = {
                "dir": tarfile.DIRTYPE,
                "symlink": tarfile.SYMTYPE,
                "hardlink": tarfile.LNKTYPE,
                "chr": tarfile.CHRTYPE,
                "fifo": tarfile.FIFOTYPE,
            }[kind]
            if kind in ("symlink", "hardlink"):
                info.linkname = value
            tar.addfile(info)
    return path


def make_zip(path: Path, members: list[tuple]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, kind, value in members:
            info = zipfile.ZipInfo(name)
            if kind == "symlink":
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
            elif kind == "chr":
                info.external_attr = (stat.S_IFCHR | 0o600) << 16
            archive.writestr(info, value)
    return path


@pytest.fixture
def dest(tmp_path) -> Path:
    return tmp_path / "restore"


def nothing_written(tmp_path: Path, dest: Path) -> bool:
    outside = {p.name for p in tmp_path.iterdir()} - {"restore", "a.tar", "a.zip", "a.tgz"}
    return not outside and (not dest.exists() or not any(dest.iterdir()))


def test_a_normal_archive_is_extracted(tmp_path, dest):
    """Class: zip slip: the helper still restores an honest backup (tar and zip)."""
    tar = make_tar(
        tmp_path / "a.tgz",
        [
            ("backup", "dir", None),
            ("backup/db.sql", "file", "SELECT 1;"),
            ("backup/latest.sql", "symlink", "db.sql"),
            ("backup/copy.sql", "hardlink", "backup/db.sql"),
        ],
        mode="w:gz",
    )
    safe_extract(tar, dest)
    assert (dest / "backup/db.sql").read_text() == "SELECT 1;"
    assert (dest / "backup/latest.sql").resolve() == (dest / "backup/db.sql").resolve()
    assert (dest / "backup/copy.sql").read_text() == "SELECT 1;"
    archive = make_zip(tmp_path / "a.zip", [("conf/settings.json", "file", "{}")])
    safe_extract(archive, tmp_path / "z")
    assert (tmp_path / "z/conf/settings.json").read_text() == "{}"


@pytest.mark.parametrize(
    "name",
    [
        "../evil",
        "a/../../evil",
        "/tmp/evil",
        "\\\\server\\evil",
        "C:/evil",
        "a\\..\\..\\evil",
        "",
    ],
)
@pytest.mark.parametrize("kind", ["tar", "zip"])
def test_path_traversal_names_are_refused(tmp_path, dest, name, kind):
    """Class: zip slip: absolute paths, .. components, drive letters, NUL, empty names."""
    members = [("fine.txt", "file", "ok"), (name, "file", "pwned")]
    if kind == "tar":
        archive = make_tar(tmp_path / "a.tar", members)
    else:
        archive = make_zip(tmp_path / "a.zip", members)
    with pytest.raises(UnsafeArchive):
        safe_extract(archive, dest)
    assert nothing_written(tmp_path, dest)
    assert not Path("/tmp/evil").exists()


@pytest.mark.parametrize("name", ["ok/\x00evil", "", "./", "a/../.."])
def test_names_archives_cannot_even_carry_are_refused_too(name):
    """Class: zip slip: NUL and empty names (tarfile and zipfile cut names at NUL themselves)."""
    from comradarr.archives import _normalise

    with pytest.raises(UnsafeArchive):
        _normalise(name)


@pytest.mark.parametrize(
    ("link_kind", "target"),
    [
        ("symlink", "/etc/passwd"),
        ("symlink", "../../outside"),
        ("symlink", "a/../../x"),
        ("hardlink", "/etc/passwd"),
        ("hardlink", "../outside"),
    ],
)
def test_links_pointing_out_are_refused(tmp_path, dest, link_kind, target):
    """Class: zip slip: symlinks and hardlinks whose target is outside the destination."""
    archive = make_tar(tmp_path / "a.tar", [("link", link_kind, target)])
    with pytest.raises(UnsafeArchive, match="outside"):
        safe_extract(archive, dest)
    assert nothing_written(tmp_path, dest)


def test_writing_through_a_symlink_is_refused(tmp_path, dest):
    """Class: zip slip: a symlink to a directory, then a file "through" it."""
    archive = make_tar(
        tmp_path / "a.tar",
        [("sub", "dir", None), ("jump", "symlink", "sub"), ("jump/file", "file", "x")],
    )
    with pytest.raises(UnsafeArchive, match="inside a symlink"):
        safe_extract(archive, dest)
    assert nothing_written(tmp_path, dest)


def test_zip_symlink_pointing_out_is_refused(tmp_path, dest):
    """Class: zip slip: zip entries can be symlinks too (unix mode in external_attr)."""
    archive = make_zip(tmp_path / "a.zip", [("link", "symlink", "../../etc/passwd")])
    with pytest.raises(UnsafeArchive, match="outside"):
        safe_extract(archive, dest)


@pytest.mark.parametrize("kind", ["chr", "fifo"])
def test_device_files_are_refused(tmp_path, dest, kind):
    """Class: zip slip: device nodes and FIFOs."""
    archive = make_tar(tmp_path / "a.tar", [("dev", kind, None)])
    with pytest.raises(UnsafeArchive, match="special file"):
        safe_extract(archive, dest)
    zipped = make_zip(tmp_path / "a.zip", [("dev", "chr", "")])
    with pytest.raises(UnsafeArchive, match="special file"):
        safe_extract(zipped, dest)


def test_size_bomb_is_refused_before_extracting(tmp_path, dest):
    """Class: zip slip (resource exhaustion): declared sizes checked before any write."""
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("small.txt", "x")
        zf.writestr("bomb.bin", b"\0" * (20 * 1024 * 1024))  # compresses to ~20 kB
    assert archive.stat().st_size < 100_000
    with pytest.raises(UnsafeArchive, match="more than the"):
        safe_extract(archive, dest, max_total_bytes=10 * 1024 * 1024)
    assert nothing_written(tmp_path, dest)
    tar = make_tar(tmp_path / "a.tgz", [("bomb", "file", b"\0" * 2_000_000)], mode="w:gz")
    with pytest.raises(UnsafeArchive, match="more than the"):
        safe_extract(tar, tmp_path / "t", max_total_bytes=1_000_000)


def test_too_many_members_are_refused(tmp_path, dest):
    """Class: zip slip (resource exhaustion): a bound on the member count."""
    archive = make_tar(tmp_path / "a.tar", [(f"f{n}", "file", "") for n in range(50)])
    with pytest.raises(UnsafeArchive, match="members"):
        safe_extract(archive, dest, max_members=10)


def test_not_an_archive_is_refused(tmp_path, dest):
    """Class: zip slip: junk uploaded as a backup gives a clear refusal."""
    junk = tmp_path / "a.tar"
    junk.write_bytes(b"definitely not an archive" * 10)
    with pytest.raises(UnsafeArchive, match="not a tar or zip"):
        safe_extract(junk, dest)


EXTRACT_CALL = re.compile(r"\.extract(all)?\s*\(")


def test_no_module_extracts_archives_outside_the_safe_helper():
    """Class: zip slip: only comradarr/archives.py may unpack archives, and it never calls
    tarfile/zipfile extract or extractall (they follow links and keep modes)."""
    offenders = []
    skip = {".venv", "node_modules", ".git", "staticfiles", "data", "artifacts"}
    for path in REPO.rglob("*.py"):
        relative = path.relative_to(REPO)
        if skip & set(relative.parts) or relative.parts[:2] == ("tests", "security"):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if EXTRACT_CALL.search(text):
            offenders.append(str(relative))
    assert offenders == []
