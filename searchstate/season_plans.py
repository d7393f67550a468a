"""Each season's search plan in words: a season pack or episodes one by one, and why.

The facts and the decision are the sweep's own: discovery's gap candidates,
:func:`searchstate.seasons.season_facts` and :func:`searchstate.seasonpack.decide`
(the planner in queueing and ``why`` read the same), so the series page can
never say "pack" where the next sweep plans episodes. Only the wording lives here.

The download queue is an *arr call and never runs in a web request: these
plans assume nothing is downloading (a sweep checks it, see seasonpack's tree).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count
from django.utils import formats, timezone

from comradarr.words import counted
from connectors.models import Connector
from content.models import Episode, Series
from searchstate.discovery import Candidate, DiscoveryContext, annotated, discover
from searchstate.models import SearchSettings
from searchstate.reasons import Reason
from searchstate.seasonpack import (
    Decision,
    PackHistory,
    PackReason,
    PackSettings,
    Plan,
    SeasonFacts,
    decide,
    whole_series,
)
from searchstate.seasons import SeasonKey, SeriesSeasons, season_facts, season_facts_of
from searchstate.states import PackOutcome, SearchType

#: Why a missing episode is not searched now, in the few words a season row has room for.
BLOCKED_WORDS: dict[str, str] = {
    Reason.CONNECTOR_UNUSABLE: "waiting for the connector (disabled or unhealthy)",
    Reason.UNMONITORED: "not monitored",
    Reason.NOT_AIRED: "not aired",
    Reason.IN_GRACE_PERIOD: "in the grace period after airing",
    Reason.EXCLUDED: "excluded",
    Reason.IN_DOWNLOAD_QUEUE: "downloading",
    Reason.EXHAUSTED: "exhausted",
    Reason.IN_PROGRESS: "queued or being searched",
    Reason.COOLDOWN: "in cooldown",
}


def plan_context(
    connector: Connector, *, now: datetime | None = None, force: bool = False
) -> DiscoveryContext:
    """The context a sweep (``force``: a manual search-now) of ``connector`` decides with.

    Priority weights stay at their defaults: a pack decision does not depend on scores.
    """
    return DiscoveryContext(
        connector=connector,
        settings=SearchSettings.for_connector(connector),
        now=now or timezone.now(),
        force=force,
    )


def season_decisions(
    ctx: DiscoveryContext, episode_ids: Iterable[int]
) -> tuple[SeriesSeasons, dict[SeasonKey, Decision], list[Candidate]]:
    """The sweep's pack decision for each season of the series holding ``episode_ids``.

    Returns the seasons' facts, a decision per season the facts cover, and the
    gap candidates found (a fixed number of queries, whatever the season count).
    """
    found = discover(ctx, SearchType.GAP, only=list(episode_ids))
    seasons = season_facts(ctx, found.candidates)
    pack = ctx.settings.pack_settings()
    decisions = {
        key: decide(facts, seasons.history.get(key), settings=pack, now=ctx.now)
        for key, facts in seasons.facts.items()
    }
    return seasons, decisions, found.candidates


@dataclass(frozen=True)
class SeasonPlan:
    """What the next sweep does with one season's missing episodes, in words."""

    season_number: int
    decision: Decision
    headline: str
    detail: str = ""
    #: Missing episodes the next sweep selects.
    to_search: int = 0
    #: Missing episodes held back, by the words of their reason ("exhausted": 3).
    blocked: dict[str, int] = field(default_factory=dict)

    @property
    def plan(self) -> str:
        return self.decision.plan.value

    @property
    def blocked_text(self) -> str:
        return _blocked_text(self.blocked)

    @property
    def text(self) -> str:
        return f"{self.headline}: {self.detail}" if self.detail else self.headline


@dataclass
class SeriesPlans:
    """The plan of every season of one series, and whether one series search replaces them."""

    seasons: dict[int, SeasonPlan]
    thresholds: str
    whole_series: bool = False

    def of(self, season_number: int) -> SeasonPlan:
        return self.seasons.get(season_number) or SeasonPlan(
            season_number, Decision(Plan.NOTHING, PackReason.NOTHING_MISSING), "Nothing missing"
        )


def thresholds_text(pack: PackSettings) -> str:
    """The pack threshold as the settings give it: "5 episodes or 50% of the season"."""
    episodes = counted(pack.min_missing, "episode")
    return f"{episodes} or {round(pack.min_ratio * 100)}% of the season"


