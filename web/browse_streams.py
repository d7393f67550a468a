"""Item pages sorted by search state or by a registry value, walked on indexes as streams.

Sorting 500,000 episodes by a value of their registry rows (computed per row by
a subquery) read and sorted all of them: seconds a page. Here a page's keys
come from *streams*, each read in index order and stopped at the page's size,
concatenated in the sort's order:

- by last searched, attempts or priority, key (has rows, value, id): the items
  with registry rows, walked on the registry's (connector, value, item) index,
  each item once (from its row with the greatest (value, id): its value is the
  greatest of its rows'); and the items never searched, in id order. Never
  searched items sort below every searched one (their value is the lowest).
- by state, key (rank, id): one stream per state in :data:`RANK` order. The
  registry states are walked on the (connector, state, item) index, each item
  in the stream of its highest-precedence row only and excluded items left
  out; eligible, excluded and not eligible items come from the mirror in id
  order. A state filter leaves one stream.

The streams of a page are one SQL statement: UNION ALL branches, each with its
own ORDER BY and LIMIT, under an outer LIMIT. PostgreSQL's (non-parallel)
Append runs its branches in order and stops pulling once the page is full, so a
later stream costs nothing on a page an earlier one fills.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.db.models import Exists, F, OuterRef, QuerySet
from django.db.models.expressions import RawSQL

from content.models import Movie
from searchstate.item_states import RANK, ItemState, excluded_q, state_filter
from searchstate.models import SearchRegistry
from searchstate.states import SearchState
from web.browse_series_walk import EPOCH_SQL, Gather

#: Stand-ins for "none" in sort keys, so every key compares (never searched sorts as oldest).
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
NO_PRIORITY = -(10**6)

#: Per registry-value sort: the row's value (SQL on alias ``{a}``, as the registry's index
#: has it) and the value of an item never searched.
VALUES: dict[str, tuple[str, Any]] = {
    "last_searched": (f"COALESCE({{a}}.last_searched_at, {EPOCH_SQL})", EPOCH),
    "attempts": ("{a}.attempts", 0),
    "priority": ("{a}.priority", NO_PRIORITY),
}

#: The item a registry row belongs to, as the registry's browse indexes have it.
ITEM_SQL = "COALESCE({a}.episode_id, {a}.movie_id)"

#: Registry states shown as an item state, with the extra condition that tells grabbed
#: (a cooldown without a failure) from cooldown.
ROW_STATES: dict[str, tuple[str, str]] = {
    ItemState.SEARCHING: (SearchState.SEARCHING, ""),
    ItemState.QUEUED: (SearchState.QUEUED, ""),
    ItemState.GRABBED: (SearchState.COOLDOWN, "AND r.failure_category = ''"),
    ItemState.FAILED: (SearchState.FAILED, ""),
    ItemState.COOLDOWN: (SearchState.COOLDOWN, "AND r.failure_category <> ''"),
    ItemState.EXHAUSTED: (SearchState.EXHAUSTED, ""),
}
MIRROR_STATES = (ItemState.ELIGIBLE, ItemState.EXCLUDED, ItemState.NOT_ELIGIBLE)


_WALK_SQL = "SELECT * FROM ({streams}) AS walk LIMIT %s"
_BY_ID_SQL = "SELECT {tag}, s.item_id FROM ({inner}) AS s"

# Items with registry rows by a value: each from its row with the greatest (value, id).
_VALUE_SQL = """
SELECT 1, {value}, {item} FROM searchstate_searchregistry r
CROSS JOIN LATERAL ({kept}) AS kept
WHERE r.connector_id = %s {bound}
  AND NOT EXISTS (
    SELECT 1 FROM searchstate_searchregistry b
    WHERE b.{fk} = r.{fk} AND ({b_value}, b.id) > ({value}, r.id))
ORDER BY {value} {dir}, {item} {dir}
LIMIT %s
"""

# Items in one state: each from its highest-precedence row (the first by id among equals).
_STATE_SQL = """
SELECT {rank}, {item} FROM searchstate_searchregistry r
CROSS JOIN LATERAL ({kept}) AS kept
WHERE r.connector_id = %s AND r.state = %s {extra} {bound}
  AND NOT EXISTS (
    SELECT 1 FROM searchstate_searchregistry b
    WHERE b.{fk} = r.{fk} AND b.id <> r.id
      AND ({b_rank} < {rank} OR ({b_rank} = {rank} AND b.id < r.id)))
