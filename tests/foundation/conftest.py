"""Fixtures for the foundation tests (settings, database, logging, serve)."""

from __future__ import annotations

import io
import logging
import logging.config
import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

from comradarr.logs import build_logging_config

REPO = Path(__file__).resolve().parents[2]

# Variables tests/settings.py puts into os.environ for the test process; a
# child process that should behave like a fresh install must not inherit them.
_TEST_ONLY_ENV = (
    "DJANGO_SETTINGS_MODULE",
    "COMRADARR_TEST_DATA_DIR",
    "COMRADARR_DATA_DIR",
    "SECRET_KEY",
    "DATABASE_URL",
    "LOG_LEVEL",
    "LOG_FORMAT",
    "LOG_DB_KEEP",
)


def clean_env(**overrides: str) -> dict[str, str]:
    """The environment of a fresh install: no test settings, no database URL."""
    env = {key: value for key, value in os.environ.items() if key not in _TEST_ONLY_ENV}
    env["DJANGO_SETTINGS_MODULE"] = "comradarr.settings"
    env["PYTHONUNBUFFERED"] = "1"
    env.update(overrides)
    return env


def manage_py() -> list[str]:
    return [sys.executable, str(REPO / "manage.py")]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def log_output() -> Iterator[callable]:
    """Configure logging as production does, into a buffer; returns a configurer.

    ``configure("json")`` or ``configure("console")`` returns the buffer. The
    suite's own logging configuration is restored afterwards.
    """
    buffer = io.StringIO()

    def configure(fmt: str = "json", level: str = "info") -> io.StringIO:
        config = build_logging_config(level, fmt)
        config["handlers"]["output"]["stream"] = buffer
        logging.config.dictConfig(config)
        return buffer

    yield configure
    logging.config.dictConfig(settings.LOGGING)
