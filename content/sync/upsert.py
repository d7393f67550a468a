"""Bulk writes of mirror rows: one INSERT .. ON CONFLICT DO UPDATE per batch.

Rows travel as one PostgreSQL array per column and are expanded with
``unnest`` (one statement, one round trip per batch; see benchmarks/README.md
for the comparison with ``executemany``). The ``DO UPDATE`` only fires for
rows that differ from the stored ones (``IS DISTINCT FROM``), so an unchanged
library writes nothing, and ``RETURNING (xmax = 0)`` tells inserts from
updates.

The acquisition timestamps are decided here, in SQL, against the stored row:

* ``file_acquired_at``: set when the item has a file and had none (kept while
  the file stays, even across upgrades), cleared when the file goes;
* ``cutoff_met_at``: set when the item has a file that meets cutoff and was
  not recorded as such before, cleared when the cutoff is unmet again or the
  file goes.

A row whose timestamps disagree with its state (e.g. a Download webhook left
``cutoff_met_at`` unknown) is rewritten even when the mirrored columns are
equal, so the next sync confirms it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection

from connectors.common.types import (
    EpisodeData,
    MovieData,
    QualityProfile,
    SeasonData,
    SeriesData,
)

# Mirror columns are varchar(n); a long title upstream must not fail the sync.
_TITLE_MAX = 500


@dataclass(frozen=True)
class Column:
    name: str
    pg_type: str
    get: Callable[[Any], Any]


@dataclass
class UpsertCounts:
    added: int = 0
    updated: int = 0

    def __iadd__(self, other: UpsertCounts) -> UpsertCounts:
        self.added += other.added
        self.updated += other.updated
        return self


def _text(limit: int) -> Callable[[str | None], str]:
    return lambda value: (value or "")[:limit]


def _attr(name: str, convert: Callable[[Any], Any] | None = None) -> Callable[[Any], Any]:
    if convert is None:
        return lambda row: getattr(row, name)
    return lambda row: convert(getattr(row, name))


_title = _text(_TITLE_MAX)
_short = _text(20)
_quality = _text(100)

SERIES_COLUMNS = (
    Column("arr_id", "integer", _attr("arr_id")),
    Column("title", "text", _attr("title", _title)),
    Column("sort_title", "text", _attr("sort_title", _title)),
    Column("year", "integer", _attr("year")),
    Column("status", "text", _attr("status", _short)),
    Column("monitored", "boolean", _attr("monitored")),
    Column("series_type", "text", _attr("series_type", lambda v: (v or "standard")[:20])),
    Column("quality_profile_id", "integer", _attr("quality_profile_id")),
    Column("tvdb_id", "integer", _attr("tvdb_id")),
    Column("tmdb_id", "integer", _attr("tmdb_id")),
    Column("imdb_id", "text", _attr("imdb_id", _short)),
    Column("added", "timestamptz", _attr("added")),
    Column("next_airing", "timestamptz", _attr("next_airing")),
    Column("previous_airing", "timestamptz", _attr("previous_airing")),
    Column("episode_file_count", "integer", _attr("episode_file_count")),
    Column("episode_count", "integer", _attr("episode_count")),
    Column("total_episode_count", "integer", _attr("total_episode_count")),
    Column("size_on_disk", "bigint", _attr("size_on_disk")),
)

# (series_id, SeasonData) pairs.
SEASON_COLUMNS = (
    Column("series_id", "bigint", lambda pair: pair[0]),
    Column("season_number", "integer", lambda pair: pair[1].season_number),
    Column("monitored", "boolean", lambda pair: pair[1].monitored),
    Column("episode_file_count", "integer", lambda pair: pair[1].episode_file_count),
    Column("episode_count", "integer", lambda pair: pair[1].episode_count),
    Column("total_episode_count", "integer", lambda pair: pair[1].total_episode_count),
    Column("percent_of_episodes", "double precision", lambda pair: pair[1].percent_of_episodes),
    Column("size_on_disk", "bigint", lambda pair: pair[1].size_on_disk),
    Column("next_airing", "timestamptz", lambda pair: pair[1].next_airing),
    Column("previous_airing", "timestamptz", lambda pair: pair[1].previous_airing),
)

# (series_id, EpisodeData) pairs.
EPISODE_COLUMNS = (
    Column("series_id", "bigint", lambda pair: pair[0]),
    Column("arr_id", "integer", lambda pair: pair[1].arr_id),
    Column("season_number", "integer", lambda pair: pair[1].season_number),
    Column("episode_number", "integer", lambda pair: pair[1].episode_number),
    Column("title", "text", lambda pair: _title(pair[1].title)),
    Column("air_date_utc", "timestamptz", lambda pair: pair[1].air_date_utc),
    Column("release_date", "date", lambda pair: pair[1].release_date),
    Column("monitored", "boolean", lambda pair: pair[1].monitored),
    Column("has_file", "boolean", lambda pair: pair[1].has_file),
    Column("episode_file_id", "integer", lambda pair: pair[1].episode_file_id),
    Column("quality_name", "text", lambda pair: _quality(pair[1].quality_name)),
    Column("quality_resolution", "integer", lambda pair: pair[1].quality_resolution),
    Column("quality_cutoff_not_met", "boolean", lambda pair: pair[1].quality_cutoff_not_met),
    Column("custom_format_score", "integer", lambda pair: pair[1].custom_format_score),
    Column("last_search_time", "timestamptz", lambda pair: pair[1].last_search_time),
)

MOVIE_COLUMNS = (
    Column("arr_id", "integer", _attr("arr_id")),
    Column("title", "text", _attr("title", _title)),
    Column("sort_title", "text", _attr("sort_title", _title)),
    Column("year", "integer", _attr("year")),
    Column("status", "text", _attr("status", _short)),
    Column("monitored", "boolean", _attr("monitored")),
    Column("minimum_availability", "text", _attr("minimum_availability", _short)),
    Column("is_available", "boolean", _attr("is_available")),
    Column("in_cinemas", "timestamptz", _attr("in_cinemas")),
    Column("digital_release", "timestamptz", _attr("digital_release")),
    Column("physical_release", "timestamptz", _attr("physical_release")),
    Column("release_date", "timestamptz", lambda row: getattr(row, "release_date", None)),
    Column("tmdb_id", "integer", _attr("tmdb_id")),
    Column("imdb_id", "text", _attr("imdb_id", _short)),
    Column("quality_profile_id", "integer", _attr("quality_profile_id")),
    Column("item_type", "text", _attr("item_type", lambda v: (v or "movie")[:10])),
    Column("added", "timestamptz", _attr("added")),
    Column("has_file", "boolean", _attr("has_file")),
    Column("movie_file_id", "integer", _attr("movie_file_id")),
    Column("quality_name", "text", _attr("quality_name", _quality)),
    Column("quality_resolution", "integer", _attr("quality_resolution")),
    Column("quality_cutoff_not_met", "boolean", _attr("quality_cutoff_not_met")),
    Column("custom_format_score", "integer", _attr("custom_format_score")),
    Column("last_search_time", "timestamptz", _attr("last_search_time")),
)

PROFILE_COLUMNS = (
    Column("arr_id", "integer", _attr("arr_id")),
    Column("name", "text", _attr("name", lambda v: (v or "")[:200])),
    Column("upgrade_allowed", "boolean", _attr("upgrade_allowed")),
    Column("cutoff", "integer", _attr("cutoff")),
    Column("cutoff_format_score", "integer", _attr("cutoff_format_score")),
    Column("min_format_score", "integer", _attr("min_format_score")),
)

# The acquisition logic, shared by episodes and movies. On insert, an item
# first seen with a file is recorded as acquired now (nothing searched for
# it yet, so nothing in searchstate can be resolved by it wrongly).
_ACQUIRED_ON_INSERT = (
    "CASE WHEN u.has_file THEN %(now)s END",
    "CASE WHEN u.has_file AND NOT u.quality_cutoff_not_met THEN %(now)s END",
)
_ACQUIRED_ON_UPDATE = """
    file_acquired_at = CASE WHEN NOT EXCLUDED.has_file THEN NULL
                            ELSE COALESCE(t.file_acquired_at, EXCLUDED.updated_at) END,
    cutoff_met_at = CASE WHEN NOT EXCLUDED.has_file OR EXCLUDED.quality_cutoff_not_met THEN NULL
                         ELSE COALESCE(t.cutoff_met_at, EXCLUDED.updated_at) END"""
_ACQUIRED_DISAGREES = """
    OR EXCLUDED.has_file <> (t.file_acquired_at IS NOT NULL)
    OR (EXCLUDED.has_file AND NOT EXCLUDED.quality_cutoff_not_met)
       <> (t.cutoff_met_at IS NOT NULL)"""


def _upsert_sql(
    table: str,
    columns: Sequence[Column],
    *,
    conflict: str,
    connector_column: bool,
    acquisition: bool = False,
    timestamps: bool = True,
    extra_insert: dict[str, str] | None = None,
    extra_update: str = "",
    returning: str = "(xmax = 0)",
    source: str = "unnest",
) -> str:
    names = [c.name for c in columns]
    insert_cols = (["connector_id"] if connector_column else []) + names
    select_exprs = (["%(connector)s"] if connector_column else []) + [f"u.{n}" for n in names]
    if timestamps:
        insert_cols += ["created_at", "updated_at"]
        select_exprs += ["%(now)s", "%(now)s"]
    if acquisition:
        insert_cols += ["file_acquired_at", "cutoff_met_at"]
        select_exprs += list(_ACQUIRED_ON_INSERT)
    for column, expr in (extra_insert or {}).items():
        insert_cols.append(column)
        select_exprs.append(expr)

    if source == "unnest":
        arrays = ", ".join(f"%({c.name})s::{c.pg_type}[]" for c in columns)
        from_clause = f"unnest({arrays}) AS u({', '.join(names)})"
    else:  # one VALUES row per execute, for executemany
        values = ", ".join(f"%({c.name})s::{c.pg_type}" for c in columns)
        from_clause = f"(VALUES ({values})) AS u({', '.join(names)})"

    updates = [f"{n} = EXCLUDED.{n}" for n in names]
    if timestamps:
        updates.append("updated_at = EXCLUDED.updated_at")
    set_clause = ",\n    ".join(updates)
    if acquisition:
        set_clause += "," + _ACQUIRED_ON_UPDATE
    if extra_update:
        set_clause += ",\n    " + extra_update
    stored = ", ".join(f"t.{n}" for n in names)
    incoming = ", ".join(f"EXCLUDED.{n}" for n in names)
    where = f"({stored}) IS DISTINCT FROM ({incoming})"
    if acquisition:
        where += _ACQUIRED_DISAGREES
    return (
        f"INSERT INTO {table} AS t ({', '.join(insert_cols)})\n"
        f"SELECT {', '.join(select_exprs)} FROM {from_clause}\n"
        f"ON CONFLICT ({conflict}) DO UPDATE SET\n    {set_clause}\n"
        f"WHERE {where}\n"
        f"RETURNING {returning}"
    )


def _column_arrays(columns: Sequence[Column], rows: Sequence[Any]) -> dict[str, list[Any]]:
    return {c.name: [c.get(row) for row in rows] for c in columns}


def _unique(rows: Sequence[Any], key: Callable[[Any], Any]) -> list[Any]:
    """Last row wins per key: ON CONFLICT cannot touch one row twice in a statement,
    and a listing that repeats an item must not fail the whole sync."""
    return list({key(row): row for row in rows}.values())


def _arr_id(row: Any) -> int:
    return row.arr_id


def _pair_arr_id(pair: tuple[int, Any]) -> int:
    return pair[1].arr_id


def _run_counting(sql: str, params: dict[str, Any]) -> UpsertCounts:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        counts = UpsertCounts()
        for (inserted,) in cursor.fetchall():
            if inserted:
                counts.added += 1
            else:
                counts.updated += 1
        return counts


SERIES_SQL = _upsert_sql(
    "content_series",
    SERIES_COLUMNS,
    conflict="connector_id, arr_id",
    connector_column=True,
    extra_insert={
        "episodes_stale": "TRUE",
        "priority_override": "NULL",
        "episodes_synced_at": "NULL",
    },
    extra_update="episodes_stale = TRUE",
)
_SEASON_UPSERT = _upsert_sql(
    "content_season",
    SEASON_COLUMNS,
    conflict="series_id, season_number",
    connector_column=False,
    timestamps=False,
    extra_insert={
        "aired_episodes": "0",
        "missing_monitored_episodes": "0",
        "cutoff_unmet_episodes": "0",
        "unaired_episodes": "0",
    },
    returning="series_id",
)
_MARK_CHANGED = (
    "UPDATE content_series SET episodes_stale = TRUE"
    " WHERE id IN (SELECT series_id FROM changed) AND NOT episodes_stale"
)
# Built from constant column specs only, never from input.
SEASON_SQL = f"WITH changed AS (\n{_SEASON_UPSERT}\n)\n{_MARK_CHANGED}"
EPISODE_SQL = _upsert_sql(
    "content_episode",
    EPISODE_COLUMNS,
    conflict="connector_id, arr_id",
    connector_column=True,
    acquisition=True,
    extra_insert={"last_grabbed_at": "NULL", "priority_override": "NULL"},
)
MOVIE_SQL = _upsert_sql(
    "content_movie",
    MOVIE_COLUMNS,
    conflict="connector_id, arr_id",
    connector_column=True,
    acquisition=True,
    extra_insert={"last_grabbed_at": "NULL", "priority_override": "NULL"},
)
PROFILE_SQL = _upsert_sql(
    "content_qualityprofile",
    PROFILE_COLUMNS,
    conflict="connector_id, arr_id",
    connector_column=True,
)


def upsert_series(*, connector_id: int, rows: Sequence[SeriesData], now: datetime) -> UpsertCounts:
    """Insert or update series; a changed series is marked ``episodes_stale``."""
    if not rows:
        return UpsertCounts()
    rows = _unique(rows, _arr_id)
    params = {"connector": connector_id, "now": now, **_column_arrays(SERIES_COLUMNS, rows)}
    return _run_counting(SERIES_SQL, params)


def upsert_seasons(*, rows: Sequence[tuple[int, SeasonData]]) -> None:
    """Insert or update seasons of (series_id, SeasonData); a change marks the series stale."""
    if not rows:
        return
    with connection.cursor() as cursor:
        rows = _unique(rows, lambda pair: (pair[0], pair[1].season_number))
        cursor.execute(SEASON_SQL, _column_arrays(SEASON_COLUMNS, rows))


def upsert_episodes(
    *, connector_id: int, rows: Sequence[tuple[int, EpisodeData]], now: datetime
) -> UpsertCounts:
    """Insert or update episodes of (series_id, EpisodeData) in one statement."""
    if not rows:
        return UpsertCounts()
    rows = _unique(rows, _pair_arr_id)
    params = {"connector": connector_id, "now": now, **_column_arrays(EPISODE_COLUMNS, rows)}
    return _run_counting(EPISODE_SQL, params)


def upsert_movies(*, connector_id: int, rows: Sequence[MovieData], now: datetime) -> UpsertCounts:
    """Insert or update movies in one statement."""
    if not rows:
        return UpsertCounts()
    rows = _unique(rows, _arr_id)
    params = {"connector": connector_id, "now": now, **_column_arrays(MOVIE_COLUMNS, rows)}
    return _run_counting(MOVIE_SQL, params)


def upsert_quality_profiles(
    *, connector_id: int, rows: Sequence[QualityProfile], now: datetime
) -> UpsertCounts:
    if not rows:
        return UpsertCounts()
    rows = _unique(rows, _arr_id)
    params = {"connector": connector_id, "now": now, **_column_arrays(PROFILE_COLUMNS, rows)}
    return _run_counting(PROFILE_SQL, params)


def upsert_episodes_executemany(
    *, connector_id: int, rows: Iterable[tuple[int, EpisodeData]], now: datetime
) -> None:
    """The same upsert as one execute per row in a pipeline (benchmarks compare the two)."""
    sql = _upsert_sql(
        "content_episode",
        EPISODE_COLUMNS,
        conflict="connector_id, arr_id",
        connector_column=True,
        acquisition=True,
        extra_insert={"last_grabbed_at": "NULL", "priority_override": "NULL"},
        source="values",
    )
    params = [
        {"connector": connector_id, "now": now, **{c.name: c.get(row) for c in EPISODE_COLUMNS}}
        for row in rows
    ]
    if params:
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)
