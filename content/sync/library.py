"""The two library shapes: series -> seasons -> episodes, and flat movie lists.

Both full and incremental sync go through here; they differ only in which
series get their episodes fetched (all, or the stale ones) and in whether
history is consulted. Every delete happens after the listing it relies on
was received and parsed in full.
"""

from __future__ import annotations

import logging
from contextlib import closing
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from comradarr.prefetch import prefetched
from connectors.common.errors import ArrError, AuthenticationError
from connectors.common.types import SeriesData
from content.models import Movie, Series
from content.sync import reconcile, upsert
from content.sync.common import (
    MOVIE_BATCH,
    MOVIE_PREFETCH,
    EpisodeFetcher,
    EpisodeWriter,
    Progress,
    SyncStats,
)

logger = logging.getLogger(__name__)

# History events after which a series' episodes (or a movie) must be re-read:
# a file arrived, was replaced or went away. Grabs change nothing in the mirror.
FILE_EVENTS = frozenset(
    {
        "downloadFolderImported",
        "seriesFolderImported",
        "episodeFileDeleted",
        "episodeFileRenamed",
        "movieFolderImported",
        "movieFileDeleted",
        "movieFileRenamed",
    }
)


def write_series_list(*, connector_id: int, series_list: list[SeriesData], stats: SyncStats):
    """Upsert series and seasons; returns {series arr id: series pk}."""
    now = timezone.now()
    with transaction.atomic():
        stats.count(upsert.upsert_series(connector_id=connector_id, rows=series_list, now=now))
        ids = dict(Series.objects.filter(connector_id=connector_id).values_list("arr_id", "pk"))
        seasons = [(ids[s.arr_id], season) for s in series_list for season in s.seasons]
        upsert.upsert_seasons(rows=seasons)
        reconcile.delete_vanished_seasons(
            series_ids=[ids[s.arr_id] for s in series_list],
            seen=[(series_id, season.season_number) for series_id, season in seasons],
        )
    return ids


def write_episodes(
    *,
    connector_id: int,
    fetcher: EpisodeFetcher,
    total: int,
    series_ids: dict[int, int],
    stats: SyncStats,
    progress: Progress,
) -> None:
    """Write the episode listings as the fetcher delivers them, in batches."""
    writer = EpisodeWriter(connector_id=connector_id, stats=stats)
    progress(0, total, "series")
    for done, (arr_id, episodes) in enumerate(fetcher, start=1):
        if episodes is None:
            stats.notes.append(f"series {arr_id} vanished during the sync")
        else:
            writer.add(series_ids[arr_id], episodes)
            stats.series_fetched += 1
        progress(done, total, "series")
    writer.flush()


def finish_series_list(*, connector_id: int, series_list: list[SeriesData], stats: SyncStats):
    """Delete series gone from the (complete) listing, with their episodes."""
    stats.removed += reconcile.delete_vanished_series(
        connector_id=connector_id, seen_arr_ids=[s.arr_id for s in series_list]
    )


def sync_series_library(
    *,
    connector_id: int,
    client,
    full: bool,
    history_since: datetime | None,
    stats: SyncStats,
    progress: Progress,
    last_history_id: int | None = None,
) -> None:
    series_list = client.series()
    fetcher = None
    try:
        if full:
            # Every series will be read: start fetching while the list is written.
            fetcher = EpisodeFetcher(client, [s.arr_id for s in series_list], stats=stats)
            fetcher.start()
        series_ids = write_series_list(
            connector_id=connector_id, series_list=series_list, stats=stats
        )
        if fetcher is None:
            if history_since is not None:
                changed = _series_with_file_events(client, history_since, last_history_id, stats)
                reconcile.mark_series_stale(connector_id=connector_id, arr_ids=sorted(changed))
            listed = {s.arr_id for s in series_list}
            stale = Series.objects.filter(connector_id=connector_id).stale()
            arr_ids = sorted(a for a in stale.values_list("arr_id", flat=True) if a in listed)
            fetcher = EpisodeFetcher(client, arr_ids, stats=stats)
        write_episodes(
            connector_id=connector_id,
            fetcher=fetcher,
            total=fetcher.total,
            series_ids=series_ids,
            stats=stats,
            progress=progress,
        )
    finally:
        if fetcher is not None:
            fetcher.close()
    finish_series_list(connector_id=connector_id, series_list=series_list, stats=stats)


def _series_with_file_events(
    client, since: datetime, after_id: int | None, stats: SyncStats
) -> set[int]:
    """Series in which a file was imported, replaced or deleted since ``since``.

    Only events with an id above ``after_id`` count: the ones at or below it
    were acted on by an earlier sync (the time window overlaps on purpose).

    History only adds series to re-read; when it cannot be read the sync goes
    on with the statistics alone (and says so), since nothing is deleted on
    the strength of it.
    """
    try:
        records = client.history_since(since)
    except ArrError as exc:
        if isinstance(exc, AuthenticationError):
            raise
        stats.notes.append(f"history not read: {exc}")
        return set()
    new = [r for r in records if after_id is None or r.arr_id > after_id]
    if records:
        stats.last_history_id = max(after_id or 0, *(r.arr_id for r in records))
    return {
        record.series_arr_id
        for record in new
        if record.event_type in FILE_EVENTS and record.series_arr_id is not None
    }


def sync_movie_library(*, connector_id: int, client, stats: SyncStats, progress: Progress) -> None:
    """Radarr's movie list is one call: stream it, upsert it a page at a time,
    then drop what vanished (only once the whole list was read and parsed).

    Full and incremental are the same here: the upsert writes only rows that
    changed, so an unchanged library costs the fetch and one statement a page.
    Memory holds one page of movies, never the whole list. The page total is
    not known until the list ends: progress shows the mirror's previous size
    as the expected total.
    """
    expected = -(-Movie.objects.filter(connector_id=connector_id).count() // MOVIE_BATCH)
    seen: list[int] = []
    progress(0, expected, "pages")
    done = 0
    # Closed on the way out, so an error while writing stops the read-ahead at once.
    with closing(
        prefetched(
            client.movie_pages(MOVIE_BATCH), window=MOVIE_PREFETCH, name="comradarr-page-fetch"
        )
    ) as pages:
        for page in pages:
            stats.count(
                upsert.upsert_movies(connector_id=connector_id, rows=page, now=timezone.now())
            )
            stats.items_seen += len(page)
            seen.extend(movie.arr_id for movie in page)
            done += 1
            progress(done, max(expected, done + 1), "pages")
    progress(done, done, "pages")
    stats.removed += reconcile.delete_vanished_movies(connector_id=connector_id, seen_arr_ids=seen)
