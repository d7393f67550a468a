"""Ways of writing mirror rows that production does not use, kept to compare against.

``benchmarks/sync.py --compare-upsert N`` times binary COPY and unnest arrays
(content.sync.upsert, what sync uses) against this: the same merge statement
executed once per row in a pipeline. It writes the same rows (tested in
tests/content/test_upsert.py), so the comparison is like for like.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import connection

from connectors.common.types import EpisodeData
from content.sync.upsert import EPISODE_COLUMNS, EPISODES, episode_row


def values_sql() -> str:
    """The episode merge reading one VALUES row per execute."""
    names = [c[0] for c in EPISODE_COLUMNS]
    values = ", ".join(f"%({n})s::{t}" for n, t, _ in EPISODE_COLUMNS)
    return EPISODES.merge_sql(f"(VALUES ({values})) AS u({', '.join(names)})")


def upsert_episodes_executemany(
    *, connector_id: int, rows: Iterable[tuple[int, EpisodeData]], now: datetime
) -> None:
    """The same merge as one execute per row in a pipeline."""
    sql = values_sql()
    names = [c[0] for c in EPISODE_COLUMNS]
    params = [
        {"connector": connector_id, "now": now, **dict(zip(names, episode_row(row), strict=True))}
        for row in rows
    ]
    if params:
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)