ORDER BY {item} {dir}
LIMIT %s
"""


def _row_rank_sql(a: str) -> str:
    """SQL: the RANK of the item state a registry row gives (NULL for a pending row)."""
    r = {s: RANK[s] for s in ROW_STATES}
    return (
        f"CASE {a}.state WHEN 'searching' THEN {r[ItemState.SEARCHING]}"
        f" WHEN 'queued' THEN {r[ItemState.QUEUED]}"
        f" WHEN 'cooldown' THEN CASE WHEN {a}.failure_category = ''"
        f" THEN {r[ItemState.GRABBED]} ELSE {r[ItemState.COOLDOWN]} END"
        f" WHEN 'failed' THEN {r[ItemState.FAILED]}"
        f" WHEN 'exhausted' THEN {r[ItemState.EXHAUSTED]} END"
    )


#: A stream: (its tag, the key's first part; build(rest of cursor or None, descending, limit)).
Stream = tuple[int, Callable[[list[Any] | None, bool, int], tuple[str, list[Any]]]]


def walk(
    streams: list[Stream],
    cursor: list[Any] | None,
    *,
    descending: bool,
    limit: int,
    gather: Gather | None = None,
):
    """Keys of the next ``limit`` items after ``cursor``, from ``streams`` in tag order (or
    from ``gather``, a narrow filter's sorted candidates, when they are few)."""
    parts, params = [], []
    for tag, build in sorted(streams, key=lambda s: s[0], reverse=descending):
        rest = None
        if cursor is not None:
            if tag == cursor[0]:
                rest = cursor[1:]
            elif (tag < cursor[0]) != descending:
                continue  # the whole stream comes before the cursor
        sql, stream_params = build(rest, descending, limit)
        parts.append(f"({sql})")
        params += stream_params
    if not parts:
        return []
    sql, params = _WALK_SQL.format(streams=" UNION ALL ".join(parts)), [*params, limit]
    if gather:
        sql, params = gather.wrap(sql, params, cursor=cursor, descending=descending, limit=limit)
    with connection.cursor() as db:
        db.execute(sql, params)
        return db.fetchall()


class Streams:
    """The streams of one connector's items that ``qs`` (the page's filters) keeps."""

    def __init__(self, qs: QuerySet, *, connector_id: int, now: datetime) -> None:
        self.qs = qs
        self.model = qs.model
        self.fk = "movie_id" if self.model is Movie else "episode_id"
        self.connector_id = connector_id
        self.now = now

    def _sql(self, qs: QuerySet) -> tuple[str, list[Any]]:
        sql, params = qs.query.sql_with_params()
        return sql, list(params)

    def _kept(self, ref: str, *, not_excluded: bool = False) -> tuple[str, list[Any]]:
        """SQL: one row if the item ``ref`` (an SQL column) is kept by the page's filters."""
        qs = self.qs.filter(pk=RawSQL(ref, ())).order_by()  # noqa: S611 (our column)
        if not_excluded:
            qs = qs.filter(~excluded_q(self.model))
        return self._sql(qs.values("pk")[:1])

    def _by_id(self, qs: QuerySet, tag: str, rest, descending: bool, limit: int):
        if rest is not None:
            qs = qs.filter(**{"pk__lt" if descending else "pk__gt": rest[-1]})
        qs = qs.order_by("-pk" if descending else "pk").values(item_id=F("pk"))
        sql, params = self._sql(qs[:limit])
        return _BY_ID_SQL.format(tag=tag, inner=sql), params

    # --- by a registry value ------------------------------------------------------------------

    def by_value(self, sort: str, *, untracked: bool = False) -> list[Stream]:
        """``untracked``: the page keeps only items without a tracked row (eligible or not
        eligible), whose rows are all pending: the walk skips the others on the index."""
        value_sql, default = VALUES[sort]
        value, item = value_sql.format(a="r"), ITEM_SQL.format(a="r")

        def searched(rest, descending: bool, limit: int):
            d = "DESC" if descending else "ASC"
            kept, params = self._kept(f"r.{self.fk}")
            params.append(self.connector_id)
            bound = "AND r.state = 'pending' " if untracked else ""
            if rest is not None:
                bound += f"AND ({value}, {item}) {'<' if descending else '>'} (%s, %s)"
                params += rest
            sql = _VALUE_SQL.format(
                value=value,
                b_value=value_sql.format(a="b"),
                item=item,
                kept=kept,
                bound=bound,
                fk=self.fk,
                dir=d,
            )
            return sql, [*params, limit]

        def never(rest, descending: bool, limit: int):
            rows = SearchRegistry.objects.filter(**{self.fk: OuterRef("pk")})
            qs = self.qs.filter(~Exists(rows))
            sql, params = self._by_id(qs, "0, %s", rest, descending, limit)
            return sql, [default, *params]

        return [(1, searched), (0, never)]

    # --- by state -----------------------------------------------------------------------------

    def by_state(self, only: str = "") -> list[Stream]:
        streams: list[Stream] = []
        for state in ItemState.values:
            if only and state != only:
                continue
            if state in ROW_STATES:
                streams.append((RANK[state], self._row_state(state)))
            else:
                streams.append((RANK[state], self._mirror_state(state)))
        return streams

    def _row_state(self, state: str):
        row_state, extra = ROW_STATES[state]
        rank, item = RANK[state], ITEM_SQL.format(a="r")
        b_rank = _row_rank_sql("b")

        def build(rest, descending: bool, limit: int):
            kept, params = self._kept(f"r.{self.fk}", not_excluded=True)
            params += [self.connector_id, row_state]
            bound = ""
            if rest is not None:
                bound = f"AND {item} {'<' if descending else '>'} %s"
                params.append(rest[-1])
            sql = _STATE_SQL.format(
                rank=rank,
                b_rank=b_rank,
                item=item,
                kept=kept,
                extra=extra,
                bound=bound,
                fk=self.fk,
                dir="DESC" if descending else "ASC",
            )
            return sql, [*params, limit]

        return build

    def _mirror_state(self, state: str):
        def build(rest, descending: bool, limit: int):
            qs = self.qs.filter(state_filter(self.model, state, now=self.now))
            return self._by_id(qs, str(RANK[state]), rest, descending, limit)

        return build
