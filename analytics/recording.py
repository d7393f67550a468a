"""Recording: ledger counters, event counters and library snapshots, all in bulk.

Why two ways. What the ledgers already hold (SearchHistory, Acquisition,
SearchRegistry, SyncRun, ConnectorHealthCheck) is aggregated from them by a
periodic job with one ``INSERT .. SELECT .. GROUP BY .. ON CONFLICT`` per
source, recomputing the last few hours: nothing is added to the engine's hot
path, an outcome recorded late (a command polled 30 minutes after dispatch)
is still counted in its hour, and running the job twice changes nothing. The
merge keeps the larger value (``GREATEST``) because these ledgers only grow,
except by pruning, which must never lower a count already recorded. The
counts no ledger keeps (exhausted items, queue depth per dispatch tick) are
added by event receivers, one upsert per event (``col = col + n``), never a
row per item.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from analytics import ages
from analytics.models import ConnectorStat, LibrarySnapshot, Resolution
from analytics.sources import BACKFILL_SOURCES, SOURCES, Source, bucket_sql
from connectors.models import Connector
from content.models import Episode, Movie
from queueing.models import RequestQueue
from searchstate.models import SearchRegistry

logger = logging.getLogger(__name__)

#: The periodic job recomputes this far back: commands in flight (timeout 30 min by
#: default) and acquisitions resolved a tick after the sync that saw them land here.
RECENT = timedelta(hours=6)
#: Backfill reads every ledger row from here on.
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)

STAT = ConnectorStat._meta.db_table
SNAPSHOT = LibrarySnapshot._meta.db_table


def hour_start(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def day_start(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def hourly_cutoff(now: datetime) -> datetime:
    """Hours before this (a UTC midnight) are kept as daily rows only."""
    return day_start(now - timedelta(days=settings.ANALYTICS_HOURLY_RETENTION_DAYS))


def _merge_sql(source: Source) -> str:
    cols = ", ".join(source.columns)
    updates = []
    for col in source.columns:
        if col == "api_ms_p95":
            # A percentile is not monotonic: take the one computed over more requests.
            updates.append(
                f"api_ms_p95 = CASE WHEN EXCLUDED.api_timed >= {STAT}.api_timed "
                f"THEN EXCLUDED.api_ms_p95 ELSE {STAT}.api_ms_p95 END"
            )
        else:
            updates.append(f"{col} = GREATEST({STAT}.{col}, EXCLUDED.{col})")
    return (
        f"INSERT INTO {STAT} (connector_id, resolution, bucket, {cols}) "  # noqa: S608 - model names
        f"SELECT s.connector_id, %(resolution)s, s.bucket, {cols} "
        f"FROM ({source.select}) AS s(connector_id, bucket, {cols}) "
        f"ON CONFLICT (connector_id, resolution, bucket) DO UPDATE SET {', '.join(updates)}"
    )


@dataclass
class CollectReport:
    since: datetime
    until: datetime
    rows: dict[str, int] = field(default_factory=dict)
    snapshots: int = 0

    def as_dict(self) -> dict:
        return {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "rows": self.rows,
            "snapshots": self.snapshots,
        }


def collect(
    *,
    now: datetime | None = None,
    since: datetime | None = None,
    sources: tuple[Source, ...] = SOURCES,
) -> CollectReport:
    """Recompute the ledger counters from ``since`` (default: the last hours) and snapshot.

    Hours older than the hourly retention go straight to daily rows, so a
    backfill over old history never creates hourly rows the roll-up would add twice.
    """
    now = now or timezone.now()
    since = since or hour_start(now - RECENT)
    report = CollectReport(since=since, until=now)
    cutoff = hourly_cutoff(now)
    windows = []
    if since < cutoff:
        windows.append((Resolution.DAY, "day", since, min(now, cutoff)))
    if now > cutoff:
        windows.append((Resolution.HOUR, "hour", max(since, cutoff), now))
    with transaction.atomic(), connection.cursor() as cursor:
        for source in sources:
            sql = _merge_sql(source)
            for resolution, unit, start, end in windows:
                params = {"resolution": resolution, "unit": unit, "since": start, "until": end}
                cursor.execute(sql, params)
                report.rows[source.name] = report.rows.get(source.name, 0) + cursor.rowcount
        report.snapshots = snapshot_libraries(now=now)
    return report


def backfill(*, now: datetime | None = None) -> CollectReport:
    """Count every hour the ledgers still hold (idempotent: the merge keeps the larger count)."""
    return collect(now=now, since=EPOCH, sources=BACKFILL_SOURCES)


def needs_backfill() -> bool:
    """A fresh install: no analytics row yet, while the ledgers may hold history."""
    return not ConnectorStat.objects.exists()


def _content_type(connector_kind: str, table: str, item_type: str = "") -> str:
    if table == "movie":
        return "scenes" if item_type == "scene" else "movies"
    # Whisparr v2 keeps scenes in the series/episode shape.
    return "scenes" if connector_kind.startswith("whisparr") else "episodes"


def snapshot_libraries(*, now: datetime | None = None) -> int:
    """The library of every connector, per content type, as of now (four GROUP BYs).

    "Missing monitored" is discovery's own notion (content's querysets): monitored
    at every level and aired, or monitored and available for movies.
    """
    now = now or timezone.now()
    kinds = dict(Connector.objects.values_list("pk", "kind"))
    counts: dict[tuple[int, str], dict[str, int]] = {}

    def add(key: tuple[int, str], **values: int) -> None:
        row = counts.setdefault(
            key, {"items": 0, "have_file": 0, "below_cutoff": 0, "missing": 0, "ages": {}}
        )
        for name, value in values.items():
            row[name] += value

    def add_age(key: tuple[int, str], age: str, n: int) -> None:
        add(key, missing=n)
        ages = counts[key]["ages"]
        ages[age] = ages.get(age, 0) + n

    totals = {
        "items": Count("pk"),
        "have_file": Count("pk", filter=Q(has_file=True)),
        "below_cutoff": Count("pk", filter=Q(has_file=True, quality_cutoff_not_met=True)),
    }
    for row in Episode.objects.order_by().values("connector_id").annotate(**totals):
        cid = row.pop("connector_id")
        add((cid, _content_type(kinds.get(cid, ""), "episode")), **row)
    # The gaps, counted by age in the same GROUP BY (one pass over the partial index).
    missing = Episode.objects.missing().monitored().aired(now=now).order_by()
    by_age = missing.annotate(age=RawSQL(ages.age_case(ages.EPISODE_SINCE), ()))  # noqa: S611
    for row in by_age.values("connector_id", "age").annotate(n=Count("pk")):
        cid = row["connector_id"]
        add_age((cid, _content_type(kinds.get(cid, ""), "episode")), row["age"], row["n"])
    for row in Movie.objects.order_by().values("connector_id", "item_type").annotate(**totals):
        cid, item_type = row.pop("connector_id"), row.pop("item_type")
        add((cid, _content_type("", "movie", item_type)), **row)
    missing = Movie.objects.missing().monitored().available().order_by()
    by_age = missing.annotate(age=RawSQL(ages.age_case(ages.MOVIE_SINCE), ()))  # noqa: S611
    for row in by_age.values("connector_id", "item_type", "age").annotate(n=Count("pk")):
        key = (row["connector_id"], _content_type("", "movie", row["item_type"]))
        add_age(key, row["age"], row["n"])

    bucket = hour_start(now)
    rows = [
        LibrarySnapshot(
            connector_id=cid,
            resolution=Resolution.HOUR,
            bucket=bucket,
            content_type=ctype,
            items=c["items"],
            have_file=c["have_file"],
            missing_monitored=c["missing"],
            below_cutoff=c["below_cutoff"],
            gap_ages=c["ages"],
            taken_at=now,
        )
        for (cid, ctype), c in counts.items()
        if cid in kinds
    ]
    LibrarySnapshot.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["connector", "resolution", "bucket", "content_type"],
        update_fields=[
            "items",
            "have_file",
            "missing_monitored",
            "below_cutoff",
            "gap_ages",
            "taken_at",
        ],
    )
    return len(rows)


def add_counts(*, connector_id: int, at: datetime, **counts: int) -> None:
    """Add to one connector's counters of the hour ``at`` falls in (one upsert)."""
    cols = list(counts)
    sets = ", ".join(f"{c} = {STAT}.{c} + EXCLUDED.{c}" for c in cols)
    sql = (
        f"INSERT INTO {STAT} (connector_id, resolution, bucket, {', '.join(cols)}) "  # noqa: S608
        f"VALUES (%s, %s, %s, {', '.join(['%s'] * len(cols))}) "
        f"ON CONFLICT (connector_id, resolution, bucket) DO UPDATE SET {sets}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [connector_id, Resolution.HOUR, hour_start(at), *counts.values()])


def count_discoveries(*, connector_id: int, run_started_at: datetime) -> None:
    """The registry rows a sweep created (stamped with its start), by search type."""
    new = SearchRegistry.objects.filter(connector_id=connector_id, created_at=run_started_at)
    counts = new.aggregate(
        gaps=Count("pk", filter=Q(search_type="gap")),
        upgrades=Count("pk", filter=Q(search_type="upgrade")),
    )
    if counts["gaps"] or counts["upgrades"]:
        add_counts(
            connector_id=connector_id,
            at=run_started_at,
            gaps_discovered=counts["gaps"],
            upgrades_discovered=counts["upgrades"],
        )


def sample_queue_depth(*, now: datetime | None = None) -> int:
    """Queued entries of every enabled connector, added to this hour's samples (one statement)."""
    now = now or timezone.now()
    sql = f"""
        INSERT INTO {STAT} (connector_id, resolution, bucket,
                            queue_depth_sum, queue_depth_samples, queue_depth_max)
        SELECT c.id, %(resolution)s, {bucket_sql("%(now)s::timestamptz")}, count(q.id), 1,
               count(q.id)
        FROM {Connector._meta.db_table} c
        LEFT JOIN {RequestQueue._meta.db_table} q
               ON q.connector_id = c.id AND q.status = %(queued)s
        WHERE c.enabled
        GROUP BY c.id
        ON CONFLICT (connector_id, resolution, bucket) DO UPDATE SET
            queue_depth_sum = {STAT}.queue_depth_sum + EXCLUDED.queue_depth_sum,
            queue_depth_samples = {STAT}.queue_depth_samples + 1,
            queue_depth_max = GREATEST({STAT}.queue_depth_max, EXCLUDED.queue_depth_max)
    """  # noqa: S608 - names from the models
    params = {
        "resolution": Resolution.HOUR,
        "unit": "hour",
        "now": now,
        "queued": RequestQueue.Status.QUEUED,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
