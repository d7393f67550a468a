"""comradarr.tally: durations counted in memory, thread-safe, bounded, never lost on a failed write."""

from __future__ import annotations

import os
import threading

import pytest

from comradarr.tally import BINS, BOUNDS_MS, Tally, bin_index, percentile


def test_threads_adding_at_once_lose_nothing():
    written = {}
    tally = Tally(written.update)

    def work():
        for i in range(2000):
            tally.add(("GET", i % 3), 12.0)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert tally.flush() == 3
    assert sum(d.count for d in written.values()) == 8000
    assert all(d.bins[bin_index(12.0)] == d.count for d in written.values())
    assert tally.pending == 0 and tally.flush() == 0


def test_a_failed_write_keeps_the_counts_for_the_next_flush():
    calls = []

    def flaky(drained):
        calls.append(sum(d.count for d in drained.values()))
        if len(calls) == 1:
            raise RuntimeError("database down")

    tally = Tally(flaky)
    tally.add("k", 5)
    with pytest.raises(RuntimeError):
        tally.flush()
    tally.add("k", 7)
    tally.flush()
    assert calls == [1, 2]


def test_keys_are_bounded_and_hostile_values_ignored():
    tally = Tally(lambda drained: None)
    tally.max_keys = 2
    for key in ("a", "b", "c"):
        tally.add(key, 1)
    for bad in (float("nan"), float("-inf"), -5):
        tally.add("a", bad)
    assert tally.pending == 2 and tally.dropped == 1


def test_due_only_after_the_interval():
    tally = Tally(lambda drained: None, interval=3600)
    tally.add("k", 1)
    assert not tally.due() and tally.flush_if_due() == 0
    tally.interval = 0
    assert tally.due() and tally.flush_if_due() == 1


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork only")
def test_a_forked_child_starts_empty():
    tally = Tally(lambda drained: None)
    tally.add("parent", 1)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.write(write, str(tally.pending).encode())
        os._exit(0)
    os.waitpid(pid, 0)
    assert os.read(read, 10) == b"0"
    assert tally.pending == 1


def test_bins_and_percentile_edges():
    assert bin_index(0) == 0 and bin_index(BOUNDS_MS[-1] + 1) == BINS - 1
    bins = [0] * BINS
    bins[bin_index(80)] = 10  # all between 75 and 100 ms
    assert 75 < percentile(bins, 0.5) <= 100
    assert percentile(bins, 0.95, ms_max=90) <= 90
