"""Durations counted in memory, per process, and written to the database in one statement.

A request (to an *arr app, or to our own API) must not cost an INSERT: the
hot path only adds to a dict under a lock (a microsecond or so). The owner of
a Tally drains it at a safe point (the end of a task, the end of a web
request, process exit) and writes every key it collected with one upsert.
Counts are added in the database, so any number of processes on any number
of hosts add up correctly, which a per-process registry cannot do (see
api.metrics for why /metrics reads them from the database).

Durations are kept as a histogram over fixed bounds (BOUNDS_MS), so counts
from many flushes, processes and hours can be summed and a percentile still
estimated from the sum (``percentile``); a percentile itself cannot be added.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field

#: Upper bounds (ms) of the histogram bins; the last bin holds everything slower.
BOUNDS_MS: tuple[float, ...] = (
    5,
    10,
    25,
    50,
    75,
    100,
    150,
    200,
    300,
    500,
    750,
    1000,
    1500,
    2000,
    3000,
    5000,
    10000,
    30000,
)
BINS = len(BOUNDS_MS) + 1


def bin_index(ms: float) -> int:
    for index, bound in enumerate(BOUNDS_MS):
        if ms <= bound:
            return index
    return len(BOUNDS_MS)


@dataclass
class Durations:
    """Count, sum, maximum and histogram of the durations of one key."""

    count: int = 0
    errors: int = 0
    ms_sum: float = 0.0
    ms_max: float = 0.0
    bins: list[int] = field(default_factory=lambda: [0] * BINS)

    def add(self, ms: float, *, error: bool = False) -> None:
        self.count += 1
        self.errors += int(error)
        self.ms_sum += ms
        self.ms_max = max(self.ms_max, ms)
        self.bins[bin_index(ms)] += 1

    def merge(self, other: Durations) -> None:
        self.count += other.count
        self.errors += other.errors
        self.ms_sum += other.ms_sum
        self.ms_max = max(self.ms_max, other.ms_max)
        self.bins = [a + b for a, b in zip(self.bins, other.bins, strict=True)]


def percentile(bins: Sequence[int], q: float, *, ms_max: float | None = None) -> float | None:
    """The q-quantile (0..1) estimated from summed bins, as Prometheus' histogram_quantile.

    Linear within the bin that holds it; the open last bin ends at ``ms_max``
    (the slowest request seen), and no estimate exceeds ``ms_max``.
    """
    total = sum(bins)
    if not total:
        return None
    rank = q * total
    seen = 0
    for index, n in enumerate(bins):
        if n and seen + n >= rank:
            low = BOUNDS_MS[index - 1] if index else 0.0
            high = BOUNDS_MS[index] if index < len(BOUNDS_MS) else (ms_max or low)
            value = low + (high - low) * (rank - seen) / n
            return round(min(value, ms_max) if ms_max is not None else value, 1)
        seen += n
    return None  # pragma: no cover - the loop always reaches the rank


Writer = Callable[[dict[Hashable, Durations]], None]


class Tally:
    """Durations by key, collected in this process until ``flush()`` hands them to ``write``.

    Thread-safe (a sync fetches with several threads). A failed write puts the
    drained counts back, so they are written with the next flush. After a
    fork the child starts empty: the parent's pending counts are the parent's
    to write (gunicorn and django-q2 fork their workers).
    """

    #: At most this many keys are held; past it, new keys are dropped (counted in ``dropped``),
    #: so a stream of unexpected keys cannot grow a worker's memory.
    max_keys = 5000

    def __init__(self, write: Writer, *, interval: float = 30.0) -> None:
        self.write = write
        self.interval = interval
        self.dropped = 0
        self._lock = threading.Lock()
        self._pending: dict[Hashable, Durations] = {}
        self._last_flush = time.monotonic()
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        self._lock = threading.Lock()
        self._pending = {}
        self._last_flush = time.monotonic()

    def add(self, key: Hashable, ms: float, *, error: bool = False) -> None:
        if not math.isfinite(ms) or ms < 0:
            return
        with self._lock:
            durations = self._pending.get(key)
            if durations is None:
                if len(self._pending) >= self.max_keys:
                    self.dropped += 1
                    return
                durations = self._pending[key] = Durations()
            durations.add(ms, error=error)

    @property
    def pending(self) -> int:
        return len(self._pending)

    def due(self) -> bool:
        return bool(self._pending) and time.monotonic() - self._last_flush >= self.interval

    def flush(self) -> int:
        """Write everything pending (one call of ``write``); returns the keys written."""
        with self._lock:
            drained, self._pending = self._pending, {}
            self._last_flush = time.monotonic()
        if not drained:
            return 0
        try:
            self.write(drained)
        except Exception:
            with self._lock:
                for key, durations in drained.items():
                    self._pending.setdefault(key, Durations()).merge(durations)
            raise
        return len(drained)

    def flush_if_due(self) -> int:
        return self.flush() if self.due() else 0
