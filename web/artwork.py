"""Posters and fanart of the mirrored library, fetched from the *arr app and cached on disk.

The page's <img> asks Comradarr (web.artwork_views), never the app: the API
key stays on the server, and the request to the app is built from the
connector's URL and the mirrored arr id only (ArrClient.media_cover), never
from a URL in the request or the app's remoteUrl. A cached copy is served
first; it is refreshed after REFRESH_SECONDS, and kept when the refresh fails.
An app that is down is not asked again for DOWN_SECONDS (a page of fifty
posters must not wait for fifty timeouts), and a 404 is remembered by the cache.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from functools import cache

from django.conf import settings

from connectors.common.client import COVER_TYPES
from connectors.common.errors import ArrError, HealthEffect, NotFoundError
from connectors.models import Connector
from connectors.registry import probe_client
from content.models import Movie, Series
from web.artwork_cache import ArtworkCache, ArtworkKey, CachedImage

logger = logging.getLogger("web.artwork")

#: The URL's kinds: a series (also an episode's artwork) or a movie.
KINDS = {"series": Series, "movie": Movie}
COVERS = COVER_TYPES
#: A page is waiting: the app gets this long (at most the connector's own timeout), once.
FETCH_TIMEOUT = 5
#: After a connection failure, the app is left alone this long (placeholders meanwhile).
DOWN_SECONDS = 60
#: A cached cover older than this is fetched again (the cached one serves if that fails).
REFRESH_SECONDS = 7 * 24 * 3600

#: Wall-clock seconds, as the cache stamps fetched_at (a name tests can replace).
now = time.time
_down_until: dict[int, float] = {}
_down_lock = threading.Lock()


@dataclass(frozen=True)
class Target:
    connector: Connector
    kind: str
    arr_id: int


def target_of(kind: str, pk: int) -> Target | None:
    """The mirrored series or movie ``pk`` (None for an unknown kind or id): one query."""
    model = KINDS.get(kind)
    if model is None:
        return None
    row = model.objects.select_related("connector").only("arr_id", "connector").filter(pk=pk)
    item = row.first()
    if item is None:
        return None
    return Target(connector=item.connector, kind=kind, arr_id=item.arr_id)


@cache
def default_cache() -> ArtworkCache:
    return ArtworkCache(settings.ARTWORK_CACHE_DIR, settings.ARTWORK_CACHE_MAX_BYTES)


def artwork_get(
    *, target: Target, cover: str, store: ArtworkCache | None = None
) -> CachedImage | None:
    """The cover's image, cached or fetched now; None when there is none to show (the app
    has no such cover, or cannot be asked and nothing is cached)."""
    if cover not in COVERS:
        raise ValueError(f"unknown cover type {cover!r}")
    store = store or default_cache()
    key = ArtworkKey(target.connector.pk, target.kind, target.arr_id, cover)
    cached = store.get(key)
    if cached is not None and now() - cached.fetched_at < REFRESH_SECONDS:
        return cached
    if store.is_missing(key) or not target.connector.enabled or _is_down(target.connector.pk):
        return cached
    try:
        image = _fetch(target, cover)
    except NotFoundError:
        store.mark_missing(key)
        return None
    except (ArrError, ValueError) as exc:
        # Unreachable, timed out, refused, not an image: the cached copy or a placeholder.
        logger.info("artwork: %s %s of %s: %s", target.kind, cover, target.connector, exc)
        if isinstance(exc, ArrError) and exc.policy.health is HealthEffect.OFFLINE:
            _mark_down(target.connector.pk)  # spare the next posters its timeout
        return cached
    return store.put(key, image.content, image.content_type)


def _fetch(target: Target, cover: str):
    connector = target.connector
    client = probe_client(
        connector.kind,
        connector.url,
        connector.api_key,
        timeout=min(FETCH_TIMEOUT, connector.timeout_seconds or FETCH_TIMEOUT),
        verify_ssl=connector.verify_ssl,
        max_retries=0,
        connector_id=connector.pk,
    )
    try:
        # MediaCover is the same endpoint in every version of every library kind,
        # so the version-less client is enough (docs/arr-api.md section 2).
        return client.media_cover(target.arr_id, cover)
    finally:
        client.http.close()


def _is_down(connector_id: int) -> bool:
    with _down_lock:
        return _down_until.get(connector_id, 0.0) > time.monotonic()


def _mark_down(connector_id: int) -> None:
    with _down_lock:
        _down_until[connector_id] = time.monotonic() + DOWN_SECONDS


def forget_down() -> None:
    """Ask every app again at the next request (tests; a connector just fixed)."""
    with _down_lock:
        _down_until.clear()
