"""The thin task behind analytics' periodic collection (enqueued by analytics.receivers)."""

from __future__ import annotations

from analytics import recording
from queueing.locks import job_lock


def collect() -> dict | None:
    """Recompute recent counters and snapshot the libraries; a fresh install backfills once."""
    with job_lock("analytics_collect") as acquired:
        if not acquired:
            return None
        if recording.needs_backfill():
            return recording.backfill().as_dict()
        return recording.collect().as_dict()
