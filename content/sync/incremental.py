"""Incremental sync: re-read only what the cheap listings say has changed."""

from __future__ import annotations

from datetime import datetime

from content.sync.common import Progress, SyncStats, no_progress
from content.sync.library import sync_movie_library, sync_series_library


def incremental_sync(
    *,
    connector,
    client,
    history_since: datetime | None,
    last_history_id: int | None = None,
    progress: Progress = no_progress,
    stats: SyncStats | None = None,
) -> SyncStats:
    """Fetch the series list, then episodes only of series whose statistics changed.

    A series is re-read when the upsert saw its statistics or seasons change,
    when /history/since (from ``history_since``) shows a file imported,
    replaced or deleted in it (events newer than ``last_history_id`` only),
    or when an earlier run failed before reaching it. Movie libraries are one
    listing: it is diffed in the database.
    """
    stats = stats if stats is not None else SyncStats()
    if client.shape == "movies":
        sync_movie_library(connector_id=connector.pk, client=client, stats=stats, progress=progress)
    else:
        sync_series_library(
            connector_id=connector.pk,
            client=client,
            full=False,
            history_since=history_since,
            last_history_id=last_history_id,
            stats=stats,
            progress=progress,
        )
    return stats
