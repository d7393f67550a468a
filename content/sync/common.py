"""Pieces shared by full and incremental sync: counters, progress, the episode writer."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from connectors.common.errors import NotFoundError
from connectors.common.types import EpisodeData, QualityProfile
from content.sync import reconcile, upsert

logger = logging.getLogger(__name__)

#: progress(done, total, unit): unit is "series" or "pages".
Progress = Callable[[int, int, str], None]

# Rows per INSERT statement: big enough that the per-statement cost vanishes,
# small enough that one batch's arrays stay a few MB.
EPISODE_BATCH = 5000
MOVIE_BATCH = 5000
# Series fetched ahead of the writer: HTTP and JSON parsing of the next series
# overlap with the database writes of the previous ones, in bounded memory.
PREFETCH_WINDOW = 4


def no_progress(done: int, total: int, unit: str) -> None:
    """The default progress callback: report nothing."""


@dataclass
class SyncStats:
    added: int = 0
    updated: int = 0
    removed: int = 0
    items_seen: int = 0
    series_fetched: int = 0
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


_DONE = object()


def prefetch_episodes(
    client, series_arr_ids: list[int], *, window: int = PREFETCH_WINDOW
) -> Iterator[tuple[int, list[EpisodeData] | None]]:
    """Yield (series arr id, episodes) in order, fetched by one background thread.

    ``None`` stands for a series that vanished between the series list and its
    episode fetch (404): the caller neither writes nor deletes anything for it.
    Any other error is re-raised in the caller's thread, so a failed listing
    stops the sync before anything is deleted on its strength. Only one thread
    talks to the client, so its session and request counter stay single-threaded.
    """
    results: queue.Queue = queue.Queue(maxsize=window)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                results.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for arr_id in series_arr_ids:
                if stop.is_set():
                    return
                try:
                    episodes = client.episodes(arr_id)
                except NotFoundError:
                    episodes = None
                if not put((arr_id, episodes)):
                    return
            put(_DONE)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            put(exc)

    thread = threading.Thread(target=produce, name="comradarr-episode-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            item = results.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join(timeout=30)


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
        with transaction.atomic():
            self.stats.count(
                upsert.upsert_episodes(connector_id=self.connector_id, rows=rows, now=now)
            )
            self.stats.removed += reconcile.delete_vanished_episodes(
                series_ids=series_ids, seen_arr_ids=[episode.arr_id for _, episode in rows]
            )
            reconcile.rebuild_season_aggregates(series_ids=series_ids, now=now)
            reconcile.mark_series_synced(series_ids=series_ids, now=now)
        self.stats.items_seen += len(rows)