def series_plans(series: Series, *, now: datetime | None = None) -> SeriesPlans:
    """Every season's plan for the next sweep of ``series`` (a fixed number of queries).

    One grouped query gives, per season, how many missing episodes discovery
    selects (its candidates, reason ``selected``) and why it leaves out the others.
    """
    ctx = plan_context(series.connector, now=now)
    pack = ctx.settings.pack_settings()
    selected, blocked = _reasons_by_season(ctx, series)
    seasons = season_facts_of(ctx, {(series.pk, n): count for n, count in selected.items()})
    decisions = {
        key: decide(facts, seasons.history.get(key), settings=pack, now=ctx.now)
        for key, facts in seasons.facts.items()
    }
    plans = {}
    for number in {key[1] for key in decisions} | set(blocked):
        key = (series.pk, number)
        decision = decisions.get(key, Decision(Plan.NOTHING, PackReason.NOTHING_MISSING))
        plans[number] = _words(
            number,
            decision,
            seasons.facts.get(key),
            seasons.history.get(key),
            ctx=ctx,
            blocked=blocked.get(number, {}),
        )
    per_season = {key[1]: d for key, d in decisions.items() if d.plan != Plan.NOTHING}
    return SeriesPlans(
        seasons=plans,
        thresholds=thresholds_text(pack),
        whole_series=ctx.settings.use_series_search
        and whole_series(per_season, aired_seasons=seasons.aired_seasons.get(series.pk, set())),
    )


def _reasons_by_season(
    ctx: DiscoveryContext, series: Series
) -> tuple[dict[int, int], dict[int, dict[str, int]]]:
    """Missing episodes per season: how many discovery selects, and the others by reason.

    Discovery's gap candidates are exactly the missing episodes whose reason is
    ``selected`` (searchstate.discovery.discover), so the counts are its own.
    """
    missing = Episode.objects.filter(series=series, has_file=False)
    rows = (
        annotated(ctx, SearchType.GAP, queryset=missing)
        .order_by()
        .values("season_number", "reason")
        .annotate(n=Count("pk"))
    )
    selected: dict[int, int] = {}
    blocked: dict[int, dict[str, int]] = defaultdict(dict)
    for row in sorted(rows, key=lambda r: (r["season_number"], -r["n"], r["reason"])):
        if row["reason"] == Reason.SELECTED:
            selected[row["season_number"]] = row["n"]
            continue
        words = BLOCKED_WORDS.get(row["reason"], Reason(row["reason"]).label.lower())
        blocked[row["season_number"]][words] = row["n"]
    return selected, dict(blocked)


def _when(moment: datetime | None) -> str:
    if moment is None:
        return "an unknown time"
    return formats.date_format(timezone.localtime(moment), "Y-m-d H:i")


def _words(
    number: int,
    decision: Decision,
    facts: SeasonFacts | None,
    history: PackHistory | None,
    *,
    ctx: DiscoveryContext,
    blocked: dict[str, int],
) -> SeasonPlan:
    missing = facts.missing if facts else 0
    pack = ctx.settings.pack_settings()
    of_total = f"{missing} of {facts.episode_count} episodes missing" if facts else ""
    reason = decision.reason
    one_by_one = "Episodes one by one"
    since = _when(history.last_searched_at if history else None)
    searched = history.last_searched_at if history else None
    until = _when(searched + pack.cooldown) if searched else ""
    last = history.last_outcome if history else None
    outcome = PackOutcome(last).label.lower() if last else ""
    if decision.plan == Plan.NOTHING:
        if blocked:
            headline, detail = "Nothing to search now", _blocked_text(blocked)
        else:
            headline, detail = "Nothing missing", ""
    elif decision.plan == Plan.PACK:
        headline = "Searched as a season pack"
        detail = f"{of_total} (threshold: {thresholds_text(pack)})"
    elif decision.plan == Plan.WAIT:
        headline = "Waiting for the pack cooldown"
        detail = (
            f"the season pack search of {since} found nothing; "
            f"its episodes are searched one by one after {until}"
        )
    else:
        headline = one_by_one
        detail = _episodes_detail(reason, facts, ctx=ctx, of_total=of_total, since=since)
        if reason == PackReason.PACK_COOLDOWN:
            detail = f"the season pack search of {since} ({outcome}) is in cooldown until {until}"
    return SeasonPlan(
        season_number=number,
        decision=decision,
        headline=headline,
        detail=detail,
        to_search=missing,
        blocked=blocked,
    )


def _episodes_detail(
    reason: PackReason,
    facts: SeasonFacts | None,
    *,
    ctx: DiscoveryContext,
    of_total: str,
    since: str,
) -> str:
    if reason == PackReason.PACKS_OFF:
        if not ctx.settings.packs_possible:
            return f"{ctx.connector.get_kind_display()} has no season packs"
        return "season packs are switched off in the search settings"
    if reason == PackReason.SPECIALS:
        return "specials are never searched as a pack"
    if reason == PackReason.STILL_AIRING:
        if facts and facts.unaired:
            return f"the season is still airing ({facts.unaired} not aired yet)"
        next_airing = _when(facts.next_airing if facts else None)
        return f"the season is still airing (next episode {next_airing})"
    if reason == PackReason.DOWNLOADING:
        return f"{facts.downloading if facts else 0} missing episodes are downloading already"
    if reason == PackReason.PACK_FAILED:
        return f"the last season pack search ({since}) failed"
    if reason == PackReason.PACK_FOUND_NOTHING:
        return f"the season pack search of {since} found nothing"
    return f"{of_total}, below the pack threshold ({thresholds_text(ctx.settings.pack_settings())})"


def _blocked_text(blocked: dict[str, int]) -> str:
    return ", ".join(f"{n} {words}" for words, n in blocked.items())
