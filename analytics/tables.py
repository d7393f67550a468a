"""The analytics page's tables: connector comparison and content analysis.

Each returns a series.Table of plain values (the page renders it, the CSV
export streams it). Bounded: top lists stop at TOP rows, distributions are
one GROUP BY.
"""

from __future__ import annotations

from django.db.models import Case, Count, Subquery, Sum, Value, When

from analytics import ages, arr_requests
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
    """Per connector: searches, success, response time and errors over the range.

    Requests, errors and response times are those of every real request to the
    app (analytics.arr_requests), not of the health checks alone.
    """
    stats = ConnectorStat.objects.filter(bucket__gte=sel.start, bucket__lt=sel.end)
    if sel.connector is not None:
        stats = stats.filter(connector=sel.connector)
    counts = {
        r["connector_id"]: r
        for r in stats.values("connector_id")
        .annotate(
            n_commands=Sum("commands"), n_ours=Sum("acquired_ours"), n_rss=Sum("acquired_rss")
        )
        .order_by()
    }
    timed = {key[0]: t for key, t in arr_requests.timings(sel).items()}
    names = dict(Connector.objects.values_list("pk", "name"))
    rows = []
    shown = [pk for pk in names if pk in counts or pk in timed]
    for cid in sorted(shown, key=lambda pk: (names[pk], pk)):
        r, t = counts.get(cid, {}), timed.get(cid)
        commands, ours = r.get("n_commands") or 0, r.get("n_ours") or 0
        rows.append(
            [
                names[cid],
                commands,
                ours,
                r.get("n_rss") or 0,
                _pct(ours, commands),
                t.mean_ms if t else None,
                t.p95_ms if t else None,
                t.requests if t else 0,
                t.error_rate if t else None,
            ]
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
        rows=rows,
    )


def endpoints(sel: Selection) -> Table:
    """Per connector and endpoint (a path template): requests, errors and response times."""
    found = arr_requests.timings(sel, by=("connector_id", "method", "endpoint"))
    names = dict(Connector.objects.values_list("pk", "name"))
    ordered = sorted(
        ((k, t) for k, t in found.items() if k[0] in names),
        key=lambda kt: (names[kt[0][0]], -(kt[1].p95_ms or 0), kt[0][2]),
    )
    return Table(
        columns=["Connector", "Request", "Requests", "Error rate %", "Mean ms", "p95 ms"],
        rows=[
            [names[cid], f"{method} {endpoint}", t.requests, t.error_rate, t.mean_ms, t.p95_ms]
            for (cid, method, endpoint), t in ordered
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
