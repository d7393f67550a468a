"""Pieces shared by full and incremental sync: counters, progress, the episode writer."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from django.db import connection, transaction
from django.utils import timezone

from connectors.common.errors import NotFoundError
from connectors.common.types import EpisodeData, QualityProfile
from content.sync import reconcile, upsert

logger = logging.getLogger(__name__)

T = TypeVar("T")

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


def _twin(client):
    """A client of its own for a fetch thread, or None when it cannot be made."""
    http = getattr(client, "http", None)
    if http is None:
        return None
    from connectors.common.http import HttpClient

    twin = HttpClient(
        http.base_url,
        http.api_key,
        app_label=http.app_label,
        timeout=http.timeout,
        verify_ssl=http.verify_ssl,
        max_retries=http.max_retries,
        backoff_base=http.backoff_base,
        backoff_cap=http.backoff_cap,
    )
    twin.sleep = http.sleep
    return type(client)(twin, client.capabilities)


def prefetched(pages: Iterator[T], *, window: int) -> Iterator[T]:
    """Iterate ``pages`` in a background thread, up to ``window`` items ahead.

    The producer's exception is re-raised here, after the items it produced
    before failing, so a caller still never acts on a listing cut short.
    Closing the iterator early (break, exception) stops the producer.
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
            for page in pages:
                if not put(page):
                    return
        except BaseException as exc:  # handed to the consumer, which re-raises it
            put(exc)
            return
        put(_DONE)

    thread = threading.Thread(target=produce, name="comradarr-page-fetch", daemon=True)
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


class EpisodeFetcher:
    """Fetches episode listings in background threads; iterate for (series arr id, episodes).

    Results come in any order. ``None`` stands for a series that vanished
    between the series list and its episode fetch (404): the caller neither
    writes nor deletes anything for it. Any other error is re-raised in the
    caller's thread and stops the fetching, so a failed listing stops the sync
    before anything is deleted on its strength. ``start()`` may be called
    early (fetching overlaps whatever the caller does next); ``close()``
    always, which also adds the extra clients' requests to
    ``stats.extra_http_requests``.
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
        clients = [client] + [_twin(client) for _ in range(max(0, workers - 1))]
        self.clients = [c for c in clients if c is not None]
        self.stats = stats
        self.total = len(series_arr_ids)
        self.todo: queue.Queue = queue.Queue()
        for arr_id in series_arr_ids:
            self.todo.put(arr_id)
        self.results: queue.Queue = queue.Queue(maxsize=window)
        self.stop = threading.Event()
        self.running = len(self.clients)
        self.lock = threading.Lock()
        self.threads: list[threading.Thread] = []
        self.closed = False

    def _put(self, item) -> bool:
        while not self.stop.is_set():
            try:
                self.results.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def _produce(self, worker_client) -> None:
        try:
            while not self.stop.is_set():
                try:
                    arr_id = self.todo.get_nowait()
                except queue.Empty:
                    break
                try:
                    episodes = worker_client.episodes(arr_id)
                except NotFoundError:
                    episodes = None
                if not self._put((arr_id, episodes)):
                    return
        except BaseException as exc:  # handed to the consumer, which re-raises it
            self._put(exc)
            return
        with self.lock:
            self.running -= 1
            last = self.running == 0
        if last:
            self._put(_DONE)

    def start(self) -> EpisodeFetcher:
        if not self.threads:
            self.threads = [
                threading.Thread(
                    target=self._produce, args=(c,), name="comradarr-episode-fetch", daemon=True
                )
                for c in self.clients
            ]
            for thread in self.threads:
                thread.start()
        return self

    def __iter__(self) -> Iterator[tuple[int, list[EpisodeData] | None]]:
        self.start()
        while True:
            item = self.results.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)
        if self.stats is not None:
            self.stats.extra_http_requests += sum(
                getattr(getattr(c, "http", None), "request_count", 0) for c in self.clients[1:]
            )
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
