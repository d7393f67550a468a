"""Bulk writes of mirror rows: one INSERT .. ON CONFLICT DO UPDATE per batch.

Rows reach PostgreSQL by binary COPY into a session-local staging table,
then one ``INSERT .. SELECT FROM stage ON CONFLICT DO UPDATE`` merges them.
Binary COPY is encoded by psycopg's C code; passing the same rows as arrays
to ``unnest`` (used for small batches, ``method="unnest"``) spends most of its
time quoting array literals in Python, and ``executemany`` is slower still
(benchmarks/upsert_variants.py keeps it for comparison; numbers in
benchmarks/README.md). The ``DO UPDATE`` only fires for rows that differ
from the stored ones (``IS DISTINCT FROM``), so an unchanged library writes
nothing, and ``RETURNING (xmax = 0)`` tells inserts from updates.

The acquisition timestamps are decided here, in SQL, against the stored row:

* ``file_acquired_at``: set when the item has a file and had none (kept while
  the file stays, even across upgrades), cleared when the file goes;
* ``cutoff_met_at``: set when the item has a file that meets cutoff and was
  not recorded as such before, cleared when the cutoff is unmet again or the
  file goes.

A row whose timestamps disagree with its state (e.g. a Download webhook left
``cutoff_met_at`` unknown) is rewritten even when the mirrored columns are
equal, so the next sync confirms it.

Every SQL string here is built from the constant column lists below, never
from input; values always travel as parameters or COPY data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction

from connectors.common.types import (
    EpisodeData,
    MovieData,
    QualityProfile,
    SeasonData,
    SeriesData,
)

# Mirror columns are varchar(n); a long title upstream must not fail the sync,
# nor a NUL character (PostgreSQL text cannot hold it).
_TITLE_MAX = 500


def _clamp(value: str | None, limit: int) -> str:
    if not value:
        return ""
    if "\x00" in value:
        value = value.replace("\x00", "")
    return value[:limit]


@dataclass
class UpsertCounts:
    added: int = 0
    updated: int = 0

    def __iadd__(self, other: UpsertCounts) -> UpsertCounts:
        self.added += other.added
        self.updated += other.updated
        return self


# (column, PostgreSQL type, binary COPY type) in row order.
SERIES_COLUMNS = (
    ("arr_id", "integer", "int4"),
    ("title", "text", "text"),
    ("sort_title", "text", "text"),
    ("year", "integer", "int4"),
    ("status", "text", "text"),
    ("monitored", "boolean", "bool"),
    ("series_type", "text", "text"),
    ("quality_profile_id", "integer", "int4"),
    ("tvdb_id", "integer", "int4"),
    ("tmdb_id", "integer", "int4"),
    ("imdb_id", "text", "text"),
    ("added", "timestamptz", "timestamptz"),
    ("next_airing", "timestamptz", "timestamptz"),
    ("previous_airing", "timestamptz", "timestamptz"),
    ("episode_file_count", "integer", "int4"),
    ("episode_count", "integer", "int4"),
    ("total_episode_count", "integer", "int4"),
    ("size_on_disk", "bigint", "int8"),
)


def series_row(s: SeriesData) -> tuple:
    return (
        s.arr_id,
        _clamp(s.title, _TITLE_MAX),
        _clamp(s.sort_title, _TITLE_MAX),
        s.year,
        _clamp(s.status, 20),
        s.monitored,
        _clamp(s.series_type, 20) or "standard",
        s.quality_profile_id,
        s.tvdb_id,
        s.tmdb_id,
        _clamp(s.imdb_id, 20),
        s.added,
        s.next_airing,
        s.previous_airing,
        s.episode_file_count,
        s.episode_count,
        s.total_episode_count,
        s.size_on_disk,
    )


SEASON_COLUMNS = (
    ("series_id", "bigint", "int8"),
    ("season_number", "integer", "int4"),
    ("monitored", "boolean", "bool"),
    ("episode_file_count", "integer", "int4"),
    ("episode_count", "integer", "int4"),
    ("total_episode_count", "integer", "int4"),
    ("percent_of_episodes", "double precision", "float8"),
    ("size_on_disk", "bigint", "int8"),
    ("next_airing", "timestamptz", "timestamptz"),
    ("previous_airing", "timestamptz", "timestamptz"),
)


def season_row(pair: tuple[int, SeasonData]) -> tuple:
    series_id, s = pair
    return (
        series_id,
        s.season_number,
        s.monitored,
        s.episode_file_count,
        s.episode_count,
        s.total_episode_count,
        float(s.percent_of_episodes),
        s.size_on_disk,
        s.next_airing,
        s.previous_airing,
    )


EPISODE_COLUMNS = (
    ("series_id", "bigint", "int8"),
    ("arr_id", "integer", "int4"),
    ("season_number", "integer", "int4"),
    ("episode_number", "integer", "int4"),
    ("title", "text", "text"),
    ("air_date_utc", "timestamptz", "timestamptz"),
    ("release_date", "date", "date"),
    ("monitored", "boolean", "bool"),
    ("has_file", "boolean", "bool"),
    ("episode_file_id", "integer", "int4"),
    ("quality_name", "text", "text"),
    ("quality_resolution", "integer", "int4"),
    ("quality_cutoff_not_met", "boolean", "bool"),
    ("custom_format_score", "integer", "int4"),
    ("last_search_time", "timestamptz", "timestamptz"),
)


def episode_row(pair: tuple[int, EpisodeData]) -> tuple:
    series_id, e = pair
    return (
        series_id,
        e.arr_id,
        e.season_number,
        e.episode_number,
        _clamp(e.title, _TITLE_MAX),
        e.air_date_utc,
        e.release_date,
        e.monitored,
        e.has_file,
        e.episode_file_id,
        _clamp(e.quality_name, 100),
        e.quality_resolution,
        e.quality_cutoff_not_met,
        e.custom_format_score,
        e.last_search_time,
    )


MOVIE_COLUMNS = (
    ("arr_id", "integer", "int4"),
    ("title", "text", "text"),
    ("sort_title", "text", "text"),
    ("year", "integer", "int4"),
    ("status", "text", "text"),
    ("monitored", "boolean", "bool"),
    ("minimum_availability", "text", "text"),
    ("is_available", "boolean", "bool"),
    ("in_cinemas", "timestamptz", "timestamptz"),
    ("digital_release", "timestamptz", "timestamptz"),
    ("physical_release", "timestamptz", "timestamptz"),
    ("release_date", "timestamptz", "timestamptz"),
    ("tmdb_id", "integer", "int4"),
    ("imdb_id", "text", "text"),
    ("quality_profile_id", "integer", "int4"),
    ("item_type", "text", "text"),
    ("added", "timestamptz", "timestamptz"),
    ("has_file", "boolean", "bool"),
    ("movie_file_id", "integer", "int4"),
    ("quality_name", "text", "text"),
    ("quality_resolution", "integer", "int4"),
    ("quality_cutoff_not_met", "boolean", "bool"),
    ("custom_format_score", "integer", "int4"),
    ("last_search_time", "timestamptz", "timestamptz"),
)


def movie_row(m: MovieData) -> tuple:
    return (
        m.arr_id,
        _clamp(m.title, _TITLE_MAX),
        _clamp(m.sort_title, _TITLE_MAX),
        m.year,
        _clamp(m.status, 20),
        m.monitored,
        _clamp(m.minimum_availability, 20),
        m.is_available,
        m.in_cinemas,
        m.digital_release,
        m.physical_release,
        m.release_date,
        m.tmdb_id,
        _clamp(m.imdb_id, 20),
        m.quality_profile_id,
        _clamp(m.item_type, 10) or "movie",
        m.added,
        m.has_file,
        m.movie_file_id,
        _clamp(m.quality_name, 100),
        m.quality_resolution,
        m.quality_cutoff_not_met,
        m.custom_format_score,
        m.last_search_time,
    )


PROFILE_COLUMNS = (
    ("arr_id", "integer", "int4"),
    ("name", "text", "text"),
    ("upgrade_allowed", "boolean", "bool"),
    ("cutoff", "integer", "int4"),
    ("cutoff_format_score", "integer", "int4"),
    ("min_format_score", "integer", "int4"),
)


def profile_row(p: QualityProfile) -> tuple:
    return (
        p.arr_id,
        _clamp(p.name, 200),
        p.upgrade_allowed,
        p.cutoff,
        p.cutoff_format_score,
        p.min_format_score,
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


@dataclass(frozen=True)
class Target:
    """One mirror table and how rows of it are written."""

    table: str
    columns: tuple[tuple[str, str, str], ...]
    row: Callable[[Any], tuple]
    key: Callable[[Any], Any]  # identity within one batch
    conflict: str
    connector_column: bool = True
    acquisition: bool = False
    timestamps: bool = True
    extra_insert: tuple[tuple[str, str], ...] = ()
    extra_update: str = ""
    returning: str = "(xmax = 0)"

    @property
    def stage(self) -> str:
        return f"content_stage_{self.table.removeprefix('content_')}"

    def sql(self, source: str) -> str:
        """The merge statement reading rows from ``source``: "stage" (COPY) or "unnest"."""
        names = [c[0] for c in self.columns]
        if source == "stage":
            return self.merge_sql(f"{self.stage} AS u")
        if source == "unnest":
            arrays = ", ".join(f"%({n})s::{t}[]" for n, t, _ in self.columns)
            return self.merge_sql(f"unnest({arrays}) AS u({', '.join(names)})")
        raise ValueError(f"unknown row source {source!r}: stage or unnest")

    def merge_sql(self, from_clause: str) -> str:
        """The merge statement reading rows named ``u`` with our columns from ``from_clause``."""
        names = [c[0] for c in self.columns]
        insert_cols = (["connector_id"] if self.connector_column else []) + names
        select_exprs = (["%(connector)s"] if self.connector_column else []) + [
            f"u.{n}" for n in names
        ]
        if self.timestamps:
            insert_cols += ["created_at", "updated_at"]
            select_exprs += ["%(now)s", "%(now)s"]
        if self.acquisition:
            insert_cols += ["file_acquired_at", "cutoff_met_at"]
            select_exprs += list(_ACQUIRED_ON_INSERT)
        for column, expr in self.extra_insert:
            insert_cols.append(column)
            select_exprs.append(expr)

        updates = [f"{n} = EXCLUDED.{n}" for n in names]
        if self.timestamps:
            updates.append("updated_at = EXCLUDED.updated_at")
        set_clause = ",\n    ".join(updates)
        if self.acquisition:
            set_clause += "," + _ACQUIRED_ON_UPDATE
        if self.extra_update:
            set_clause += ",\n    " + self.extra_update
        stored = ", ".join(f"t.{n}" for n in names)
        incoming = ", ".join(f"EXCLUDED.{n}" for n in names)
        where = f"({stored}) IS DISTINCT FROM ({incoming})"
        if self.acquisition:
            where += _ACQUIRED_DISAGREES
        return (
            f"INSERT INTO {self.table} AS t ({', '.join(insert_cols)})\n"
            f"SELECT {', '.join(select_exprs)} FROM {from_clause}\n"
            f"ON CONFLICT ({self.conflict}) DO UPDATE SET\n    {set_clause}\n"
            f"WHERE {where}\n"
            f"RETURNING {self.returning}"
        )


def _arr_id(row: Any) -> int:
    return row.arr_id


def _pair_arr_id(pair: tuple[int, Any]) -> int:
    return pair[1].arr_id


SERIES = Target(
    "content_series",
    SERIES_COLUMNS,
    series_row,
    _arr_id,
    "connector_id, arr_id",
    extra_insert=(
        ("episodes_stale", "TRUE"),
        ("episodes_synced_at", "NULL"),
    ),
    extra_update="episodes_stale = TRUE",
)
SEASONS = Target(
    "content_season",
    SEASON_COLUMNS,
    season_row,
    lambda pair: (pair[0], pair[1].season_number),
    "series_id, season_number",
    connector_column=False,
    timestamps=False,
    extra_insert=(
        ("aired_episodes", "0"),
        ("missing_monitored_episodes", "0"),
        ("cutoff_unmet_episodes", "0"),
        ("unaired_episodes", "0"),
    ),
    returning="series_id",
)
EPISODES = Target(
    "content_episode",
    EPISODE_COLUMNS,
    episode_row,
    _pair_arr_id,
    "connector_id, arr_id",
    acquisition=True,
    extra_insert=(("last_grabbed_at", "NULL"),),
)
MOVIES = Target(
    "content_movie",
    MOVIE_COLUMNS,
    movie_row,
    _arr_id,
    "connector_id, arr_id",
    acquisition=True,
    extra_insert=(("last_grabbed_at", "NULL"),),
)
PROFILES = Target(
    "content_qualityprofile", PROFILE_COLUMNS, profile_row, _arr_id, "connector_id, arr_id"
)

# A season change marks its series stale, in the same statement.
_MARK_CHANGED = (
    "UPDATE content_series SET episodes_stale = TRUE"
    " WHERE id IN (SELECT series_id FROM changed) AND NOT episodes_stale"
)

# How rows reach the server: binary COPY is the fastest for big batches
# (benchmarks/README.md) but costs two more statements (create-if-missing and
# truncate of the stage), so small batches go as unnest arrays.
COPY_THRESHOLD = 500


def _unique(rows: Iterable[Any], key: Callable[[Any], Any]) -> list[Any]:
    """Last row wins per key: ON CONFLICT cannot touch one row twice in a statement,
    and a listing that repeats an item must not fail the whole sync."""
    return list({key(row): row for row in rows}.values())


def _stage(cursor, target: Target, rows: list[tuple]) -> None:
    """Binary COPY of the rows into the session's staging table for ``target``.

    The staging table is a temporary table (private to this connection, no
    WAL) created on first use; it is emptied before each batch because
    ON COMMIT never fires inside an enclosing transaction (tests).
    """
    definitions = ", ".join(f"{n} {t}" for n, t, _ in target.columns)
    cursor.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {target.stage} ({definitions}) ON COMMIT DELETE ROWS"
    )
    cursor.execute(f"TRUNCATE {target.stage}")
    names = ", ".join(n for n, _, _ in target.columns)
    with cursor.copy(f"COPY {target.stage} ({names}) FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types([c for _, _, c in target.columns])
        for row in rows:
            copy.write_row(row)


def _merge(target: Target, items: Sequence[Any], params: dict[str, Any], *, method: str = ""):
    """Write ``items`` to ``target``; returns the RETURNING rows of the merge."""
    rows = [target.row(item) for item in _unique(items, target.key)]
    method = method or ("copy" if len(rows) >= COPY_THRESHOLD else "unnest")
    # One transaction for stage + merge (no savepoint: nothing to roll back to).
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if method == "copy":
            _stage(cursor, target, rows)
            sql = target.sql("stage")
        else:
            columns = list(zip(*rows, strict=True)) or [()] * len(target.columns)
            arrays = zip(target.columns, columns, strict=True)
            params = {**params, **{c[0]: list(values) for c, values in arrays}}
            sql = target.sql("unnest")
        if target is SEASONS:
            sql = f"WITH changed AS (\n{sql}\n)\n{_MARK_CHANGED}"
            cursor.execute(sql, params)
            return []
        cursor.execute(sql, params)
        return cursor.fetchall()


def _counts(returned: list[tuple]) -> UpsertCounts:
    counts = UpsertCounts()
    for (inserted,) in returned:
        if inserted:
            counts.added += 1
        else:
            counts.updated += 1
    return counts


def upsert_series(*, connector_id: int, rows: Sequence[SeriesData], now: datetime) -> UpsertCounts:
    """Insert or update series; a changed series is marked ``episodes_stale``."""
    if not rows:
        return UpsertCounts()
    return _counts(_merge(SERIES, rows, {"connector": connector_id, "now": now}))


def upsert_seasons(*, rows: Sequence[tuple[int, SeasonData]]) -> None:
    """Insert or update seasons of (series_id, SeasonData); a change marks the series stale."""
    if rows:
        _merge(SEASONS, rows, {})


def upsert_episodes(
    *,
    connector_id: int,
    rows: Sequence[tuple[int, EpisodeData]],
    now: datetime,
    method: str = "",
) -> UpsertCounts:
    """Insert or update episodes of (series_id, EpisodeData) in one merge statement."""
    if not rows:
        return UpsertCounts()
    params = {"connector": connector_id, "now": now}
    return _counts(_merge(EPISODES, rows, params, method=method))


def upsert_movies(
    *, connector_id: int, rows: Sequence[MovieData], now: datetime, method: str = ""
) -> UpsertCounts:
    """Insert or update movies in one merge statement."""
    if not rows:
        return UpsertCounts()
    params = {"connector": connector_id, "now": now}
    return _counts(_merge(MOVIES, rows, params, method=method))


def upsert_quality_profiles(
    *, connector_id: int, rows: Sequence[QualityProfile], now: datetime
) -> UpsertCounts:
    if not rows:
        return UpsertCounts()
    return _counts(_merge(PROFILES, rows, {"connector": connector_id, "now": now}))
