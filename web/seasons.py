"""The series page's season rows: coverage, Comradarr's states and the pack decision per season.

A fixed number of queries whatever the season count: the episodes are counted
per season in one grouped query, their search states in one grouped query of
the registry, and the pack decisions come from searchstate.season_plans in a
few more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from content.models import Episode, Season, Series
from searchstate.discovery import not_aired_before
from searchstate.item_states import ItemState, row_state_expression
from searchstate.models import SearchRegistry
from searchstate.season_plans import SeasonPlan, SeriesPlans, series_plans
from searchstate.states import SearchState

#: States counted on a season row, in the order they are listed (what needs attention first).
COUNTED_STATES = (
    ItemState.SEARCHING,
    ItemState.QUEUED,
    ItemState.GRABBED,
    ItemState.FAILED,
    ItemState.COOLDOWN,
    ItemState.EXHAUSTED,
)


def season_label(number: int) -> str:
    return "Specials" if number == 0 else f"Season {number}"


def season_order(number: int) -> tuple[bool, int]:
    """Regular seasons first, in order, then the specials (as the *arr apps list them)."""
    return (number == 0, number)


@dataclass(frozen=True)
class StateCount:
    state: str
    label: str
    count: int


@dataclass
class SeasonRow:
    season: Season
    total: int
    with_file: int
    missing: int
    cutoff_unmet: int
    unaired: int
    states: list[StateCount]
    plan: SeasonPlan

    @property
    def number(self) -> int:
        return self.season.season_number

    @property
    def label(self) -> str:
        return season_label(self.number)

    @property
    def gaps(self) -> list[str]:
        """The season's non-zero counts in words: "2 missing", "1 below cutoff", "3 not aired"."""
        counts = (
            (self.missing, "missing"),
            (self.cutoff_unmet, "below cutoff"),
            (self.unaired, "not aired"),
        )
        return [f"{n} {words}" for n, words in counts if n]

    @property
    def percent(self) -> int:
        return round(100 * self.with_file / self.total) if self.total else 0


@dataclass
class SeasonTable:
    rows: list[SeasonRow]
    plans: SeriesPlans
    #: The series' episodes per state, each with its content-browser link.
    totals: list[tuple[StateCount, str]]


def _episode_counts(series: Series, now: datetime) -> dict[int, dict[str, int]]:
    """Per season: episodes, with a file, missing, below cutoff, not aired (one grouped query)."""
    aired = ~not_aired_before(now)
    rows = (
        Episode.objects.filter(series=series)
        .order_by()
        .values("season_number")
        .annotate(
            total=Count("pk"),
            with_file=Count("pk", filter=Q(has_file=True)),
            missing=Count("pk", filter=Q(has_file=False, monitored=True) & aired),
            cutoff_unmet=Count("pk", filter=Q(has_file=True, quality_cutoff_not_met=True)),
            unaired=Count("pk", filter=not_aired_before(now)),
        )
    )
    return {row.pop("season_number"): row for row in rows}


def _state_counts(series: Series) -> dict[int, dict[str, int]]:
    """Per season: the series' episodes by search state, in ONE grouped query of the registry.

    A cooldown without a failure is "grabbed, awaiting import" (searchstate.item_states).
    Exclusions are not registry states: the season's plan counts its excluded gaps.
    """
    rows = (
        SearchRegistry.objects.filter(episode__series=series)
        .exclude(state=SearchState.PENDING)
        .annotate(item_state=row_state_expression())
        .order_by()
        .values("episode__season_number", "item_state")
        .annotate(n=Count("episode_id", distinct=True))
    )
    out: dict[int, dict[str, int]] = {}
    for row in rows:
        out.setdefault(row["episode__season_number"], {})[row["item_state"]] = row["n"]
    return out


def _listed(counts: dict[str, int]) -> list[StateCount]:
    return [
        StateCount(state, ItemState(state).label, counts[state])
        for state in COUNTED_STATES
        if counts.get(state)
    ]


def browser_url(series: Series, state: str) -> str:
    """The content browser showing the series' episodes in ``state`` (a title search)."""
    query = {"connector": series.connector_id, "type": "episodes", "state": state}
    query["q"] = series.title
    return f"{reverse('library:list')}?{urlencode(query)}"


def season_table(
    series: Series, seasons: list[Season], *, now: datetime | None = None
) -> SeasonTable:
    """The rows of ``seasons`` (the series' own, in any order) and the series' state totals."""
    now = now or timezone.now()
    counts = _episode_counts(series, now)
    states = _state_counts(series)
    plans = series_plans(series, now=now)
    rows = []
    totals: dict[str, int] = {}
    for season in sorted(seasons, key=lambda s: season_order(s.season_number)):
        number = season.season_number
        c = counts.get(number, {})
        own = states.get(number, {})
        for state, n in own.items():
            totals[state] = totals.get(state, 0) + n
        rows.append(
            SeasonRow(
                season=season,
                total=c.get("total", 0),
                with_file=c.get("with_file", 0),
                missing=c.get("missing", 0),
                cutoff_unmet=c.get("cutoff_unmet", 0),
                unaired=c.get("unaired", 0),
                states=_listed(own),
                plan=plans.of(number),
            )
        )
    return SeasonTable(
        rows=rows,
        plans=plans,
        totals=[(s, browser_url(series, s.state)) for s in _listed(totals)],
    )
