"""Full reconciliation: every series' episodes (or the whole movie list) re-read."""

from __future__ import annotations

from content.sync.common import Progress, SyncStats, no_progress, sync_quality_profiles
from content.sync.library import sync_movie_library, sync_series_library


def full_sync(
    *, connector, client, progress: Progress = no_progress, stats: SyncStats | None = None
) -> SyncStats:
    """Mirror the whole library: insert new, update changed, delete vanished.

    Raises the client's ArrError when a listing fails; what was written before
    is true data and stays, and nothing is deleted on the strength of it.
    """
    stats = stats if stats is not None else SyncStats()
    sync_quality_profiles(connector_id=connector.pk, profiles=client.quality_profiles())
    if client.shape == "movies":
        sync_movie_library(connector_id=connector.pk, client=client, stats=stats, progress=progress)
    else:
        sync_series_library(
            connector_id=connector.pk,
            client=client,
            full=True,
            history_since=None,
            stats=stats,
            progress=progress,
        )
    return stats
