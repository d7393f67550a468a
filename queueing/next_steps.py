"""What happens next for a connector, in words: the connector page's "Next" panel.

A new user sees the chain the engine follows on its own: the first library
sync (enqueued when the connector was added), the first gap sweep (right after
the first successful sync), then the schedules; each step says when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone

from comradarr.runs import RunStatus
from connectors.models import Connector
from content.models import SyncRun, SyncState
from queueing.models import ConnectorThrottle, DispatchLog, RequestQueue, SweepRun, SweepSchedule

#: A connector counts as new (the dashboard tells its next steps) until its first
#: search is sent, for at most this long after it was added.
NEW_FOR = timedelta(days=7)
TICK = timedelta(minutes=1)  # the dispatch task's period


@dataclass(frozen=True)
class NextStep:
    text: str
    at: datetime | None = None


def _next_gap_run(connector: Connector) -> datetime | None:
    schedule = (
        SweepSchedule.objects.filter(
            connector=connector,
            enabled=True,
            kind__in=(SweepSchedule.Kind.GAPS, SweepSchedule.Kind.BOTH),
            next_run_at__isnull=False,
        )
        .order_by("next_run_at")
        .first()
    )
    return schedule.next_run_at if schedule else None


def new_connectors(*, now: datetime | None = None, limit: int = 1) -> list[Connector]:
    """Enabled connectors added lately that have not sent a search yet, newest first."""
    now = now or timezone.now()
    searched = DispatchLog.objects.filter(connector=OuterRef("pk"))
    return list(
        Connector.objects.libraries()
        .filter(enabled=True, created_at__gte=now - NEW_FOR)
        .exclude(Exists(searched))
        .order_by("-created_at", "-pk")[:limit]
    )


def _next_tick(at: datetime) -> datetime:
    return at.replace(second=0, microsecond=0) + TICK


def first_search_at(connector: Connector, *, swept: bool, now: datetime) -> datetime | None:
    """When the first search command should go out, or None when it cannot be told.

    The dispatch task runs every minute: the next tick after the first sweep (a tick
    later when the sweep has not run yet), unless the throttle holds it back longer.
    None once a search was sent, when paused, or when the sweep queued nothing.
    """
    if DispatchLog.objects.filter(connector=connector).exists():
        return None
    throttle = ConnectorThrottle.objects.filter(connector=connector).first()
    if throttle is not None and throttle.paused:
        return None
    earliest = (
        RequestQueue.objects.filter(connector=connector, status=RequestQueue.Status.QUEUED)
        .order_by("scheduled_at")
        .values_list("scheduled_at", flat=True)
        .first()
    )
    if swept and earliest is None:
        return None
    at = _next_tick(now) if swept else _next_tick(now) + TICK
    held = [throttle.next_dispatch_at, throttle.paused_until] if throttle else []
    held.append(earliest)  # an entry is not sent before its scheduled time
    return max([at, *(_next_tick(t) for t in held if t is not None and t > at)])


def next_steps(connector: Connector, *, now: datetime | None = None) -> list[NextStep]:
    """The steps still ahead of ``connector``, first one first."""
    now = now or timezone.now()
    if not connector.enabled:
        return [NextStep("Disabled: nothing is synced or searched until you enable it.")]
    state = SyncState.objects.filter(connector=connector).first()
    synced = state is not None and state.last_success_at is not None
    swept = SweepRun.objects.filter(connector=connector).exists()
    next_gaps = _next_gap_run(connector)
    if not synced:
        running = SyncRun.objects.filter(connector=connector, status=RunStatus.RUNNING).exists()
        failed = state is not None and state.last_error
        if running:
            first = "The first library sync is running now."
        elif failed:
            first = "The first library sync failed; it is retried on the sync schedule."
        else:
            first = "The first library sync was queued when the connector was added."
        return [
            NextStep(first),
            NextStep("The first search for missing items starts as soon as that sync succeeds."),
        ]
    steps = []
    if not swept:
        steps.append(NextStep("The first search for missing items is queued and starts shortly."))
    first = first_search_at(connector, swept=swept, now=now)
    if first is not None:
        steps.append(NextStep("First search expected", first))
    if next_gaps is not None:
        steps.append(NextStep("Next scheduled search for missing items", next_gaps))
    else:
        steps.append(NextStep("No enabled schedule searches for missing items."))
    steps.append(
        NextStep("Queued searches are sent every minute, within the connector's throttle profile.")
    )
    return steps
