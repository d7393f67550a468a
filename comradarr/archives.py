"""Safe extraction of tar and zip archives (for backup restore).

`safe_extract(archive, destination)` checks EVERY member before writing
anything, and refuses the whole archive (UnsafeArchive, nothing written) when
one member:
- has an absolute path, a drive letter, a ".." component, a NUL or an empty name;
- is a symlink or hardlink whose target lies outside the destination;
- is a device, FIFO or anything but a file, a directory or such a link;
- takes the total size past `max_total_bytes` (declared sizes, checked before
  extracting; the bytes written are counted again while copying, so a member
  lying about its size is stopped too), or the count past `max_members`.
Members are then written by hand (never tarfile/zipfile extract or extractall,
which follow links and keep modes): regular files with 0o600-ish permissions,
no file ever opened through a symlink. tests/security/test_zip_slip.py fails if
any other module calls those methods.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import stat
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

DEFAULT_MAX_TOTAL_BYTES = 2 * 1024**3  # a backup is a database dump and settings
DEFAULT_MAX_MEMBERS = 10_000
_CHUNK = 1024 * 1024


class UnsafeArchive(ValueError):
    """The archive was refused; the message names the member and why."""


@dataclass(frozen=True)
class _Member:
    name: str  # normalised, relative, "/"-separated
    kind: str  # "file", "dir", "symlink", "hardlink"
    size: int
    link: str = ""  # the normalised target (relative to the destination) of a link
    source: object = None  # the TarInfo or ZipInfo


def _normalise(name: str, what: str = "member") -> str:
    if not name or "\x00" in name:
        raise UnsafeArchive(f"{what} with an empty name or a NUL character")
    text = name.replace("\\", "/")
    if text.startswith("/") or (len(text) > 1 and text[1] == ":"):
        raise UnsafeArchive(f"{what} {name[:200]!r} has an absolute path")
    parts = [part for part in text.split("/") if part not in ("", ".")]
    if any(part == ".." for part in parts):
        raise UnsafeArchive(f"{what} {name[:200]!r} leaves the destination (..)")
    if not parts:
        raise UnsafeArchive(f"{what} {name[:200]!r} has no file name")
    return "/".join(parts)


def _link_target(member_name: str, target: str, *, relative_to_member: bool) -> str:
    """The link's target as a path inside the destination, or UnsafeArchive."""
    if not target or "\x00" in target or target.startswith("/") or target[1:2] == ":":
        raise UnsafeArchive(f"link {member_name!r} points outside the destination")
    base = posixpath.dirname(member_name) if relative_to_member else ""
    joined = posixpath.normpath(posixpath.join(base, target.replace("\\", "/")))
    if joined == ".." or joined.startswith("../") or joined.startswith("/"):
        raise UnsafeArchive(f"link {member_name!r} points outside the destination")
    return joined


def _tar_members(tar: tarfile.TarFile, max_members: int) -> list[_Member]:
    members = []
    # Header by header, not getmembers(): a million empty members stop at the bound.
    for info in tar:
        if len(members) >= max_members:
            raise UnsafeArchive(f"more than the {max_members} members allowed")
        name = _normalise(info.name)
        if info.isdir():
            members.append(_Member(name, "dir", 0, source=info))
        elif info.isreg():
            members.append(_Member(name, "file", info.size, source=info))
        elif info.issym():
            link = _link_target(name, info.linkname, relative_to_member=True)
            members.append(_Member(name, "symlink", 0, link=link, source=info))
        elif info.islnk():
            link = _link_target(name, info.linkname, relative_to_member=False)
            members.append(_Member(name, "hardlink", 0, link=link, source=info))
        else:
            raise UnsafeArchive(f"member {name!r} is a device, FIFO or other special file")
    return members


def _zip_members(archive: zipfile.ZipFile) -> list[_Member]:
    members = []
    for info in archive.infolist():
        name = _normalise(info.filename)
        mode = info.external_attr >> 16
        if info.is_dir():
            members.append(_Member(name, "dir", 0, source=info))
        elif stat.S_ISLNK(mode):
            if info.file_size > 4096:
                raise UnsafeArchive(f"link {name!r} has an implausible target")
            target = archive.read(info).decode("utf-8", errors="replace")
            link = _link_target(name, target, relative_to_member=True)
            members.append(_Member(name, "symlink", 0, link=link, source=info))
        elif stat.S_IFMT(mode) not in (0, stat.S_IFREG):
            raise UnsafeArchive(f"member {name!r} is a device, FIFO or other special file")
        else:
            members.append(_Member(name, "file", info.file_size, source=info))
    return members


