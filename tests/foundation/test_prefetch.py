"""comradarr.prefetch: items read ahead in threads, in order, failures in order, bounded,
and stopped when the consumer stops."""

from __future__ import annotations

import threading
import time

import pytest

from comradarr.prefetch import Prefetch, prefetched


def fetch_threads(name: str = "comradarr-prefetch") -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == name]


def test_yields_everything_in_order():
    assert list(prefetched(iter(range(50)), window=2)) == list(range(50))


def test_an_empty_source_ends_at_once():
    assert list(prefetched(iter([]), window=1)) == []


def test_the_producers_error_comes_after_the_pages_it_produced():
    def pages():
        yield 1
        yield 2
        raise ConnectionError("cut")

    seen = []
    with pytest.raises(ConnectionError, match="cut"):
        for page in prefetched(pages(), window=4):
            seen.append(page)
    assert seen == [1, 2]


def test_an_exception_object_as_an_item_is_an_item_not_a_failure():
    error = ValueError("I am data")
    assert list(prefetched(iter([error]), window=1)) == [error]


def test_reads_at_most_window_pages_ahead_and_stops_when_the_consumer_does():
    produced = []

    def pages():
        for n in range(100):
            produced.append(n)
            yield n

    iterator = prefetched(pages(), window=2, name="comradarr-page-fetch")
    assert next(iterator) == 0
    time.sleep(0.3)
    # One handed out, two queued, one waiting to be queued: never the whole listing.
    assert len(produced) <= 4
    iterator.close()
    time.sleep(0.5)
    assert len(produced) <= 5
    assert not fetch_threads("comradarr-page-fetch")


def test_a_break_closes_the_source_generator_in_its_thread():
    closed = threading.Event()

    def pages():
        try:
            yield from range(100)
        finally:
            closed.set()  # e.g. a streamed HTTP answer released

    for n in prefetched(pages(), window=2):
        if n == 3:
            break
    assert closed.wait(2)
    assert not fetch_threads()


def test_several_sources_share_one_bounded_window_and_keep_their_own_order():
    produced = {"a": 0, "b": 0}

    def source(name: str):
        for n in range(20):
            produced[name] += 1
            yield name, n

    with Prefetch([source("a"), source("b")], window=3) as fetch:
        iterator = iter(fetch)
        first = next(iterator)
        time.sleep(0.3)
        # Each producer holds at most one item besides the window's three.
        assert sum(produced.values()) <= 1 + 3 + 2
        rest = [first, *iterator]
    assert sorted(rest) == sorted([(s, n) for s in "ab" for n in range(20)])
    for name in "ab":
        assert [n for s, n in rest if s == name] == list(range(20))
    assert not fetch_threads()


def test_one_failing_source_stops_the_whole_read():
    def good():
        while True:
            yield "ok"

    def bad():
        yield "first"
        raise RuntimeError("boom")

    with Prefetch([good(), bad()], window=2) as fetch, pytest.raises(RuntimeError, match="boom"):
        for _ in fetch:
            pass
    assert not fetch_threads()


def test_start_early_overlaps_the_callers_work():
    started = threading.Event()

    def source():
        started.set()
        yield 1

    fetch = Prefetch([source()], window=1).start()
    try:
        assert started.wait(2)  # producing before anyone iterates
        assert list(fetch) == [1]
    finally:
        fetch.close()


@pytest.mark.parametrize(("sources", "window"), [([], 1), ([iter([])], 0)])
def test_bad_arguments_are_refused(sources, window):
    with pytest.raises(ValueError):
        Prefetch(sources, window=window)
