"""Fixtures for the shell's view tests."""

from __future__ import annotations

import pytest

from connectors.models import Connector


@pytest.fixture
def make_connector(db):
    """Creates a connector; keyword arguments override the defaults."""
    counter = iter(range(1, 10_000))

    def make(**overrides) -> Connector:
        n = next(counter)
        values = {
            "name": f"Sonarr {n}",
            "kind": Connector.Kind.SONARR,
            "url": f"http://sonarr-{n}:8989",
            "api_key": f"0123456789abcdef0123456789abcd{n:02d}",
        }
        values.update(overrides)
        return Connector.objects.create(**values)

    return make
