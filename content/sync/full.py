"""Full reconciliation: every series' episodes (or the whole movie list) re-read."""

from __future__ import annotations

from connectors.common.errors import ArrError, AuthenticationError
from content.sync.common import Progress, SyncStats, no_progress, sync_quality_profiles
from content.sync.library import sync_movie_library, sync_series_library


def full_sync(
    *, connector, client, progress: Progress = no_progress, stats: SyncStats | None = None
) -> SyncStats:
    """Mirror the whole library: insert new, update changed, delete vanished.

    Raises the client's ArrError when a listing fails; what was written before
    is true data and stays, and nothing is deleted on the strength of it. The
    /wanted totals are read first, as the baseline the next incremental sync
    compares with (content.sync.change_check).
    """
    stats = stats if stats is not None else SyncStats()
    stats.wanted_totals = _wanted_totals(client, stats)
    sync_quality_profiles(connector_id=connector.pk, profiles=client.quality_profiles())
    stats.listed = True
    if client.shape == "movies":
        sync_movie_library(connector_id=connector.pk, client=client, stats=stats, progress=progress)
    else:
        sync_series_library(
            connector_id=connector.pk, client=client, full=True, stats=stats, progress=progress
        )
    return stats


def _wanted_totals(client, stats: SyncStats):
    try:
        return client.wanted_totals()
    except ArrError as exc:
        if isinstance(exc, AuthenticationError):
            raise
        # Without a baseline the next incremental sync reads the list again: no harm.
        stats.notes.append(f"wanted totals not read: {exc}")
        return None
