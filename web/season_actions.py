"""Actions on one season of a series: search now, reset its search state, mark it exhausted.

Each is one call into searchstate.services (or web.search_now) for the whole
season, never one per episode; a reset or a mark is one UPDATE however large
the season. There is no season exclusion: searchstate excludes a series, an
episode or a movie, and excluding every episode would outlive the season
(new episodes would not be excluded), so the page does not offer it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from content.models import Episode, Series
from queueing.models import RequestQueue
from searchstate import services as search_services
from searchstate.discovery import discover
from searchstate.models import SearchRegistry
from searchstate.season_plans import plan_context, season_decisions
from searchstate.seasonpack import Plan
from searchstate.states import SearchState, SearchType
from web.search_now import enqueue_search_now


def _episodes(series: Series, season_number: int) -> QuerySet[Episode]:
    return Episode.objects.filter(series=series, season_number=season_number)


def _wanted(series: Series, season_number: int) -> QuerySet[Episode]:
    """Episodes a search could still improve: missing, or below the quality cutoff."""
    return (
        _episodes(series, season_number)
        .filter(Q(has_file=False) | Q(quality_cutoff_not_met=True))
        .only("pk", "has_file", "connector_id")
    )


def season_reset(*, series: Series, season_number: int) -> int:
    """Forget attempts and cooldowns of the season's episodes; returns how many rows moved.

    Episodes with nothing recorded (no row, or a pending one without attempts
    or cooldown) are left out, so the count says what a reset changed.
    """
    recorded = SearchRegistry.objects.filter(episode=OuterRef("pk")).filter(
        ~Q(state=SearchState.PENDING) | Q(attempts__gt=0) | Q(next_eligible_at__isnull=False)
    )
    items = _episodes(series, season_number).filter(Exists(recorded)).only("pk")
    return search_services.registry_reset(items=items)


def season_mark_exhausted(*, series: Series, season_number: int) -> int:
    """Stop searching the season's missing and below-cutoff episodes until reset."""
    return search_services.registry_mark_exhausted(
        connector=series.connector, items=_wanted(series, season_number)
    )


@dataclass
class SeasonSearch:
    """What "search season now" did: the episodes it asked for and what already waits."""

    searched: int
    as_pack: bool
    #: The first live queue entry that already covers some of the season, and how many.
    waiting: RequestQueue | None
    waiting_episodes: int


def season_search_now(*, series: Series, season_number: int) -> SeasonSearch:
    """Enqueue a forced sweep of the season's searchable episodes (cooldown, exhaustion ignored).

    The candidates are the forced sweep's own (monitored, aired, not excluded,
    not already queued); episodes a live queue entry covers are left to it.
    """
    ctx = plan_context(series.connector, force=True)
    ids = list(_wanted(series, season_number).values_list("pk", flat=True))
    as_pack = False
    found: list[int] = []
    if ctx.settings.gaps_enabled:
        _, decisions, gaps = season_decisions(ctx, ids)
        found += [c.item_id for c in gaps]
        decision = decisions.get((series.pk, season_number))
        as_pack = decision is not None and decision.plan == Plan.PACK
    if ctx.settings.upgrades_enabled:
        found += [c.item_id for c in discover(ctx, SearchType.UPGRADE, only=ids).candidates]
    if found:
        enqueue_search_now(connector_id=series.connector_id, item_ids=sorted(found))
    live = RequestQueue.objects.live()
    covered = SearchRegistry.objects.filter(
        episode__in=_episodes(series, season_number), queue_links__entry__in=live
    )
    waiting = live.filter(links__registry__in=covered).order_by("scheduled_at", "pk").first()
    return SeasonSearch(
        searched=len(found),
        as_pack=as_pack,
        waiting=waiting,
        waiting_episodes=covered.values("episode_id").distinct().count() if waiting else 0,
    )
