"""Simulated time: wall-clock driven (optionally sped up) or fully manual.

Everything in fakearr that depends on time (air dates, command progress, imports,
"starting" windows) reads this clock, so tests advance it instead of sleeping.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta


class SimClock:
    """Now = start + speed * wall seconds elapsed (when running) + manual advances.

    ``speed=0`` freezes the clock: only :meth:`advance` moves it, which makes a
    test fully deterministic.
    """

    def __init__(self, start: datetime | None = None, *, speed: float = 1.0) -> None:
        if speed < 0:
            raise ValueError("speed must be >= 0")
        base = start or datetime.now(UTC)
        if base.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        self._start = base.astimezone(UTC)
        self._speed = speed
        self._wall0 = time.monotonic()
        self._offset = 0.0
        self._lock = threading.Lock()

    @property
    def speed(self) -> float:
        return self._speed

    @property
    def start(self) -> datetime:
        return self._start

    def elapsed(self) -> float:
        """Simulated seconds since start."""
        with self._lock:
            return (time.monotonic() - self._wall0) * self._speed + self._offset

    def now(self) -> datetime:
        return self._start + timedelta(seconds=self.elapsed())

    def timestamp(self) -> float:
        return self._start.timestamp() + self.elapsed()

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("time only moves forward")
        with self._lock:
            self._offset += seconds

    def sim_to_wall(self, sim_seconds: float) -> float:
        """Wall seconds a simulated duration takes (inf when frozen)."""
        return float("inf") if self._speed == 0 else sim_seconds / self._speed
