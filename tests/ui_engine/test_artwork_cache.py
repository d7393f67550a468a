"""web.artwork_cache: hits, misses, the size limit (LRU), the 404 memory, damaged files."""

from __future__ import annotations

import os

import pytest

from tests.fakearr.covers import png
from web.artwork_cache import MAGIC, ArtworkCache, ArtworkKey

POSTER = png(120, 180, (10, 20, 30))


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def store(tmp_path, clock):
    return ArtworkCache(tmp_path / "artwork", 10_000, missing_seconds=600, clock=clock)


def key(arr_id: int = 1, cover: str = "poster") -> ArtworkKey:
    return ArtworkKey(connector_id=3, kind="movie", arr_id=arr_id, cover=cover)


def test_miss_then_hit_with_a_stable_etag(store):
    assert store.get(key()) is None
    put = store.put(key(), POSTER, "image/png")
    hit = store.get(key())
    assert hit.content == POSTER and hit.content_type == "image/png"
    assert hit.etag == put.etag and hit.etag.startswith('"')
    assert store.get(key(cover="fanart")) is None and store.get(key(2)) is None
    assert (store.root / "3" / "movie-1-poster.img").is_file()


def test_writes_are_atomic_and_leave_no_temporary_files(store):
    store.put(key(), POSTER, "image/png")
    store.put(key(), POSTER + b"", "image/png")
    assert [p.name for p in (store.root / "3").iterdir()] == ["movie-1-poster.img"]


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw[: len(raw) - 40],  # cut short
        lambda raw: raw[:-1] + bytes([raw[-1] ^ 0xFF]),  # a flipped byte
        lambda raw: b"garbage" + raw,  # not our header
        lambda raw: MAGIC + b'{"type": "image/png"}\n' + raw[-50:],  # header without a digest
        lambda raw: b"",  # empty
    ],
)
def test_a_damaged_or_partial_file_is_never_served_and_is_removed(store, damage):
    store.put(key(), POSTER, "image/png")
    path = store.root / "3" / "movie-1-poster.img"
    path.write_bytes(damage(path.read_bytes()))
    assert store.get(key()) is None
    assert not path.exists()


def test_least_recently_served_files_are_evicted_past_the_limit(store, clock):
    images = {i: png(40 + i, 60, (i * 20, 0, 0)) for i in range(1, 6)}
    store.max_bytes = 10**9
    for i in (1, 2, 3):
        clock.now += 100
        store.put(key(i), images[i], "image/png")
    store.max_bytes = store.size() + 10  # room for these three, not a fourth
    clock.now += 100
    assert store.get(key(1)) is not None  # served: now the most recent
    clock.now += 100
    store.put(key(4), images[4], "image/png")
    assert store.size() <= store.max_bytes
    # Down to 90 %: the two least recently served (2, then 3) went; 1 was served since.
    assert store.get(key(2)) is None and store.get(key(3)) is None
    assert store.get(key(1)) is not None and store.get(key(4)) is not None


def test_eviction_also_clears_temporary_files_a_crash_left(store, clock):
    folder = store.root / "3"
    folder.mkdir(parents=True)
    leftover = folder / ".tmp-abc"
    leftover.write_bytes(b"x" * 100)
    os.utime(leftover, (clock.now - 7200, clock.now - 7200))
    store.put(key(), POSTER, "image/png")
    assert not leftover.exists()


def test_a_404_is_remembered_for_a_while(store, clock):
    store.put(key(), POSTER, "image/png")
    store.mark_missing(key())
    assert store.is_missing(key()) and store.get(key()) is None
    clock.now += 599
    os.utime(store.root / "3" / "movie-1-poster.missing", (clock.now - 599, clock.now - 599))
    assert store.is_missing(key())
    clock.now += 2
    assert not store.is_missing(key())
    store.mark_missing(key(2))
    store.put(key(2), POSTER, "image/png")  # the app has it again
    assert not store.is_missing(key(2))


def test_a_disk_that_refuses_writes_does_not_fail_the_caller(tmp_path, clock):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    store = ArtworkCache(blocker / "artwork", 10_000, clock=clock)
    image = store.put(key(), POSTER, "image/png")
    assert image.content == POSTER and store.get(key()) is None


def test_writes_rescan_the_folder_only_near_the_limit(store, clock, monkeypatch):
    scans = []
    real = store._files
    monkeypatch.setattr(store, "_files", lambda: scans.append(1) or real())
    one = len(store.put(key(1), POSTER, "image/png").content) + 200
    store.max_bytes = one * 6
    for i in range(2, 5):
        clock.now += 1
        store.put(key(i), POSTER, "image/png")
    assert len(scans) == 1  # the first write learnt the size; the next ones added to it
    for i in range(5, 40):
        clock.now += 1
        store.put(key(i), POSTER, "image/png")
        assert store.size() <= store.max_bytes
    assert store.get(key(39)) is not None and store.get(key(1)) is None
