"""Why was (or wasn't) this item searched? One answer per item, in words.

Uses the very annotation the sweep selects with (discovery.annotated), so
"why" can never disagree with what a sweep would do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from django.utils import timezone

from content.models import Episode, Movie, Season
from searchstate import discovery
from searchstate.availability import MovieDates, episode_aired_at, radarr_available_from
from searchstate.discovery import EPISODE, MOVIE, DiscoveryContext
from searchstate.models import Exclusion, PriorityWeights, SearchRegistry, SearchSettings
from searchstate.priority import Score
from searchstate.reasons import Reason
from searchstate.season_plans import season_decisions
from searchstate.seasonpack import Plan
from searchstate.states import SearchType


@dataclass
class WhyReport:
    item: Episode | Movie
    label: str
    search_type: str
    reason: Reason
    detail: str
    registry: SearchRegistry | None = None
    score: Score | None = None
    plan: str = ""
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        reg = self.registry
        return {
            "item": self.label,
            "arr_id": self.item.arr_id,
            "search_type": self.search_type,
            "reason": self.reason.value,
            "detail": self.detail,
            "plan": self.plan,
            "priority": self.score.total if self.score else None,
            "priority_breakdown": self.score.parts if self.score else None,
            "state": reg.state if reg else None,
            "attempts": reg.attempts if reg else 0,
            "last_searched_at": reg.last_searched_at.isoformat()
            if reg and reg.last_searched_at
            else None,
            "next_eligible_at": reg.next_eligible_at.isoformat()
            if reg and reg.next_eligible_at
            else None,
            "notes": self.notes,
        }

    def __str__(self) -> str:
        lines = [f"{self.label} [{self.search_type}]: {self.reason.label}", f"  {self.detail}"]
        if self.plan:
            lines.append(f"  plan: {self.plan}")
        if self.registry:
            reg = self.registry
            lines.append(
                f"  state {reg.state}, {reg.attempts} failed attempts, "
                f"{reg.search_count} searches"
                + (
                    f", last searched {reg.last_searched_at:%Y-%m-%d %H:%M} UTC"
                    if reg.last_searched_at
                    else ""
                )
            )
        if self.score:
            lines.append(f"  priority {self.score.explain()}")
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)


def item_label(item: Episode | Movie) -> str:
    if isinstance(item, Movie):
        return str(item)
    if item.episode_number is None:
        return f"{item.series.title}: {item.title}"
    return f"{item.series.title} S{item.season_number:02d}E{item.episode_number:02d} {item.title}"


def _fmt(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment else "unknown"


def why(
    item: Episode | Movie,
    *,
    now: datetime | None = None,
    downloading: frozenset[int] | None = None,
) -> WhyReport:
    """Explain ``item``; pass ``downloading`` (arr ids) to include the download-queue check."""
    now = now or timezone.now()
    connector = item.connector
    settings = SearchSettings.for_connector(connector)
    ctx = DiscoveryContext(
        connector=connector,
        settings=settings,
        now=now,
        weights=PriorityWeights.current(),
        downloading=downloading or frozenset(),
    )
    shape = MOVIE if isinstance(item, Movie) else EPISODE
    search_type = SearchType.UPGRADE if item.has_file else SearchType.GAP
    model = type(item)
    row = discovery.annotated(
        ctx, search_type, shape=shape, queryset=model.objects.filter(pk=item.pk)
    ).first()
    if row is None:
        raise model.DoesNotExist(f"{model.__name__} {item.pk} is gone")
    reason = Reason(row.reason)
    registry = SearchRegistry.objects.filter(
        **{"movie" if shape == MOVIE else "episode": item}, search_type=search_type
    ).first()
    report = WhyReport(
        item=item,
        label=item_label(item),
        search_type=search_type,
        reason=reason,
        detail=_detail(item, reason, registry, ctx),
        registry=registry,
    )
    if downloading is None:
        report.notes.append("download queue not checked (use --check-queue)")
    if reason == Reason.SELECTED:
        found = discovery.discover(ctx, search_type, only=[item.pk])
        if found.candidates:
            report.score = found.candidates[0].score
        if shape == EPISODE and search_type == SearchType.GAP:
            report.plan = _season_plan(ctx, item)
            if report.plan.startswith(HELD):  # the sweep counts these as in cooldown too
                report.reason, report.detail = Reason.COOLDOWN, report.plan
        else:
            report.plan = "searched in the next sweep's batch (best priority first)"
    return report


#: How _season_plan starts when the season's pack cooldown holds the episode back.
HELD = "held until"


def _season_plan(ctx: DiscoveryContext, item: Episode) -> str:
    season_items = Episode.objects.filter(series=item.series, season_number=item.season_number)
    facts, decisions, _ = season_decisions(ctx, season_items.values_list("pk", flat=True))
    key = (item.series_id, item.season_number)
    if key not in decisions:
        return "episode search"
    decision = decisions[key]
    if decision.plan == Plan.PACK:
        return f"season pack search ({decision.reason.value})"
    if decision.plan == Plan.WAIT:
        history = facts.history[key]
        until = history.last_searched_at + ctx.settings.pack_settings().cooldown
        return (
            f"{HELD} {_fmt(until)}: the season pack search of {_fmt(history.last_searched_at)} "
            "found nothing; then episode search"
        )
    return f"episode search, not a pack ({decision.reason.value})"


def _detail(
    item: Episode | Movie, reason: Reason, reg: SearchRegistry | None, ctx: DiscoveryContext
) -> str:
    """The words for ``reason``: one short explainer per gate, in GATE_ORDER."""
    explain = _DETAILS.get(reason)
    return explain(item, reg, ctx) if explain else reason.label


def _unusable_detail(item, reg, ctx: DiscoveryContext) -> str:
    return f"{ctx.connector.name} is disabled or unhealthy ({ctx.connector.health_status})"


def _file_detail(item, reg, ctx) -> str:
    return "has a file" if not item.has_file else "no file to upgrade"


def _cutoff_detail(item, reg, ctx) -> str:
    return f"file quality {item.quality_name or '?'} meets the profile's cutoff"


def _aired_detail(item: Episode, reg, ctx: DiscoveryContext, *, in_grace: bool) -> str:
    aired = episode_aired_at(air_date_utc=item.air_date_utc, release_date=item.release_date)
    if aired is None:
        return "air date unknown (TBA)"
    if not in_grace:
        return f"airs {_fmt(aired)}"
    return f"aired {_fmt(aired)}; eligible from {_fmt(aired + ctx.settings.grace)}"


def _availability_detail(item: Movie, reg, ctx: DiscoveryContext) -> str:
    return (
        f"status {item.status or '?'}, minimum availability "
        f"{item.minimum_availability or 'n/a'}, available: {item.is_available}; "
        f"in cinemas {_fmt(item.in_cinemas)}, digital {_fmt(item.digital_release)}, "
        f"physical {_fmt(item.physical_release)}; {_expected_available(item, ctx.now)}"
    )


def _exclusion_detail(item: Episode | Movie, reg, ctx) -> str:
    ex = Exclusion.objects.filter(
        **({"movie": item} if isinstance(item, Movie) else {"episode": item})
    ).first()
    if ex is None and isinstance(item, Episode):
        ex = Exclusion.objects.filter(series_id=item.series_id).first()
        return f"its series is excluded{': ' + ex.note if ex and ex.note else ''}"
    return f"excluded{': ' + ex.note if ex and ex.note else ''}"


def _exhausted_detail(item, reg: SearchRegistry | None, ctx: DiscoveryContext) -> str:
    attempts = reg.attempts if reg else 0
    return (
        f"exhausted after {attempts} searches without results "
        f"(max {ctx.settings.max_attempts}); reset or search-now to try again"
    )


def _in_progress_detail(item, reg: SearchRegistry | None, ctx) -> str:
    return f"{reg.state} since {_fmt(reg.updated_at)}" if reg else "queued"


def _cooldown_detail(item: Episode | Movie, reg: SearchRegistry | None, ctx) -> str:
    """Our own next_eligible_at, else the *arr's lastSearchTime plus the cooldown in force."""
    if reg and reg.next_eligible_at and reg.next_eligible_at > ctx.now:
        return f"in cooldown until {_fmt(reg.next_eligible_at)}"
    settings = ctx.settings
    hours = settings.cooldown_hours
    aired = item.air_date_utc if isinstance(item, Episode) else None  # movies never "air"
    if aired and ctx.now - aired < timedelta(hours=settings.fresh_window_hours):
        hours = settings.fresh_cooldown_hours
    until = item.last_search_time + timedelta(hours=hours)
    return f"the *arr searched it at {_fmt(item.last_search_time)}; cooldown until {_fmt(until)}"


