"""Template context every page gets."""

from __future__ import annotations

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest

from comradarr.navigation import nav_items


def app(request: HttpRequest) -> dict:
    return {
        "COMRADARR_VERSION": settings.COMRADARR_VERSION,
        "BASE_URL": settings.BASE_URL,
        # Lazy: reversing the entries is skipped for pages that never show the sidebar.
        "nav_items": lambda: nav_items(request=request),
        # The settings page's name for this install, in the browser tab.
        "display_name": _display_name,
    }


def _display_name() -> str:
    from comradarr.accounts import runtime

    try:
        return runtime.current().display_name
    except DatabaseError:
        # An error page rendered while the database is down still renders.
        return "Comradarr"
