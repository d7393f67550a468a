"""Episode pages in a series order (title, year, added): walked series after series.

A join ordered by a column of the series cannot use an index of the episodes,
so sorting 500,000 episodes by their series' title or year read and sorted all
of them. Instead the page's keys come from a walk: the connector's series in
the sort's order (a few thousand rows, each key ending in the series id so ties
on a year or a title never swap places between pages), and for each series its
first matching episodes on the (series, season) index, through a LATERAL join.
A page reads the few series it shows.

The order is (series keys..., series id, season, episode number, episode id) in
one direction: ascending, or descending for every part. A cursor is that whole
key, so a page after (or before) it starts inside the cursor's series.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

#: "Never" for a series' added date, as the reference sort (web.browse.sort_keys) coalesces it.
EPOCH_SQL = "'1970-01-01 00:00:00+00'::timestamptz"

#: Per sort: the series' key expressions (SQL on content_series) before its id.
SERIES_KEYS: dict[str, tuple[str, ...]] = {
    "title": ("sort_title",),
    "year": ("COALESCE(year, 0)", "sort_title"),
    "added": (f"COALESCE(added, {EPOCH_SQL})", "sort_title"),
}

_SQL = """
SELECT {outer_keys}, outer_s.id, lat.season_number, lat.k_number, lat.id
FROM (
    SELECT {series_keys}, id FROM content_series
    WHERE connector_id = %s {bound}
    ORDER BY {series_order}
) AS outer_s
CROSS JOIN LATERAL ({inner}) AS lat
ORDER BY {outer_order}, lat.season_number {dir}, lat.k_number {dir}, lat.id {dir}
LIMIT %s
"""

# A narrow filter: its candidates (read on an index, at most one more than the limit) sorted
# when they are few, the walk otherwise. The gates are one-time filters: one branch runs.
_GATHER_SQL = """
WITH candidates AS MATERIALIZED ({candidates}),
     counted AS MATERIALIZED (SELECT count(*) AS n FROM candidates)
(SELECT * FROM ({gather}) AS gathered WHERE (SELECT n FROM counted) <= %s)
UNION ALL
(SELECT * FROM ({walk}) AS walked WHERE (SELECT n FROM counted) > %s)
"""


@dataclass(frozen=True)
class Gather:
    """A narrow filter's way around a walk: its candidates (SQL, read on an index, at most
    ``most`` + 1 of them) and ``page_sql(cursor, descending, limit)``, its page sorted."""

    candidates: tuple[str, tuple]
    most: int
    page_sql: Callable[[list[Any] | None, bool, int], tuple[str, tuple]]

    def wrap(self, walk_sql: str, walk_params: list, *, cursor, descending: bool, limit: int):
        """SQL giving the sorted candidates when they are few, else the walk's keys."""
        candidates, candidate_params = self.candidates
        page_sql, page_params = self.page_sql(cursor, descending, limit)
        sql = _GATHER_SQL.format(candidates=candidates, gather=page_sql, walk=walk_sql)
        return sql, [*candidate_params, *page_params, self.most, *walk_params, self.most]


def after(names: list[str], values: list[Any], *, descending: bool) -> Q:
    """Rows strictly after ``values`` in the (names..., pk) order: a lexicographic comparison."""
    op = "lt" if descending else "gt"
    names = [*names, "pk"]
    terms = []
    for i, name in enumerate(names):
        equal = {n: v for n, v in zip(names[:i], values[:i], strict=True)}
        terms.append(Q(**equal, **{f"{name}__{op}": values[i]}))
    return reduce(or_, terms)


def series_walk_keys(
    qs: QuerySet,
    *,
    sort: str,
    connector_id: int,
    search: str,
    cursor: list[Any] | None,
    descending: bool,
    limit: int,
    gather: Gather | None = None,
) -> list[tuple]:
    """Keys of the next ``limit`` episodes of ``qs`` in the ``sort`` order, after ``cursor``.

    Each key is (series keys..., series id, season, number or -1, episode id).
    ``search`` filters the series by title (as icontains).
    """
    exprs = SERIES_KEYS[sort]
    direction = "DESC" if descending else "ASC"
    inner = qs.filter(series_id=RawSQL("outer_s.id", ())).annotate(
        k_number=Coalesce("episode_number", Value(-1))
    )
    bound, params = "", [connector_id]
    if search:
        # As icontains matches, with LIKE's wildcards taken literally.
        pattern = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        bound += "AND UPPER(title) LIKE UPPER(%s) "
        params.append(f"%{pattern}%")
    if cursor:
        n = len(exprs)
        series_part, (season, number, pk) = cursor[: n + 1], cursor[n + 1 :]
        # The cursor's own series is walked again, from the episode after the cursor.
        placeholders = ", ".join(["%s"] * (n + 1))
        bound += f"AND ({', '.join(exprs)}, id) {'<=' if descending else '>='} ({placeholders})"
        params += series_part
        inner = inner.filter(
            ~Q(series_id=series_part[-1])
            | after(["season_number", "k_number"], [season, number, pk], descending=descending)
        )
    order = ["season_number", "k_number", "pk"]
    inner = inner.order_by(*[f"-{o}" if descending else o for o in order])
    inner_sql, inner_params = inner.values("id", "season_number", "k_number")[
        :limit
    ].query.sql_with_params()
    aliases = [f"k{i}" for i in range(len(exprs))]
    sql = _SQL.format(
        outer_keys=", ".join(f"outer_s.{a}" for a in aliases),
        series_keys=", ".join(f"{e} AS {a}" for e, a in zip(exprs, aliases, strict=True)),
        series_order=", ".join(f"{a} {direction}" for a in [*aliases, "id"]),
        outer_order=", ".join(f"outer_s.{a} {direction}" for a in [*aliases, "id"]),
        bound=bound,
        dir=direction,
        inner=inner_sql,
    )
    params = [*params, *inner_params, limit]
    if gather:
        sql, params = gather.wrap(sql, params, cursor=cursor, descending=descending, limit=limit)
    with connection.cursor() as db:
        db.execute(sql, params)
        return db.fetchall()
