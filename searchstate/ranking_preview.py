"""How a few items would rank under a set of priority weights (the settings page's live example).

Real items are scored by discovery itself (``discover(..., only=..., force=True)``), so
the example can never disagree with a sweep: same gates, same inputs, same
``priority.score``. Cooldown and exhaustion are ignored (as for "search now"), because
the question is "in which order", not "which now". A handful of items is sampled per
connector and type (newest, oldest, and ones with failed searches or a user priority),
so the preview costs a bounded number of queries however large the library is.

With no mirrored item at all, clearly labelled sample items are scored with the same
``priority.score`` instead, so the page still shows what the weights do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import F

from connectors.models import Connector
from content.models import Episode, Movie
from searchstate import priority as priority_rules
from searchstate.discovery import MOVIE, Candidate, DiscoveryContext, discover, rank_key
from searchstate.models import SearchSettings
from searchstate.states import SearchType

#: Connectors sampled (the first few by id); each costs a few queries per search type.
MAX_CONNECTORS = 3
#: Items sampled per connector, type and end (newest / oldest).
PER_END = 2
#: Rows shown.
MAX_ROWS = 8
#: The breakdown's parts (priority.score's keys) in words.
PART_LABELS = {
    "base": "base",
    "recency": "recency",
    "missing_age": "long-searched",
    "attempts": "failed searches",
    "user": "your priority",
    "findability": "rarely found",
    "unreleased": "not released",
}


@dataclass(frozen=True)
class PreviewRow:
    """One ranked item: where it stands and why."""

    label: str
    where: str
    search_type: str
    score: priority_rules.Score
    sample: bool = False

    @property
    def parts(self) -> list[tuple[str, float]]:
        """(label, points) of every part that counted (base always)."""
        return [
            (PART_LABELS.get(name, name), value)
            for name, value in self.score.parts.items()
            if value or name == "base"
        ]


@dataclass(frozen=True)
class Preview:
    rows: list[PreviewRow]
    #: True when the rows are made-up examples (nothing mirrored yet).
    samples: bool


def ranking_preview(weights: priority_rules.Weights, *, now: datetime) -> Preview:
    """The best MAX_ROWS of a sample of real items under ``weights`` (or of made-up ones)."""
    found: list[tuple[Candidate, str]] = []
    connectors = Connector.objects.filter(enabled=True).order_by("pk")
    usable = [c for c in connectors if c.shape.mirrored and c.is_usable]
    for connector in usable[:MAX_CONNECTORS]:
        ctx = DiscoveryContext(
            connector=connector,
            settings=SearchSettings.for_connector(connector),
            now=now,
            weights=weights,
            force=True,
        )
        for search_type in (SearchType.GAP, SearchType.UPGRADE):
            pks = _sample(connector, search_type)
            if pks:
                result = discover(ctx, search_type, only=pks)
                found.extend((c, connector.name) for c in result.candidates)
    if not found:
        return Preview(rows=sample_rows(weights, now=now), samples=True)
    found.sort(key=lambda pair: rank_key(pair[0]))
    rows = [
        PreviewRow(label=c.label, where=name, search_type=c.search_type, score=c.score)
        for c, name in found[:MAX_ROWS]
    ]
    return Preview(rows=rows, samples=False)


def _sample(connector: Connector, search_type: str) -> list[int]:
    """A few item pks worth comparing: newest, oldest, tried before or user-prioritised."""
    is_movie = connector.shape.item == MOVIE
    model = Movie if is_movie else Episode
    qs = model.objects.filter(connector=connector, monitored=True)
    if search_type == SearchType.GAP:
        qs = qs.filter(has_file=False)
    else:
        qs = qs.filter(has_file=True, quality_cutoff_not_met=True)
    released = "in_cinemas" if is_movie else "air_date_utc"
    dated = qs.filter(**{f"{released}__isnull": False})
    pks: list[int] = []
    # Plain ASC/DESC over dated items: the order the (connector, air date) index is read in,
    # where NULLS LAST over every item sorted the whole 100,000-gap list (65 ms at 500k).
    for order in (F(released).desc(), F(released).asc()):
        pks += dated.order_by(order).values_list("pk", flat=True)[:PER_END]
    # Two queries, not one with OR across the registry join: that OR read every gap (400 ms).
    pks += (
        qs.filter(user_priority__isnull=False).order_by("pk").values_list("pk", flat=True)[:PER_END]
    )
    tried = qs.filter(search_registry__search_type=search_type, search_registry__attempts__gt=0)
    pks += tried.order_by("pk").values_list("pk", flat=True)[:PER_END]
    return list(dict.fromkeys(pks))


def _sample_inputs(now: datetime) -> list[tuple[str, priority_rules.PriorityInputs]]:
    gap, upgrade = SearchType.GAP, SearchType.UPGRADE
    days = lambda n: now - timedelta(days=n)  # noqa: E731 - a local shorthand
    return [
        (
            "Sample: episode aired last week, never searched",
            priority_rules.PriorityInputs(search_type=gap, released_at=days(7)),
        ),
        (
            "Sample: movie released 3 years ago, 4 searches found nothing",
            priority_rules.PriorityInputs(
                search_type=gap, released_at=days(3 * 365), first_selected_at=days(60), attempts=4
            ),
        ),
        (
            "Sample: episode aired 10 years ago, looked for since last year",
            priority_rules.PriorityInputs(
                search_type=gap, released_at=days(3650), first_selected_at=days(400), attempts=2
            ),
        ),
        (
            "Sample: old episode of a series you gave priority +40",
            priority_rules.PriorityInputs(
                search_type=gap, released_at=days(5 * 365), series_priority=40
            ),
        ),
        (
            "Sample: better copy of a movie released last month",
            priority_rules.PriorityInputs(search_type=upgrade, released_at=days(30)),
        ),
        (
            "Sample: better copy of an episode aired 2 years ago",
            priority_rules.PriorityInputs(search_type=upgrade, released_at=days(730)),
        ),
        (
            "Sample: announced movie, not released yet",
            priority_rules.PriorityInputs(search_type=gap, released_at=days(10), released=False),
        ),
    ]


def sample_rows(weights: priority_rules.Weights, *, now: datetime) -> list[PreviewRow]:
    """The made-up items scored with the engine's own ``priority.score``, best first."""
    rows = [
        PreviewRow(
            label=label,
            where="example",
            search_type=inputs.search_type,
            score=priority_rules.score(inputs, now=now, weights=weights),
            sample=True,
        )
        for label, inputs in _sample_inputs(now)
    ]
    # Stable: equal scores keep the list's order, as ties do in discovery.
    rows.sort(key=lambda row: -row.score.total)
    return rows[:MAX_ROWS]
