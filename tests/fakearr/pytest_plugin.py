"""pytest fixtures for fakearr (registered in tests/conftest.py).

Each fixture starts a real HTTP server on an ephemeral 127.0.0.1 port with a
small seeded library and a frozen clock (speed=0): nothing happens until the
test calls ``arr.advance(seconds)``, so outcomes are deterministic. The factory
takes every FakeArr keyword (kind, version, series, movies, seed, speed,
url_base, config, ...) and stops every server it started at teardown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from .prowlarr import FakeProwlarr
from .server import FakeArr


@pytest.fixture
def fakearr_factory() -> Iterator[Callable[..., FakeArr]]:
    started: list[FakeArr] = []

    def make(kind: str = "sonarr", **kwargs: Any) -> FakeArr:
        kwargs.setdefault("speed", 0)
        arr = FakeArr.start(kind, **kwargs)
        started.append(arr)
        return arr

    yield make
    for arr in started:
        arr.stop()


@pytest.fixture
def fake_sonarr(fakearr_factory: Callable[..., FakeArr]) -> FakeArr:
    return fakearr_factory("sonarr", series=12, episodes_per_series=30, seed=1)


@pytest.fixture
def fake_radarr(fakearr_factory: Callable[..., FakeArr]) -> FakeArr:
    return fakearr_factory("radarr", movies=40, seed=1)


@pytest.fixture
def fake_whisparr_v2(fakearr_factory: Callable[..., FakeArr]) -> FakeArr:
    return fakearr_factory("whisparr_v2", series=8, episodes_per_series=30, seed=1)


@pytest.fixture
def fake_whisparr_v3(fakearr_factory: Callable[..., FakeArr]) -> FakeArr:
    return fakearr_factory("whisparr_v3", movies=40, seed=1)


@pytest.fixture
def fake_prowlarr_factory() -> Iterator[Callable[..., FakeProwlarr]]:
    """fake_prowlarr_factory(clock=arr.clock, rss_interval=900): a started FakeProwlarr."""
    started: list[FakeProwlarr] = []

    def make(**kwargs: Any) -> FakeProwlarr:
        prowlarr = FakeProwlarr.start(**kwargs)
        started.append(prowlarr)
        return prowlarr

    yield make
    for prowlarr in started:
        prowlarr.stop()
