"""Roll hourly rows up into daily rows after the hourly retention; drop what is too old.

Each roll-up is one statement, ``WITH gone AS (DELETE .. RETURNING) INSERT ..
SELECT .. GROUP BY``, so an hour is moved exactly once even if the job runs
twice or two workers race: the second finds nothing left to delete.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from analytics import arr_requests
from analytics.models import ArrRequestStat, ConnectorStat, LibrarySnapshot, Resolution
from analytics.recording import SNAPSHOT, STAT, day_start, hourly_cutoff

#: Columns that keep their maximum when hours become a day; every other counter adds up.
MAX_COLUMNS = ("queue_depth_max", "api_ms_p95")


def _counter_columns() -> list[str]:
    skip = {"id", "connector", "resolution", "bucket"}
    return [f.column for f in ConnectorStat._meta.concrete_fields if f.name not in skip]


def _stat_rollup_sql() -> str:
    cols = _counter_columns()
    aggregates = ", ".join(f"max({c})" if c in MAX_COLUMNS else f"sum({c})" for c in cols)
    updates = ", ".join(
        f"{c} = GREATEST({STAT}.{c}, EXCLUDED.{c})"
        if c in MAX_COLUMNS
        else f"{c} = {STAT}.{c} + EXCLUDED.{c}"
        for c in cols
    )
    day = "(date_trunc('day', bucket AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')"
    return f"""
        WITH gone AS (
            DELETE FROM {STAT} WHERE resolution = %(hour)s AND bucket < %(cutoff)s RETURNING *
        )
        INSERT INTO {STAT} (connector_id, resolution, bucket, {", ".join(cols)})
        SELECT connector_id, %(day)s, {day}, {aggregates}
        FROM gone GROUP BY connector_id, {day}
        ON CONFLICT (connector_id, resolution, bucket) DO UPDATE SET {updates}
    """  # noqa: S608 - names from the models


def _snapshot_rollup_sql() -> str:
    # A day keeps its last snapshot (the library as the day ended).
    day = "(date_trunc('day', bucket AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')"
    cols = "items, have_file, missing_monitored, below_cutoff, gap_ages, taken_at"
    return f"""
        WITH gone AS (
            DELETE FROM {SNAPSHOT}
            WHERE resolution = %(hour)s AND bucket < %(cutoff)s RETURNING *
        )
        INSERT INTO {SNAPSHOT} (connector_id, resolution, bucket, content_type, {cols})
        SELECT DISTINCT ON (connector_id, content_type, {day})
               connector_id, %(day)s, {day}, content_type, {cols}
        FROM gone ORDER BY connector_id, content_type, {day}, bucket DESC
        ON CONFLICT (connector_id, resolution, bucket, content_type) DO UPDATE SET
            items = EXCLUDED.items, have_file = EXCLUDED.have_file,
            missing_monitored = EXCLUDED.missing_monitored,
            below_cutoff = EXCLUDED.below_cutoff, gap_ages = EXCLUDED.gap_ages,
            taken_at = EXCLUDED.taken_at
        WHERE EXCLUDED.taken_at > {SNAPSHOT}.taken_at
    """  # noqa: S608 - names from the models


@dataclass(frozen=True)
class RollupReport:
    hours_rolled: int
    snapshots_rolled: int
    days_pruned: int

    def as_dict(self) -> dict:
        return {
            "hours_rolled": self.hours_rolled,
            "snapshots_rolled": self.snapshots_rolled,
            "days_pruned": self.days_pruned,
        }


def rollup(*, now: datetime | None = None) -> RollupReport:
    """Move hours before the hourly retention into days; delete days past the daily one."""
    now = now or timezone.now()
    params = {"hour": Resolution.HOUR, "day": Resolution.DAY, "cutoff": hourly_cutoff(now)}
    oldest = day_start(now - timedelta(days=settings.ANALYTICS_DAILY_RETENTION_DAYS))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {STAT} WHERE resolution = %(hour)s AND bucket < %(cutoff)s",  # noqa: S608 - names from the models
            params,
        )
        hours = cursor.fetchone()[0]
        cursor.execute(_stat_rollup_sql(), params)
        cursor.execute(_snapshot_rollup_sql(), params)
        snapshots = cursor.rowcount
        cursor.execute(arr_requests.rollup_sql(), params)
        pruned, _ = ConnectorStat.objects.filter(bucket__lt=oldest).delete()
        ArrRequestStat.objects.filter(bucket__lt=oldest).delete()
        LibrarySnapshot.objects.filter(bucket__lt=oldest).delete()
    return RollupReport(hours_rolled=hours, snapshots_rolled=snapshots, days_pruned=pruned)
