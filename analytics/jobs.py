"""The thin task behind analytics' periodic collection (a job contributed to the built-in list)."""

from __future__ import annotations

from analytics import recording
from comradarr.locks import advisory_lock


def collect() -> dict | None:
    """Recompute recent counters and snapshot the libraries; a fresh install backfills once."""
    with advisory_lock("analytics_collect") as acquired:
        if not acquired:
            return None
        if recording.needs_backfill():
            return recording.backfill().as_dict()
        return recording.collect().as_dict()
