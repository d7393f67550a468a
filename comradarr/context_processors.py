"""Template context every page gets."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from comradarr.navigation import nav_items


def app(request: HttpRequest) -> dict:
    return {
        "COMRADARR_VERSION": settings.COMRADARR_VERSION,
        "BASE_URL": settings.BASE_URL,
        # Lazy: reversing the entries is skipped for pages that never show the sidebar.
        "nav_items": lambda: nav_items(request=request),
    }
