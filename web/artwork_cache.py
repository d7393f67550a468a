"""The disk cache of posters and fanart proxied from the *arr apps (web.artwork).

One file per (connector, kind, arr id, cover type) under ARTWORK_CACHE_DIR,
written atomically (a temporary file renamed over the old one), so a reader
sees a whole file or none. Each file starts with a header carrying the body's
SHA-256: a file that was cut or damaged some other way fails the check, is
deleted and counts as a miss, never served. The total is kept under
ARTWORK_CACHE_MAX_BYTES by deleting the least recently served files (a hit
refreshes a file's mtime). A short-lived marker remembers that the app has no
such cover (404), so a missing poster does not cost a request on every page.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from connectors.common.images import sniff

logger = logging.getLogger("web.artwork")

MAGIC = b"COMRADARR-ARTWORK 1\n"
#: How long "the app has no such cover" is believed before asking again.
MISSING_SECONDS = 15 * 60
#: A hit refreshes the file's mtime (its LRU age) at most this often: fewer writes.
TOUCH_EVERY = 60
#: Eviction goes down to this share of the limit, so it does not run on every write.
LOW_WATER = 0.9
#: A temporary file older than this was left by a crash: eviction deletes it.
STALE_TEMP_SECONDS = 3600
_TEMP_PREFIX = ".tmp-"
_IMAGE = ".img"
_MISSING = ".missing"


@dataclass(frozen=True)
class ArtworkKey:
    """What a cached file is of; the caller checks every part (ints, whitelisted words)."""

    connector_id: int
    kind: str
    arr_id: int
    cover: str

    @property
    def stem(self) -> str:
        return f"{self.kind}-{int(self.arr_id)}-{self.cover}"


@dataclass(frozen=True)
class CachedImage:
    content: bytes
    content_type: str
    sha256: str
    fetched_at: float

    @property
    def etag(self) -> str:
        return f'"{self.sha256[:32]}"'


class ArtworkCache:
    """Files under ``root``, at most ``max_bytes`` of them (approximately: checked after writes)."""

    def __init__(
        self,
        root: Path,
        max_bytes: int,
        *,
        missing_seconds: float = MISSING_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.root = Path(root)
        self.max_bytes = max_bytes
        self.missing_seconds = missing_seconds
        self.clock = clock
        self._evicting = threading.Lock()
        #: Bytes on disk as of the last scan plus what was written since (None: never
        #: scanned). Writes only rescan the folder once this passes the limit.
        self._estimate: int | None = None

    def _path(self, key: ArtworkKey, suffix: str) -> Path:
        return self.root / str(int(key.connector_id)) / f"{key.stem}{suffix}"

    # ------------------------------------------------------------------ reading

    def get(self, key: ArtworkKey) -> CachedImage | None:
        """The cached image, or None (not cached, or the file failed its check and is gone)."""
        path = self._path(key, _IMAGE)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            logger.warning("artwork cache: cannot read %s: %s", path, exc)
            return None
        image = _decode(raw)
        if image is None:
            logger.warning("artwork cache: %s is damaged; deleted", path)
            _unlink(path)
            return None
        self._touch(path)
        return image

    def is_missing(self, key: ArtworkKey) -> bool:
        """True while a recent 404 for this cover is remembered."""
        path = self._path(key, _MISSING)
        try:
            marked = path.stat().st_mtime
        except OSError:
            return False
        if self.clock() - marked < self.missing_seconds:
            return True
        _unlink(path)
        return False

    # ------------------------------------------------------------------ writing

    def put(self, key: ArtworkKey, content: bytes, content_type: str) -> CachedImage:
        """Store an image (replacing any older one) and return it; a disk that refuses the
        write leaves the image uncached, never fails the caller."""
        image = CachedImage(
            content=content,
            content_type=content_type,
            sha256=hashlib.sha256(content).hexdigest(),
            fetched_at=self.clock(),
        )
        header = json.dumps(
            {
                "type": content_type,
                "sha256": image.sha256,
                "size": len(content),
                "fetched": image.fetched_at,
            },
            separators=(",", ":"),
        ).encode()
        data = MAGIC + header + b"\n" + content
        if self._write(self._path(key, _IMAGE), data):
            _unlink(self._path(key, _MISSING))
            self._grew(len(data))
        return image

    def mark_missing(self, key: ArtworkKey) -> None:
        """Remember for a while that the app has no such cover; a cached copy is dropped."""
        _unlink(self._path(key, _IMAGE))
        self._write(self._path(key, _MISSING), b"")

    def _write(self, path: Path, data: bytes) -> bool:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(dir=path.parent, prefix=_TEMP_PREFIX)
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                now = self.clock()
                os.utime(temp, (now, now))  # the LRU age and the 404 memory use this clock
                os.replace(temp, path)
            except BaseException:
                _unlink(Path(temp))
                raise
        except OSError as exc:
            logger.warning("artwork cache: cannot write %s: %s", path, exc)
            return False
        return True

    def _touch(self, path: Path) -> None:
        now = self.clock()
        with contextlib.suppress(OSError):
            if now - path.stat().st_mtime >= TOUCH_EVERY:
                os.utime(path, (now, now))

    # ------------------------------------------------------------------ size limit

    def _grew(self, written: int) -> None:
        estimate = self._estimate
        if estimate is None or estimate + written > self.max_bytes:
            self.evict()
        else:
            self._estimate = estimate + written

    def evict(self) -> int:
        """Delete the least recently served files until the total is under the low-water
        mark; returns how many were deleted. One thread at a time; others skip."""
        if not self._evicting.acquire(blocking=False):
            return 0
        try:
            return self._evict()
        finally:
            self._evicting.release()

    def _evict(self) -> int:
        files: list[tuple[float, int, Path]] = []
        total = 0
        now = self.clock()
        deleted = 0
        for path in self._files():
            try:
                stat = path.stat()
            except OSError:
                continue
            if path.name.startswith(_TEMP_PREFIX):
                if now - stat.st_mtime > STALE_TEMP_SECONDS:
                    _unlink(path)
                    deleted += 1
                continue
            files.append((stat.st_mtime, stat.st_size, path))
            total += stat.st_size
        if total > self.max_bytes:
            target = self.max_bytes * LOW_WATER
            for _, size, path in sorted(files, key=lambda f: f[0]):
                if total <= target:
                    break
                _unlink(path)
                total -= size
                deleted += 1
        self._estimate = total
        return deleted

    def _files(self) -> list[Path]:
        try:
            folders = [p for p in self.root.iterdir() if p.is_dir()]
        except OSError:
            return []
        found: list[Path] = []
        for folder in folders:
            with contextlib.suppress(OSError):
                found.extend(p for p in folder.iterdir() if p.is_file())
        return found

    def size(self) -> int:
        """Bytes the cache holds now (for tests and the about page)."""
        total = 0
        for path in self._files():
            with contextlib.suppress(OSError):
                total += path.stat().st_size
        return total


def _decode(raw: bytes) -> CachedImage | None:
    if not raw.startswith(MAGIC):
        return None
    header, sep, content = raw[len(MAGIC) :].partition(b"\n")
    if not sep:
        return None
    try:
        meta = json.loads(header)
        content_type, digest = str(meta["type"]), str(meta["sha256"])
        size, fetched = int(meta["size"]), float(meta["fetched"])
    except (ValueError, KeyError, TypeError):
        return None
    if len(content) != size or hashlib.sha256(content).hexdigest() != digest:
        return None
    if sniff(content) != content_type:
        return None
    return CachedImage(
        content=content, content_type=content_type, sha256=digest, fetched_at=fetched
    )


def _unlink(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()
