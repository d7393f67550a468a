"""What runs next (sweep schedules, library syncs) and what is running now, with progress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count
from django_q.models import Schedule

from content.models import Series, SyncRun
from queueing.builtin_schedules import NAME_PREFIX
from queueing.models import SweepRun, SweepSchedule

UPCOMING_LENGTH = 6
#: The built-in jobs shown as "upcoming" (schedule titles in queueing.builtin_schedules).
SYNC_JOBS = ("incremental library sync", "full library reconciliation")


@dataclass(frozen=True)
class Upcoming:
    at: datetime
    what: str
    connector_id: int | None


@dataclass(frozen=True)
class Running:
    started_at: datetime
    what: str
    connector_id: int
    done: int | None = None
    total: int | None = None

    @property
    def percent(self) -> int | None:
        if not self.total or self.done is None:
            return None
        return min(100, round(100 * self.done / self.total))


def upcoming(*, limit: int = UPCOMING_LENGTH) -> list[Upcoming]:
    sweeps = (
        SweepSchedule.objects.filter(enabled=True, connector__enabled=True)
        .exclude(next_run_at=None)
        .select_related("connector")
        .order_by("next_run_at")[:limit]
    )
    rows = [
        Upcoming(
            s.next_run_at, f"{s.get_kind_display()} sweep of {s.connector.name}", s.connector_id
        )
        for s in sweeps
    ]
    syncs = Schedule.objects.filter(name__in=[NAME_PREFIX + t for t in SYNC_JOBS]).exclude(
        next_run=None
    )
    rows += [
        Upcoming(s.next_run, s.name.removeprefix(NAME_PREFIX).capitalize(), None) for s in syncs
    ]
    rows.sort(key=lambda r: r.at)
    return rows[:limit]


def running() -> list[Running]:
    """Sweeps and syncs running now; a full sync's progress is its series read of all."""
    syncs = list(SyncRun.objects.filter(status="running").select_related("connector"))
    totals = dict(
        Series.objects.filter(connector_id__in=[r.connector_id for r in syncs])
        .values("connector_id")
        .annotate(n=Count("pk"))
        .values_list("connector_id", "n")
    )
    rows = [
        Running(
            r.started_at,
            f"{r.get_kind_display()} sync of {r.connector.name}: {r.items_seen} items read",
            r.connector_id,
            done=r.series_fetched if r.kind == "full" and totals.get(r.connector_id) else None,
            total=totals.get(r.connector_id) if r.kind == "full" else None,
        )
        for r in syncs
    ]
    sweeps = SweepRun.objects.filter(status="running", dry_run=False).select_related("connector")
    rows += [
        Running(s.started_at, f"{s.get_kind_display()} sweep of {s.connector.name}", s.connector_id)
        for s in sweeps
    ]
    return sorted(rows, key=lambda r: r.started_at)