_DETAILS = {
    Reason.SELECTED: lambda item, reg, ctx: "eligible: the next sweep selects it",
    Reason.CONNECTOR_UNUSABLE: _unusable_detail,
    Reason.HAS_FILE: _file_detail,
    Reason.CUTOFF_MET: _cutoff_detail,
    Reason.UPGRADES_NOT_ALLOWED: lambda item, reg, ctx: (
        "its quality profile does not allow upgrades"
    ),
    Reason.UNMONITORED: lambda item, reg, ctx: _unmonitored_detail(item),
    Reason.NOT_AIRED: partial(_aired_detail, in_grace=False),
    Reason.IN_GRACE_PERIOD: partial(_aired_detail, in_grace=True),
    Reason.NOT_AVAILABLE: _availability_detail,
    Reason.EXCLUDED: _exclusion_detail,
    Reason.IN_DOWNLOAD_QUEUE: lambda item, reg, ctx: "already in the download queue of the *arr",
    Reason.EXHAUSTED: _exhausted_detail,
    Reason.IN_PROGRESS: _in_progress_detail,
    Reason.COOLDOWN: _cooldown_detail,
    Reason.BUDGET_USED: lambda item, reg, ctx: (
        "the sweep's item limit went to items of higher priority"
    ),
}


def _expected_available(movie: Movie, now: datetime) -> str:
    """When Radarr's own rule makes the movie available (its availability delay aside)."""
    if movie.status in ("tba", "deleted"):
        return f"status {movie.status}: never searched"
    since = radarr_available_from(
        MovieDates(
            status=movie.status,
            minimum_availability=movie.minimum_availability,
            in_cinemas=movie.in_cinemas,
            digital_release=movie.digital_release,
            physical_release=movie.physical_release,
        )
    )
    if since is None:
        return "no release date known yet"
    if since > now:
        return f"expected available from {_fmt(since)}"
    return f"dates say available since {_fmt(since)}; the *arr says not yet (availability delay?)"


def _unmonitored_detail(item: Episode | Movie) -> str:
    if isinstance(item, Movie) or not item.monitored:
        return "not monitored"
    if not item.series.monitored:
        return "its series is not monitored"
    season = Season.objects.filter(series=item.series, season_number=item.season_number).first()
    if season and not season.monitored:
        return f"season {item.season_number} is not monitored"
    return "not monitored"
