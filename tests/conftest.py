"""Fixtures shared by the whole suite."""

import pytest

from comradarr import logs

pytest_plugins = ["tests.fakearr.pytest_plugin"]


@pytest.fixture(autouse=True)
def fresh_log_context():
    """A request's or task's log context (correlation id, origin) must not leak between tests."""
    logs.correlation_id.set(None)
    logs.origin.set(None)
    yield
    logs.correlation_id.set(None)
    logs.origin.set(None)
