"""Re-reading single movies or series that a change signal named, without the whole list.

GET /movie/{id} (its file embedded) and GET /series/{id} (seasons and
statistics) cost one item's JSON each, where the list costs the library's.
An item the app answers 404 for is gone upstream: its mirror row goes too
(search state follows by cascade). Series then have the episodes of every
stale series fetched, as after a list read.
"""

from __future__ import annotations

from collections.abc import Collection

from django.utils import timezone

from connectors.common.errors import NotFoundError
from content.sync import reconcile, upsert
from content.sync.common import Progress, SyncStats
from content.sync.library import stale_series_fetcher, write_episodes, write_series_list


def sync_movies_by_id(*, connector_id: int, client, arr_ids: Collection[int], stats: SyncStats):
    """Upsert the named movies as the app has them now; delete the ones it no longer has."""
    rows, gone = [], []
    for arr_id in sorted(arr_ids):
        try:
            rows.append(client.movie(arr_id))
        except NotFoundError:
            gone.append(arr_id)
    if rows:
        stats.count(upsert.upsert_movies(connector_id=connector_id, rows=rows, now=timezone.now()))
        stats.items_seen += len(rows)
    stats.removed += reconcile.delete_movies(connector_id=connector_id, arr_ids=gone)


def sync_series_by_id(
    *,
    connector_id: int,
    client,
    arr_ids: Collection[int],
    stats: SyncStats,
    progress: Progress,
) -> None:
    """Upsert the named series (seasons too) and re-read their episodes, with those of
    any series an earlier run left stale; delete the named series the app no longer has."""
    series_list, gone = [], []
    for arr_id in sorted(arr_ids):
        try:
            series_list.append(client.series_one(arr_id))
        except NotFoundError:
            gone.append(arr_id)
    series_ids = write_series_list(connector_id=connector_id, series_list=series_list, stats=stats)
    # History named them: a file changed even where the statistics look the same (an upgrade).
    reconcile.mark_series_stale(connector_id=connector_id, arr_ids=[s.arr_id for s in series_list])
    stats.removed += reconcile.delete_series(connector_id=connector_id, arr_ids=gone)
    fetcher = stale_series_fetcher(connector_id=connector_id, client=client, stats=stats)
    try:
        write_episodes(
            connector_id=connector_id,
            fetcher=fetcher,
            total=fetcher.total,
            series_ids=series_ids,
            stats=stats,
            progress=progress,
        )
    finally:
        fetcher.close()
