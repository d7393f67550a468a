"""The analytics page's tables: connector comparison and content analysis.

Each returns a series.Table of plain values (the page renders it, the CSV
export streams it). Bounded: top lists stop at TOP rows, distributions are
one GROUP BY.
"""

from __future__ import annotations

from django.db.models import Case, Count, Max, Subquery, Sum, Value, When

from analytics import ages
from analytics.cards import latest_snapshots
from analytics.models import ConnectorStat
from analytics.ranges import Selection
from analytics.series import Table
from connectors.models import Connector
from content.models import Episode, Movie
from searchstate.models import SearchRegistry

TOP = 25


def _pct(num, den) -> float | None:
    return round(100 * (num or 0) / den, 1) if den else None


def comparison(sel: Selection) -> Table:
    """Per connector: searches, success, response time and errors over the range."""
    stats = ConnectorStat.objects.filter(bucket__gte=sel.start, bucket__lt=sel.end)
    if sel.connector is not None:
        stats = stats.filter(connector=sel.connector)
    rows = (
        stats.values("connector_id", "connector__name")
        .annotate(
            n_commands=Sum("commands"),
            n_ours=Sum("acquired_ours"),
            n_rss=Sum("acquired_rss"),
            n_requests=Sum("api_requests"),
            n_errors=Sum("api_errors"),
            n_timed=Sum("api_timed"),
            ms_sum=Sum("api_ms_sum"),
            ms_p95=Max("api_ms_p95"),
        )
        .order_by("connector__name")
    )
    return Table(
        columns=[
            "Connector",
            "Searches",
            "Acquired (ours)",
            "Acquired (RSS)",
            "Success rate %",
            "Mean response ms",
            "p95 response ms",
            "API requests",
            "Error rate %",
        ],
        rows=[
            [
                r["connector__name"],
                r["n_commands"] or 0,
                r["n_ours"] or 0,
                r["n_rss"] or 0,
                _pct(r["n_ours"], r["n_commands"]),
                round(r["ms_sum"] / r["n_timed"], 1) if r["n_timed"] else None,
                round(r["ms_p95"], 1) if r["ms_p95"] is not None else None,
                r["n_requests"] or 0,
                _pct(r["n_errors"], r["n_requests"]),
            ]
            for r in rows
        ],
    )


def _registry(sel: Selection):
    rows = SearchRegistry.objects.filter(
        last_searched_at__gte=sel.start, last_searched_at__lt=sel.end
    )
    if sel.connector is not None:
        rows = rows.filter(connector=sel.connector)
    return rows.select_related("connector", "episode__series", "movie").only(
        "search_type",
        "state",
        "attempts",
        "search_count",
        "last_searched_at",
        "connector__name",
        "episode__title",
        "episode__season_number",
        "episode__episode_number",
        "episode__series__title",
        "movie__title",
        "movie__year",
    )


def _title(row: SearchRegistry) -> str:
    if row.episode_id:
        e = row.episode
        number = f" S{e.season_number:02d}E{e.episode_number:02d}" if e.episode_number else ""
        return f"{e.series.title}{number} {e.title}".strip()
    m = row.movie
    return f"{m.title} ({m.year})" if m.year else m.title


def _registry_table(rows) -> Table:
    return Table(
        columns=["Item", "Connector", "Type", "State", "Searches", "Attempts", "Last searched"],
        rows=[
            [
                _title(r),
                r.connector.name,
                r.search_type,
                r.state,
                r.search_count,
                r.attempts,
                r.last_searched_at,
            ]
            for r in rows
        ],
    )


def _top(sel: Selection, *ordering) -> list[SearchRegistry]:
    """The first TOP rows by ``ordering``; the joins for titles run on those rows only."""
    ids = _registry(sel).order_by(*ordering).values("pk")[:TOP]
    return list(_registry(sel).filter(pk__in=Subquery(ids)).order_by(*ordering))


def most_searched(sel: Selection) -> Table:
    return _registry_table(_top(sel, "-search_count", "-last_searched_at"))


def hardest(sel: Selection) -> Table:
    """Exhausted first, then the most searches that found nothing."""
    exhausted_first = Case(
        When(state=SearchRegistry.State.EXHAUSTED, then=Value(0)), default=Value(1)
    )
    return _registry_table(_top(sel, exhausted_first, "-attempts", "-search_count", "pk"))


def quality(sel: Selection) -> Table:
    """Files per quality name and connector, from the mirror (now, not over the range)."""
    names = dict(Connector.objects.values_list("pk", "name"))
    counts: dict[tuple[int, str], int] = {}
    for model in (Episode, Movie):
        rows = model.objects.filter(has_file=True).order_by()
        if sel.connector is not None:
            rows = rows.filter(connector=sel.connector)
        for r in rows.values("connector_id", "quality_name").annotate(n=Count("pk")):
            key = (r["connector_id"], r["quality_name"] or "(unknown)")
            counts[key] = counts.get(key, 0) + r["n"]
    ordered = sorted(counts.items(), key=lambda kv: (names.get(kv[0][0], ""), -kv[1]))
    return Table(
        columns=["Connector", "Quality", "Files"],
        rows=[[names.get(cid, cid), q, n] for (cid, q), n in ordered],
    )


def gap_age(sel: Selection) -> Table:
    """How long the missing, monitored items have been missing (the latest library snapshot).

    Counted by the snapshot (every ten minutes), not here: on a 500,000-episode mirror the
    count takes about a second, too long for a page.
    """
    counts = dict.fromkeys(ages.LABELS, 0)
    for snap in latest_snapshots():
        if sel.connector is None or snap.connector_id == sel.connector_id:
            for label, n in snap.gap_ages.items():
                counts[label] = counts.get(label, 0) + n
    rows = [[label, n] for label, n in counts.items()] if any(counts.values()) else []
    return Table(columns=["Missing for", "Items"], rows=rows)
