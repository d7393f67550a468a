"""Read model of everything that runs on a timer: built-in jobs and users' sweep schedules.

Read by ``manage.py schedules list`` and the schedules page; writes go through
queueing.builtin_schedules (reconciliation) and queueing.sweep_schedules. Built-in
rows show what the database holds (what django-q2 will actually run); a job
whose row is missing says so instead of guessing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django_q.models import Task

from queueing.builtin_schedules import builtin_rows, resolve_jobs
from queueing.cron import cron_next_runs
from queueing.models import SweepSchedule
from queueing.sweep_schedules import describe


@dataclass(frozen=True)
class ScheduleRow:
    kind: str  # "builtin" or "sweep"
    name: str
    cron: str
    timezone: str
    description: str
    next_run: datetime | None
    enabled: bool
    note: str = ""
    id: int | None = None  # the SweepSchedule's pk (sweeps) or the django-q2 Schedule's pk

    def as_dict(self) -> dict:
        data = asdict(self)
        data["next_run"] = self.next_run.isoformat() if self.next_run else None
        return data


def schedules_list() -> list[ScheduleRow]:
    rows = _builtin()
    rows.extend(_sweeps())
    return rows


def _describe(cron: str, tz: str) -> str:
    return describe(SweepSchedule(cron=cron, timezone=tz))


def _builtin() -> list[ScheduleRow]:
    stored = builtin_rows()
    tz = settings.TIME_ZONE
    rows = []
    for resolved in resolve_jobs():
        job = resolved.job
        row = stored.get(job.schedule_name)
        if not resolved.enabled:
            note = f"switched off by {job.env_var}"
            if row is not None:
                note += "; run setup_schedules to remove its row"
            rows.append(
                ScheduleRow(
                    "builtin",
                    job.title,
                    job.cron,
                    tz,
                    job.description,
                    None,
                    False,
                    note,
                    row.pk if row else None,
                )
            )
            continue
        if row is None:
            rows.append(
                ScheduleRow(
                    "builtin",
                    job.title,
                    resolved.cron,
                    tz,
                    f"{_describe(resolved.cron, tz)}. {job.description}",
                    None,
                    False,
                    "not set up: run setup_schedules",
                )
            )
            continue
        note = (
            ""
            if row.cron == resolved.cron
            else (f"{job.env_var} asks for {resolved.cron!r}: run setup_schedules")
        )
        rows.append(
            ScheduleRow(
                "builtin",
                job.title,
                row.cron or "",
                tz,
                f"{_describe(row.cron or '', tz)}. {job.description}",
                row.next_run,
                True,
                note,
                row.pk,
            )
        )
    return rows


def _sweeps() -> list[ScheduleRow]:
    rows = []
    for schedule in SweepSchedule.objects.select_related("connector", "throttle_profile").order_by(
        "connector__name", "kind", "pk"
    ):
        connector = schedule.connector
        notes = []
        if not connector.is_usable:
            notes.append(f"{connector.name} is disabled or unhealthy: skipped until it is back")
        if schedule.item_limit:
            notes.append(f"at most {schedule.item_limit} items")
        if schedule.throttle_profile_id:
            notes.append(f"profile {schedule.throttle_profile.name}")
        next_run = schedule.next_run_at
        if next_run is None and schedule.enabled:
            try:
                next_run = cron_next_runs(schedule.cron, tz=schedule.timezone)[0]
            except ValidationError:  # an invalid stored cron is described as such below
                next_run = None
        rows.append(
            ScheduleRow(
                "sweep",
                f"sweep {schedule.get_kind_display().lower()}: {connector.name}",
                schedule.cron,
                schedule.timezone,
                describe(schedule),
                next_run if schedule.enabled else None,
                schedule.enabled,
                "; ".join(notes),
                schedule.pk,
            )
        )
    return rows


@dataclass
class BuiltinJobStatus:
    row: ScheduleRow
    last_task: Task | None


def builtin_jobs() -> list[BuiltinJobStatus]:
    """The built-in jobs with the result of their last django-q2 run (one query for all)."""
    rows = _builtin()
    stored = builtin_rows()
    task_ids = {s.task for s in stored.values() if s.task}
    tasks = {t.id: t for t in Task.objects.filter(id__in=task_ids)} if task_ids else {}
    by_pk = {s.pk: s for s in stored.values()}
    result = []
    for row in rows:
        schedule = by_pk.get(row.id)
        task = tasks.get(schedule.task) if schedule and schedule.task else None
        result.append(BuiltinJobStatus(row=row, last_task=task))
    return result


def sweep_schedule_described(schedule: SweepSchedule) -> SweepSchedule:
    """The schedule with ``description`` set (its cron in words) for the templates."""
    schedule.description = describe(schedule)
    return schedule


def sweep_schedule_rows() -> list[SweepSchedule]:
    rows = SweepSchedule.objects.select_related("connector", "throttle_profile").order_by(
        "connector__name", "kind", "pk"
    )
    return [sweep_schedule_described(s) for s in rows]
