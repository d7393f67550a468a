"""Fixtures shared by the whole suite."""

import pytest

from comradarr import logs

pytest_plugins = ["tests.fakearr.pytest_plugin"]


@pytest.fixture(autouse=True)
def fresh_log_context():
    """A request's or task's log context (correlation id, origin) must not leak between tests,
    nor the request timings counted in memory (a later test's request would flush them,
    adding queries to its count)."""
    from analytics import arr_requests
    from api import timing

    logs.correlation_id.set(None)
    logs.origin.set(None)
    arr_requests.TALLY._reset()
    timing.TALLY._reset()
    yield
    logs.correlation_id.set(None)
    logs.origin.set(None)
