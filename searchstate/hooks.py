"""What searchstate asks of the layers above it, declared rather than imported.

searchstate never imports queueing or the pages: a manual "search now" needs a
sweep, which queueing orchestrates, and a page that lists search targets (the
queue entry page) links each to the library browser, which web serves. So
searchstate states each need here and the app above that can meet it registers
at start-up (web.apps.WebConfig). An unregistered hook is a configuration
error and says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured


class SearchNow(Protocol):
    def __call__(self, *, connector_id: int, item_ids: Sequence[int]) -> None: ...


_search_now: SearchNow | None = None


def register_search_now(handler: SearchNow) -> None:
    """Install what enqueues a forced sweep of items (called once, at start-up)."""
    global _search_now
    _search_now = handler


def request_search_now(*, connector_id: int, item_ids: Sequence[int]) -> None:
    """Ask for a forced sweep of ``item_ids`` of one connector (enqueued on commit)."""
    if _search_now is None:
        raise ImproperlyConfigured(
            "Nothing registered searchstate's search-now hook: 'web' must be in INSTALLED_APPS."
        )
    _search_now(connector_id=connector_id, item_ids=item_ids)


class ItemPage(Protocol):
    def __call__(self, *, kind: str, pk: int) -> str: ...


_item_page: ItemPage | None = None


def register_item_page(handler: ItemPage) -> None:
    """Install what gives the URL of a search target's page ("episode"/"movie"/"series", pk)."""
    global _item_page
    _item_page = handler


def item_page_url(*, kind: str, pk: int) -> str:
    """The page of one search target; pages below web link items through this."""
    if _item_page is None:
        raise ImproperlyConfigured(
            "Nothing registered searchstate's item-page hook: 'web' must be in INSTALLED_APPS."
        )
    return _item_page(kind=kind, pk=pk)