def _check(members: list[_Member], *, max_total_bytes: int, max_members: int) -> None:
    if len(members) > max_members:
        raise UnsafeArchive(f"{len(members)} members, more than the {max_members} allowed")
    total = sum(member.size for member in members)
    if total > max_total_bytes:
        raise UnsafeArchive(
            f"it would unpack to {total} bytes, more than the {max_total_bytes} allowed"
        )
    links = {m.name for m in members if m.kind == "symlink"}
    for member in members:
        # Writing through a link declared earlier in the archive could land anywhere.
        parents = member.name.split("/")[:-1]
        for depth in range(1, len(parents) + 1):
            if "/".join(parents[:depth]) in links:
                raise UnsafeArchive(f"member {member.name!r} is inside a symlink")
        if member.kind == "hardlink" and member.link in links:
            raise UnsafeArchive(f"hardlink {member.name!r} points at a symlink")


def _inside(destination: Path, relative: str) -> Path:
    target = destination.joinpath(*relative.split("/"))
    real_parent = Path(os.path.realpath(target.parent))
    if real_parent != destination and destination not in real_parent.parents:
        raise UnsafeArchive(f"member {relative!r} would be written outside the destination")
    return target


def _copy(source: BinaryIO, target: Path, budget: list[int], name: str) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(target, flags, 0o600)
    with os.fdopen(fd, "wb") as out:
        while chunk := source.read(_CHUNK):
            budget[0] -= len(chunk)
            if budget[0] < 0:
                raise UnsafeArchive(f"member {name!r} is larger than it declared")
            out.write(chunk)


def _open_member(archive, member: _Member) -> BinaryIO:
    if isinstance(archive, tarfile.TarFile):
        handle = archive.extractfile(member.source)
        if handle is None:
            raise UnsafeArchive(f"member {member.name!r} cannot be read")
        return handle
    return archive.open(member.source)


def _write(archive, members: list[_Member], destination: Path, max_total_bytes: int) -> list[Path]:
    written: list[Path] = []
    budget = [max_total_bytes]
    for member in members:
        target = _inside(destination, member.name)
        if member.kind == "dir":
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        _inside(destination, member.name)  # the parents just made hold no link
        if target.is_symlink() or target.is_dir():
            raise UnsafeArchive(f"member {member.name!r} would replace a link or directory")
        if member.kind == "symlink":
            relative = os.path.relpath(destination / member.link, target.parent)
            os.symlink(relative, target)
        elif member.kind == "hardlink":
            source = _inside(destination, member.link)
            if not source.is_file() or source.is_symlink():
                raise UnsafeArchive(f"hardlink {member.name!r} points at no extracted file")
            shutil.copyfile(source, target, follow_symlinks=False)
        else:
            with _open_member(archive, member) as handle:
                _copy(handle, target, budget, member.name)
        written.append(target)
    return written


def safe_extract(
    archive_path: Path | str,
    destination: Path | str,
    *,
    max_total_bytes: int = DEFAULT_MAX_TOTAL_BYTES,
    max_members: int = DEFAULT_MAX_MEMBERS,
) -> list[Path]:
    """Extract a .tar(.gz/.bz2/.xz) or .zip archive into `destination`; returns the files written.

    Raises UnsafeArchive (nothing written) for a hostile archive, and
    UnsafeArchive too for a file that is neither a tar nor a zip archive.
    """
    path = Path(archive_path)
    dest = Path(destination)
    dest.mkdir(parents=True, exist_ok=True)
    dest = Path(os.path.realpath(dest))
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            members = _zip_members(archive)
            _check(members, max_total_bytes=max_total_bytes, max_members=max_members)
            return _write(archive, members, dest, max_total_bytes)
    try:
        tar = tarfile.open(path, mode="r:*")  # noqa: SIM115 - closed by the with below
    except (tarfile.TarError, OSError) as exc:
        raise UnsafeArchive(f"not a tar or zip archive: {exc}") from None
    with tar:
        members = _tar_members(tar, max_members)
        _check(members, max_total_bytes=max_total_bytes, max_members=max_members)
        return _write(tar, members, dest, max_total_bytes)
