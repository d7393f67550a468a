"""Sweep schedules: the users' sweep timers - create, change, delete, describe, run the due ones.

A :class:`~queueing.models.SweepSchedule` holds a five-field cron read in the
schedule's own time zone, both checked by queueing.cron (a sweep "at 02:30"
stays at 02:30 local time across daylight saving changes); ``next_run_at`` is
stored in UTC. Two wall-clock
rules apply at the DST changes: a time that does not exist (spring forward)
runs at the first minute after the gap, and a time that happens twice (fall
back) runs once.

The per-minute job :func:`sweep_schedules_run_due` claims each due schedule
with a conditional UPDATE (two workers never start the same sweep) and
enqueues one sweep task for it. Disabled or unhealthy connectors are skipped
and their schedule moved to its next time: when the health check finds the
connector answering again, its next scheduled sweep runs as usual, and no
backlog of missed sweeps replays.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from connectors.models import Connector
from queueing.cron import cron_describe, cron_next_runs, cron_validate, timezone_validate
from queueing.models import SweepRun, SweepSchedule, ThrottleProfile

logger = logging.getLogger(__name__)

#: Defaults created for every new connector (kind, cron).
DEFAULT_SCHEDULES: tuple[tuple[str, str], ...] = (
    (SweepSchedule.Kind.GAPS, "0 * * * *"),  # hourly
    (SweepSchedule.Kind.UPGRADES, "0 */6 * * *"),  # every 6 hours
)


def next_run_after(schedule: SweepSchedule, after: datetime | None = None) -> datetime:
    return cron_next_runs(schedule.cron, tz=schedule.timezone, after=after)[0]


def _planned_next_run(schedule: SweepSchedule, now: datetime | None) -> datetime:
    # A cron that parses but never fires (30 February) is the cron field's error.
    try:
        return next_run_after(schedule, now)
    except ValidationError as exc:
        raise ValidationError({"cron": exc.messages}) from None


# --- schedule rows -------------------------------------------------------------------------

_EDITABLE = ("kind", "cron", "timezone", "enabled", "throttle_profile", "item_limit")


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    cleaned = dict(values)
    if "kind" in values and values["kind"] not in SweepSchedule.Kind.values:
        errors["kind"] = [f"Choose one of: {', '.join(SweepSchedule.Kind.values)}."]
    if "cron" in values:
        try:
            cleaned["cron"] = cron_validate(values["cron"])
        except ValidationError as exc:
            errors["cron"] = exc.messages
    if "timezone" in values:
        try:
            cleaned["timezone"] = str(timezone_validate(values["timezone"]))
        except ValidationError as exc:
            errors["timezone"] = exc.messages
    limit = values.get("item_limit")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 1):
        errors["item_limit"] = ["The item limit must be a whole number of at least 1, or empty."]
    profile = values.get("throttle_profile")
    if profile is not None and not isinstance(profile, ThrottleProfile):
        errors["throttle_profile"] = ["Choose a throttle profile, or none."]
    if errors:
        raise ValidationError(errors)
    return cleaned


def sweep_schedule_create(
    *,
    connector: Connector,
    kind: str,
    cron: str,
    tz: str = "UTC",
    enabled: bool = True,
    throttle_profile: ThrottleProfile | None = None,
    item_limit: int | None = None,
    now: datetime | None = None,
) -> SweepSchedule:
    """Validate and save a schedule with its first run computed; ValidationError per field."""
    values = _clean(
        {
            "kind": kind,
            "cron": cron,
            "timezone": tz,
            "enabled": enabled,
            "throttle_profile": throttle_profile,
            "item_limit": item_limit,
        }
    )
    schedule = SweepSchedule(connector=connector, **values)
    schedule.next_run_at = _planned_next_run(schedule, now)
    schedule.save()
    return schedule


def sweep_schedule_update(
    *, schedule: SweepSchedule, now: datetime | None = None, **changes: Any
) -> SweepSchedule:
    """Change editable fields (kind, cron, timezone, enabled, throttle_profile, item_limit).

    The next run is recomputed from now, so a new cron takes effect at its
    own next time rather than at the old one.
    """
    unknown = set(changes) - set(_EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {', '.join(sorted(unknown))}")
    for key, value in _clean(changes).items():
        setattr(schedule, key, value)
    schedule.next_run_at = _planned_next_run(schedule, now)
    schedule.save()
    return schedule


def sweep_schedules_create_defaults(
    *, connector: Connector, now: datetime | None = None
) -> list[SweepSchedule]:
    """Gaps hourly and upgrades every 6 hours, in UTC; nothing when the connector has any.

    Called once, when the connector is created: a user who later deletes a
    default does not see it come back.
    """
    if SweepSchedule.objects.filter(connector=connector).exists():
        return []
    schedules = [
        SweepSchedule(connector=connector, kind=kind, cron=cron, timezone="UTC")
        for kind, cron in DEFAULT_SCHEDULES
    ]
    for schedule in schedules:
        schedule.next_run_at = next_run_after(schedule, now)
    return SweepSchedule.objects.bulk_create(schedules)


def sweep_schedule_delete(*, schedule: SweepSchedule) -> None:
    schedule.delete()


def describe(schedule: SweepSchedule) -> str:
    """The human description, or why the stored expression no longer parses."""
    try:
        return cron_describe(schedule.cron)
    except ValidationError as exc:
        return f"invalid: {exc.messages[0]}"


# --- running -------------------------------------------------------------------------------


@dataclass
class DueRunReport:
    started: list[int] = field(default_factory=list)  # schedule ids whose sweep was enqueued
    skipped: dict[int, str] = field(default_factory=dict)  # schedule id -> why not
    planned: int = 0  # schedules that had no next run yet and got one

    def as_dict(self) -> dict:
        return {"started": self.started, "skipped": self.skipped, "planned": self.planned}


def sweep_schedules_run_due(*, now: datetime | None = None, enqueue=None) -> DueRunReport:
    """Start every enabled schedule whose next run has come; move each to its next time.

    ``enqueue(schedule)`` sends the sweep (default: a django-q2 task after
    commit). A schedule whose stored cron became invalid is skipped and
    logged, never a crash for the others.
    """
    now = now or timezone.now()
    enqueue = enqueue or _enqueue_sweep
    report = DueRunReport()
    # Schedules without a next run (rows written around the services) get one and wait for it.
    for schedule in SweepSchedule.objects.filter(enabled=True, next_run_at__isnull=True):
        try:
            upcoming = next_run_after(schedule, now)
        except ValidationError:
            continue
        report.planned += SweepSchedule.objects.filter(
            pk=schedule.pk, next_run_at__isnull=True
        ).update(next_run_at=upcoming)
    due = (
        SweepSchedule.objects.filter(enabled=True, next_run_at__lte=now)
        .select_related("connector")
        .order_by("next_run_at", "pk")
    )
    for schedule in due:
        try:
            upcoming = next_run_after(schedule, now)
        except ValidationError as exc:
            report.skipped[schedule.pk] = f"invalid cron: {exc.messages[0]}"
            logger.warning("sweep schedule has an invalid cron", extra={"schedule": schedule.pk})
            continue
        connector = schedule.connector
        usable = connector.is_usable
        with transaction.atomic():
            # The claim: only the worker whose UPDATE matches the old next run starts it.
            claimed = SweepSchedule.objects.filter(
                pk=schedule.pk, enabled=True, next_run_at=schedule.next_run_at
            ).update(
                next_run_at=upcoming,
                **({"last_run_at": now} if usable else {}),
                updated_at=now,
            )
            if not claimed:
                report.skipped[schedule.pk] = "claimed by another worker"
                continue
            if not usable:
                report.skipped[schedule.pk] = f"{connector.name} is disabled or unhealthy"
                continue
            enqueue(schedule)
        report.started.append(schedule.pk)
    return report


def sweep_schedules_start_first(*, connector: Connector, run) -> list[int]:
    """Enqueue the gap schedules of a connector whose first sync just succeeded.

    Only when it is the connector's first successful sync and it was never swept:
    a new user's first searches follow the first sync instead of the next minute 0.
    Returns the schedule ids enqueued.
    """
    from content.models import SyncRun

    earlier = SyncRun.objects.filter(connector=connector, status=SyncRun.Status.SUCCEEDED).exclude(
        pk=run.pk
    )
    if earlier.exists() or SweepRun.objects.filter(connector=connector).exists():
        return []
    schedules = SweepSchedule.objects.filter(
        connector=connector,
        enabled=True,
        kind__in=(SweepSchedule.Kind.GAPS, SweepSchedule.Kind.BOTH),
    ).order_by("pk")
    started = []
    for schedule in schedules:
        _enqueue_sweep(schedule)
        started.append(schedule.pk)
    return started


def _enqueue_sweep(schedule: SweepSchedule) -> None:
    from django_q.tasks import async_task

    from queueing.tasks import sweep_schedule, task_path

    schedule_id, name = schedule.pk, f"sweep {schedule.kind} connector {schedule.connector_id}"
    transaction.on_commit(
        lambda: async_task(task_path(sweep_schedule), schedule_id, task_name=name)
    )
