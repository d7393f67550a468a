"""Facts about seasons for the season-pack decision, read in bulk from the mirror."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count

from content.models import Episode, Season
from searchstate.discovery import Candidate, DiscoveryContext, not_aired_before
from searchstate.models import SeasonPackSearch
from searchstate.seasonpack import PackHistory, SeasonFacts

SeasonKey = tuple[int, int]  # (series pk, season number)


@dataclass
class SeriesSeasons:
    """Per season of the series in a plan: facts, pack history, and which seasons aired."""

    facts: dict[SeasonKey, SeasonFacts]
    history: dict[SeasonKey, PackHistory]
    aired_seasons: dict[int, set[int]]


def season_facts(ctx: DiscoveryContext, gaps: Iterable[Candidate]) -> SeriesSeasons:
    """Facts of every season holding a gap candidate (four queries whatever the size)."""
    missing: dict[SeasonKey, int] = defaultdict(int)
    for c in gaps:
        missing[(c.series_id, c.season_number)] += 1
    return season_facts_of(ctx, missing)


def season_facts_of(ctx: DiscoveryContext, missing: dict[SeasonKey, int]) -> SeriesSeasons:
    """Facts of every season of the series in ``missing`` (gap candidates per season)."""
    series_ids = sorted({key[0] for key in missing})
    if not series_ids:
        return SeriesSeasons(facts={}, history={}, aired_seasons={})

    episodes = Episode.objects.filter(connector=ctx.connector, series_id__in=series_ids)
    counts = (
        episodes.order_by()
        .values("series_id", "season_number")
        .annotate(total=Count("pk"), unaired=Count("pk", filter=not_aired_before(ctx.now)))
    )
    next_airing = {
        (row["series_id"], row["season_number"]): row["next_airing"]
        for row in Season.objects.filter(series_id__in=series_ids)
        .order_by()
        .values("series_id", "season_number", "next_airing")
    }
    downloading: dict[SeasonKey, int] = defaultdict(int)
    if ctx.downloading:
        for row in (
            episodes.filter(arr_id__in=sorted(ctx.downloading), has_file=False)
            .order_by()
            .values("series_id", "season_number")
            .annotate(n=Count("pk"))
        ):
            downloading[(row["series_id"], row["season_number"])] = row["n"]

    facts: dict[SeasonKey, SeasonFacts] = {}
    aired: dict[int, set[int]] = defaultdict(set)
    for row in counts:
        key = (row["series_id"], row["season_number"])
        if row["total"] > row["unaired"]:
            aired[row["series_id"]].add(row["season_number"])
        facts[key] = SeasonFacts(
            season_number=row["season_number"],
            episode_count=row["total"],
            missing=missing.get(key, 0),
            unaired=row["unaired"],
            next_airing=next_airing.get(key),
            downloading=downloading.get(key, 0),
        )
    history = {
        (p.series_id, p.season_number): p.history()
        for p in SeasonPackSearch.objects.filter(series_id__in=series_ids)
    }
    return SeriesSeasons(facts=facts, history=history, aired_seasons=dict(aired))
