"""What happens next for a connector, in words: the connector page's "Next" panel.

A new user sees the chain the engine follows on its own: the first library
sync (enqueued when the connector was added), the first gap sweep (right after
the first successful sync), then the schedules; each step says when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from comradarr.runs import RunStatus
from connectors.models import Connector
from content.models import SyncRun, SyncState
from queueing.models import SweepRun, SweepSchedule


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


def next_steps(connector: Connector) -> list[NextStep]:
    """The steps still ahead of ``connector``, first one first."""
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
    if next_gaps is not None:
        steps.append(NextStep("Next scheduled search for missing items", next_gaps))
    else:
        steps.append(NextStep("No enabled schedule searches for missing items."))
    steps.append(
        NextStep("Queued searches are sent every minute, within the connector's throttle profile.")
    )
    return steps
