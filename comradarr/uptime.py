"""When this install started: `serve` stamps the moment into its children's environment.

A gunicorn worker or a task worker is younger than the install (workers are
recycled), so its own start time would understate the uptime. `serve` sets
STARTED_AT_ENV for every child it starts; a process started another way
(runserver, a bare gunicorn or qcluster) falls back to its own start time.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

import psutil

STARTED_AT_ENV = "COMRADARR_STARTED_AT"


def started_marker() -> str:
    """The value `serve` puts into its children's environment: now, as a UTC timestamp."""
    return datetime.now(UTC).isoformat()


def started_at() -> datetime:
    """The install's start (serve's), else this process's."""
    stamped = os.environ.get(STARTED_AT_ENV, "")
    try:
        moment = datetime.fromisoformat(stamped)
    except ValueError:
        moment = None
    if moment is not None and moment.tzinfo is not None:
        return moment
    return datetime.fromtimestamp(psutil.Process().create_time(), tz=UTC)
