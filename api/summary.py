"""The library counts /api/v1/status reports (and a Homepage widget shows).

Gaps and upgrades are read through content's own querysets, so they mean what
the rest of Comradarr means by them: a gap is a monitored, aired (or
available) item without a file; an upgrade a file below its cutoff. The
counts are cached for 15 seconds: a dashboard polling every few seconds must
not count a 500k-episode mirror each time.
"""

from __future__ import annotations

from datetime import datetime

from django.core.cache import cache
from django.db.models import Sum
from django.utils import timezone

from content.models import Episode, Movie
from searchstate.models import SearchHistory

CACHE_KEY = "api:library-summary"
CACHE_SECONDS = 15


def start_of_today() -> datetime:
    """Midnight in the user's time zone (TZ), as an aware datetime."""
    return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)


def library_summary() -> dict[str, dict[str, int] | int]:
    cached = cache.get(CACHE_KEY)
    if cached is not None:
        return cached
    episodes, movies = Episode.objects, Movie.objects
    grabbed = SearchHistory.objects.filter(dispatched_at__gte=start_of_today()).aggregate(
        n=Sum("items_grabbed")
    )["n"]
    summary = {
        "gaps": {
            "episodes": episodes.missing().monitored().aired().count(),
            "movies": movies.missing().monitored().available().count(),
        },
        "upgrades": {
            "episodes": episodes.cutoff_unmet().monitored().count(),
            "movies": movies.cutoff_unmet().monitored().count(),
        },
        "grabbed_today": grabbed or 0,
    }
    cache.set(CACHE_KEY, summary, CACHE_SECONDS)
    return summary
