"""How often a search finds something, learned from SearchHistory (issue 11 point 2).

Per connector and content type (episodes or movies): the share of searched items that
were grabbed over the last 30 days of searches that ran to an answer (grabbed or no
results; errors say nothing about the indexers' catalogue). Too few searches and the
share is unknown (None): priority then leaves it out rather than guess.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, Sum

from connectors.common.shape import MOVIES
from searchstate.models import SearchHistory

WINDOW = timedelta(days=30)
MIN_SEARCHES = 5
MOVIE_COMMANDS = ("MoviesSearch",)
EPISODE_COMMANDS = ("EpisodeSearch", "SeasonSearch", "SeriesSearch")
ANSWERED = (SearchHistory.Outcome.GRABBED, SearchHistory.Outcome.NO_RESULTS)


def learned_share(connector_id: int, shape: str, *, now: datetime) -> float | None:
    """Items grabbed per item searched (0..1) for ``shape`` (an item kind), or None."""
    commands = MOVIE_COMMANDS if shape == MOVIES.item else EPISODE_COMMANDS
    totals = SearchHistory.objects.filter(
        connector_id=connector_id,
        command_name__in=commands,
        outcome__in=ANSWERED,
        dispatched_at__gte=now - WINDOW,
    ).aggregate(
        searches=Count("pk"),
        items=Sum("item_count", default=0),
        grabbed=Sum("items_grabbed", default=0),
    )
    if totals["searches"] < MIN_SEARCHES or not totals["items"]:
        return None
    return min(1.0, totals["grabbed"] / totals["items"])
