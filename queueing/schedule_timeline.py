"""The next 7 days of sweeps and library syncs per connector, with clashes and gaps flagged.

Read model of the schedules page's timeline. Sweeps come from each enabled
SweepSchedule's cron in its own zone; full syncs from the built-in job's cron
(every connector is re-read by it); the incremental sync is too frequent to
draw and is described instead.

A clash is two sweeps of one connector whose kinds overlap (gaps and gaps,
upgrades and upgrades, "both" and anything) starting within
:data:`CLASH_WINDOW` of each other: the second re-plans what the first just
queued, before the connector's throttle profile (whose per-hour command limit
is the tightest of its rate limits) could send it. A connector without any
enabled sweep in the week is a gap: nothing is searched for it automatically.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from connectors.models import Connector
from queueing.builtin_schedules import resolve_jobs
from queueing.cron import cron_describe, cron_runs_between
from queueing.models import SweepSchedule

DAYS = 7
CLASH_WINDOW = timedelta(hours=1)
#: More runs than this in the week are drawn as a band, not as marks.
MAX_MARKS = 200
FULL_SYNC_JOB = "sync_full"
INCREMENTAL_SYNC_JOB = "sync_incremental"


@dataclass
class Mark:
    at: datetime
    kind: str  # a SweepRun kind (gaps, upgrades, both) or "sync"
    label: str
    x: float  # 0..1000 across the week, the SVG's user units
    schedule_id: int | None = None
    clash: bool = False
    past: bool = False


@dataclass
class Band:
    kind: str
    label: str


@dataclass
class Row:
    connector: Connector
    marks: list[Mark] = field(default_factory=list)
    bands: list[Band] = field(default_factory=list)
    clashes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def sweep_count(self) -> int:
        return sum(1 for m in self.marks if m.kind != "sync")

    @property
    def summary(self) -> str:
        syncs = sum(1 for m in self.marks if m.kind == "sync")
        parts = [f"{self.sweep_count} sweeps", f"{syncs} full syncs"]
        parts += [band.label for band in self.bands]
        return f"{self.connector.name}: " + ", ".join(parts)


@dataclass
class Day:
    date: datetime  # local midnight
    x: float


@dataclass
class Timeline:
    start: datetime
    end: datetime
    now_x: float
    days: list[Day]
    rows: list[Row]
    incremental: str  # how often every library is synced incrementally, in words

    @property
    def clash_count(self) -> int:
        return sum(len(row.clashes) for row in self.rows)


def _overlap(a: str, b: str) -> bool:
    return a == b or SweepSchedule.Kind.BOTH in (a, b)


def _x(at: datetime, start: datetime) -> float:
    return round((at - start) / timedelta(days=DAYS) * 1000, 2)


def _sweep_marks(row: Row, schedules: list[SweepSchedule], start, end, now) -> None:
    for schedule in schedules:
        kind_label = schedule.get_kind_display()
        try:
            runs, truncated = cron_runs_between(
                schedule.cron, tz=schedule.timezone, start=start, end=end, limit=MAX_MARKS
            )
        except ValidationError:
            row.notes.append(f"{kind_label} sweep: its cron {schedule.cron!r} is invalid")
            continue
        if truncated:
            row.bands.append(Band(schedule.kind, f"{kind_label} sweep {_words(schedule.cron)}"))
            continue
        for at in runs:
            local = timezone.localtime(at)
            row.marks.append(
                Mark(
                    at=at,
                    kind=schedule.kind,
                    label=f"{kind_label} sweep, {local:%a %H:%M}",
                    x=_x(at, start),
                    schedule_id=schedule.pk,
                    past=at < now,
                )
            )


def _words(cron: str) -> str:
    try:
        return cron_describe(cron).lower()
    except ValidationError:
        return cron


def _flag_clashes(row: Row) -> None:
    sweeps = sorted((m for m in row.marks if m.kind != "sync"), key=lambda m: m.at)
    for i, first in enumerate(sweeps):
        for second in sweeps[i + 1 :]:
            if second.at - first.at >= CLASH_WINDOW:
                break
            if second.schedule_id == first.schedule_id or not _overlap(first.kind, second.kind):
                continue
            first.clash = second.clash = True
            minutes = int((second.at - first.at).total_seconds() // 60)
            row.clashes.append(
                f"{timezone.localtime(first.at):%a %H:%M}: two overlapping sweeps "
                f"{minutes} minutes apart ({first.label.split(',')[0].lower()} and "
                f"{second.label.split(',')[0].lower()})"
            )


def timeline_week(*, now: datetime | None = None) -> Timeline:
    """Today (from local midnight, in the user's zone) and the next six days."""
    now = now or timezone.now()
    local_now = timezone.localtime(now)
    start = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    end = start + timedelta(days=DAYS)
    jobs = {job.job.key: job for job in resolve_jobs()}
    tz = timezone.get_current_timezone_name()
    full_syncs: list[datetime] = []
    full = jobs.get(FULL_SYNC_JOB)
    if full is not None and full.cron:
        full_syncs, _ = cron_runs_between(full.cron, tz=tz, start=start, end=end, limit=MAX_MARKS)
    incremental = jobs.get(INCREMENTAL_SYNC_JOB)
    incremental_words = (
        f"Every library is also synced incrementally, {_words(incremental.cron)}."
        if incremental is not None and incremental.cron
        else "The incremental library sync is switched off."
    )
    by_connector: dict[int, list[SweepSchedule]] = {}
    for schedule in SweepSchedule.objects.filter(enabled=True).order_by("pk"):
        by_connector.setdefault(schedule.connector_id, []).append(schedule)
    rows = []
    for connector in Connector.objects.order_by("name"):
        row = Row(connector)
        if not connector.enabled:
            row.notes.append("disabled: nothing runs for it")
        else:
            _sweep_marks(row, by_connector.get(connector.pk, []), start, end, now)
            row.marks += [
                Mark(at, "sync", f"Full sync, {timezone.localtime(at):%a %H:%M}", _x(at, start),
                     past=at < now)
                for at in full_syncs
            ]  # fmt: skip
            row.marks.sort(key=lambda m: m.at)
            _flag_clashes(row)
            if not row.sweep_count and not row.bands:
                row.notes.append("no sweep this week: nothing is searched for it automatically")
        rows.append(row)
    days = [Day(date=start + timedelta(days=i), x=i * 1000 / DAYS) for i in range(DAYS)]
    return Timeline(start, end, _x(now, start), days, rows, incremental_words)
