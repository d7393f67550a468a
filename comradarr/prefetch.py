"""Bounded read-ahead: iterate slow sources in background threads while the caller works.

The one place Comradarr hands items from producer threads to a consumer. The
sync uses it to overlap the *arr app's answers (HTTP, the app's own work, JSON
parsing) with the database writes; nothing in here knows about the apps.

Guarantees, each tested: items of one source keep their order; a source's
exception reaches the consumer after the items it produced before failing, so
a caller never acts on a listing cut short; at most ``window`` items wait
between producers and consumer (memory stays bounded); closing (or leaving the
``for`` loop early) stops the producers and joins their threads.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")

#: How often a producer blocked on a full window checks whether it should stop.
_PUT_POLL_SECONDS = 0.2
#: How long close() waits for a producer to finish the item it is working on.
_JOIN_SECONDS = 30


class _Failure:
    """A producer's exception, carried to the consumer (which re-raises it)."""

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


_DONE = object()


class Prefetch(Generic[T]):
    """Items of one or more sources, produced in one thread per source, ``window`` ahead.

    With several sources their items interleave in whatever order they are
    ready. Iterate once; ``start()`` may be called earlier so producing
    overlaps whatever the caller does next; always ``close()`` (or use it as a
    context manager).
    """

    def __init__(
        self, sources: Sequence[Iterable[T]], *, window: int, name: str = "comradarr-prefetch"
    ) -> None:
        if window < 1:
            raise ValueError("window must be at least 1")
        if not sources:
            raise ValueError("at least one source is needed")
        self._sources = list(sources)
        self._results: queue.Queue = queue.Queue(maxsize=window)
        self._stop = threading.Event()
        self._running = len(self._sources)
        self._lock = threading.Lock()
        self._name = name
        self._threads: list[threading.Thread] = []

    def _put(self, item: object) -> bool:
        """Queue an item, waiting for room; False once the consumer has stopped."""
        while not self._stop.is_set():
            try:
                self._results.put(item, timeout=_PUT_POLL_SECONDS)
                return True
            except queue.Full:
                continue
        return False

    def _produce(self, source: Iterable[T]) -> None:
        iterator = iter(source)
        try:
            while not self._stop.is_set():
                try:
                    item = next(iterator)
                except StopIteration:
                    break
                if not self._put(item):
                    return
        except BaseException as exc:  # handed to the consumer, which re-raises it
            self._put(_Failure(exc))
            return
        finally:
            close = getattr(iterator, "close", None)  # a generator: release what it holds
            if close is not None:
                close()
        with self._lock:
            self._running -= 1
            last = self._running == 0
        if last:
            self._put(_DONE)

    def start(self) -> Prefetch[T]:
        if not self._threads:
            self._threads = [
                threading.Thread(target=self._produce, args=(s,), name=self._name, daemon=True)
                for s in self._sources
            ]
            for thread in self._threads:
                thread.start()
        return self

    def __iter__(self) -> Iterator[T]:
        self.start()
        while True:
            item = self._results.get()
            if item is _DONE:
                return
            if isinstance(item, _Failure):
                raise item.exc
            yield item

    def close(self) -> None:
        """Stop the producers (each finishes the item it is on) and wait for them."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=_JOIN_SECONDS)

    def __enter__(self) -> Prefetch[T]:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def prefetched(items: Iterable[T], *, window: int, name: str = "comradarr-prefetch") -> Iterator[T]:
    """``items`` in order, produced in a background thread up to ``window`` ahead.

    Leaving the loop early (break, exception, close()) stops the producer.
    """
    with Prefetch([items], window=window, name=name) as fetch:
        yield from fetch
