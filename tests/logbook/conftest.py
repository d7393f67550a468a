"""A DatabaseHandler on a logger of its own, written synchronously in the test's transaction."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from comradarr.logbook.handler import DatabaseHandler
from comradarr.logs import CorrelationFilter, RedactingFilter


@pytest.fixture
def db_handler() -> Iterator[DatabaseHandler]:
    handler = DatabaseHandler(keep=1000, batch_size=50, threaded=False)
    handler.addFilter(CorrelationFilter())
    handler.addFilter(RedactingFilter())
    yield handler
    handler.close()


@pytest.fixture
def log(db_handler) -> Iterator[logging.Logger]:
    """A logger whose records reach only db_handler (as the root logger's would)."""
    logger = logging.getLogger("tests.logbook.sample")
    logger.addHandler(db_handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield logger
    logger.removeHandler(db_handler)
    logger.propagate = True
