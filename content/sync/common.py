"""Pieces shared by full and incremental sync: counters, progress, the episode writer."""

from __future__ import annotations

import logging
import queue
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from comradarr.prefetch import Prefetch
from connectors.common.errors import NotFoundError
from connectors.common.types import EpisodeData, QualityProfile, WantedTotals
from content.sync import reconcile, upsert

logger = logging.getLogger(__name__)

#: progress(done, total, unit): unit is "series" or "pages".
Progress = Callable[[int, int, str], None]

# Rows per INSERT statement: big enough that the per-statement cost vanishes,
# small enough that one batch's arrays stay a few MB.
EPISODE_BATCH = 5000
MOVIE_BATCH = 5000
# Episode listings fetched at once, each by its own client (an HttpClient is
# not shared across threads): HTTP, the app's work and JSON parsing of the
# next series overlap with each other and with the database writes. Two is
# gentle on the *arr app (Sonarr serves API requests concurrently anyway).
FETCH_WORKERS = 2
# Listings fetched ahead of the writer (bounds memory).
PREFETCH_WINDOW = 4
# Movie pages read and mapped ahead of the writer: the next page is parsed
# while the database merges this one.
MOVIE_PREFETCH = 2


def no_progress(done: int, total: int, unit: str) -> None:
    """The default progress callback: report nothing."""


@dataclass
class SyncStats:
    added: int = 0
    updated: int = 0
    removed: int = 0
    items_seen: int = 0
    series_fetched: int = 0
    extra_http_requests: int = 0  # made by the extra fetch clients
    #: Newest history event id read (None: history not read); the next run starts after it.
    last_history_id: int | None = None
    #: The whole /movie or /series list was read (the daily reconciliation's clock restarts).
    listed: bool = False
    #: /wanted totals read before the listings (None: not read); the next run compares.
    wanted_totals: WantedTotals | None = None
    notes: list[str] = field(default_factory=list)

    def count(self, counts: upsert.UpsertCounts) -> None:
        self.added += counts.added
        self.updated += counts.updated


def sync_quality_profiles(*, connector_id: int, profiles: list[QualityProfile]) -> None:
    """Mirror the quality profiles (searchstate reads upgrade_allowed and cutoffs)."""
    now = timezone.now()
    with transaction.atomic():
        upsert.upsert_quality_profiles(connector_id=connector_id, rows=profiles, now=now)
        reconcile.delete_vanished_profiles(
            connector_id=connector_id, seen_arr_ids=[p.arr_id for p in profiles]
        )


def _twin(client):
    """A client of its own for a fetch thread (an HttpClient is not shared across threads)."""
    return type(client)(client.http.clone(), client.capabilities)


class EpisodeFetcher:
    """Fetches episode listings in background threads; iterate for (series arr id, episodes).

    Results come in any order. ``None`` stands for a series that vanished
    between the series list and its episode fetch (404): the caller neither
    writes nor deletes anything for it. Any other error is re-raised in the
    caller's thread and stops the fetching, so a failed listing stops the sync
    before anything is deleted on its strength. ``start()`` may be called
    early (fetching overlaps whatever the caller does next); ``close()``
    always, which also adds the extra clients' requests to
    ``stats.extra_http_requests``. The threads are comradarr.prefetch's.
    """

    def __init__(
        self,
        client,
        series_arr_ids: list[int],
        *,
        stats: SyncStats | None = None,
        workers: int | None = None,
        window: int = PREFETCH_WINDOW,
    ) -> None:
        workers = workers or FETCH_WORKERS
        self.clients = [client] + [_twin(client) for _ in range(max(0, workers - 1))]
        self.stats = stats
        self.total = len(series_arr_ids)
        self.todo: queue.SimpleQueue[int] = queue.SimpleQueue()
        for arr_id in series_arr_ids:
            self.todo.put(arr_id)
        self.fetch: Prefetch[tuple[int, list[EpisodeData] | None]] = Prefetch(
            [self._listings(c) for c in self.clients],
            window=window,
            name="comradarr-episode-fetch",
        )
        self.closed = False

    def _listings(self, worker_client) -> Iterator[tuple[int, list[EpisodeData] | None]]:
        """One worker's share: series ids taken from the shared to-do queue until it is empty."""
        while True:
            try:
                arr_id = self.todo.get_nowait()
            except queue.Empty:
                return
            try:
                episodes = worker_client.episodes(arr_id)
            except NotFoundError:
                episodes = None
            yield arr_id, episodes

    def start(self) -> EpisodeFetcher:
        self.fetch.start()
        return self

    def __iter__(self) -> Iterator[tuple[int, list[EpisodeData] | None]]:
        return iter(self.fetch)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.fetch.close()
        if self.stats is not None:
            self.stats.extra_http_requests += sum(c.http.request_count for c in self.clients[1:])
        for extra in self.clients[1:]:
            extra.http.close()


class EpisodeWriter:
    """Buffers the episodes of whole series and writes them in batches.

    Each flush is one transaction: upsert the episodes, delete the ones that
    vanished from those series' (complete) listings, rebuild the seasons'
    aggregates and mark the series synced. The number of statements grows
    with flushes (and so with series), never with episodes.
    """

    def __init__(self, *, connector_id: int, stats: SyncStats, batch_size: int | None = None):
        self.connector_id = connector_id
        self.stats = stats
        self.batch_size = batch_size or EPISODE_BATCH
        self._rows: list[tuple[int, EpisodeData]] = []
        self._series: list[int] = []

    def add(self, series_id: int, episodes: Iterable[EpisodeData]) -> None:
        self._series.append(series_id)
        self._rows.extend((series_id, episode) for episode in episodes)
        if len(self._rows) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if not self._series:
            return
        rows, series_ids = self._rows, self._series
        self._rows, self._series = [], []
        now = timezone.now()
        with transaction.atomic(), connection.cursor() as cursor:
            # The mirror can be rebuilt, and this batch's series stay stale
            # until it commits: no need to wait for the WAL flush at commit.
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
            self.stats.count(
                upsert.upsert_episodes(connector_id=self.connector_id, rows=rows, now=now)
            )
            self.stats.removed += reconcile.delete_vanished_episodes(
                series_ids=series_ids, seen_arr_ids=[episode.arr_id for _, episode in rows]
            )
            reconcile.rebuild_season_aggregates(series_ids=series_ids, now=now)
            reconcile.mark_series_synced(series_ids=series_ids, now=now)
        self.stats.items_seen += len(rows)
