"""The two library shapes: series -> seasons -> episodes, and flat movie lists.

Both full and incremental sync go through here when the whole list is read;
they differ only in which series get their episodes fetched (all, or the
stale ones and those history named). Whether an incremental sync reads the
list at all is content.sync.change_check's decision. Every delete happens
after the listing it relies on was received and parsed in full.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
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
    stats: SyncStats,
    progress: Progress,
    changed: Collection[int] = (),
) -> None:
    """Read the whole series list, then episodes of every series (``full``) or only of
    the stale ones: statistics or seasons changed, ``changed`` (history named them), or
    an earlier run stopped before reaching them."""
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
            reconcile.mark_series_stale(connector_id=connector_id, arr_ids=sorted(changed))
            listed = {s.arr_id for s in series_list}
            fetcher = stale_series_fetcher(
                connector_id=connector_id, client=client, stats=stats, listed=listed
            )
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


def stale_series_fetcher(
    *, connector_id: int, client, stats: SyncStats, listed: set[int] | None = None
) -> EpisodeFetcher:
    """A fetcher of the episodes of the connector's stale series (of ``listed`` only, if given)."""
    stale = Series.objects.filter(connector_id=connector_id).stale()
    arr_ids = sorted(
        a for a in stale.values_list("arr_id", flat=True) if listed is None or a in listed
    )
    return EpisodeFetcher(client, arr_ids, stats=stats)


def items_with_file_events(
    client, since: datetime, after_id: int | None, stats: SyncStats
) -> set[int] | None:
    """Series (or movies) in which a file was imported, replaced or deleted since ``since``.

    Only events with an id above ``after_id`` count: the ones at or below it
    were acted on by an earlier sync (the time window overlaps on purpose).
    None when history could not be read (noted): the caller reads the whole
    list instead, since nothing else would tell what changed.
    """
    try:
        records = client.history_since(since)
    except ArrError as exc:
        if isinstance(exc, AuthenticationError):
            raise
        stats.notes.append(f"history not read: {exc}")
        return None
    new = [r for r in records if after_id is None or r.arr_id > after_id]
    if records:
        stats.last_history_id = max(after_id or 0, *(r.arr_id for r in records))
    movies = client.shape == "movies"
    found = set()
    for record in new:
        item = record.movie_arr_id if movies else record.series_arr_id
        if record.event_type in FILE_EVENTS and item is not None:
            found.add(item)
    return found


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
