"""content.sync.common.prefetched: pages read ahead in a thread, failures in order."""

from __future__ import annotations

import threading
import time

import pytest

from content.sync.common import prefetched


def test_yields_everything_in_order():
    assert list(prefetched(iter(range(50)), window=2)) == list(range(50))


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


def test_reads_at_most_window_pages_ahead_and_stops_when_the_consumer_does():
    produced = []

    def pages():
        for n in range(100):
            produced.append(n)
            yield n

    iterator = prefetched(pages(), window=2)
    assert next(iterator) == 0
    time.sleep(0.3)
    # One handed out, two queued, one waiting to be queued: never the whole listing.
    assert len(produced) <= 4
    iterator.close()
    time.sleep(0.5)
    assert len(produced) <= 5
    assert not any(t.name == "comradarr-page-fetch" for t in threading.enumerate())
