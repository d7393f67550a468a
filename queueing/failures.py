"""The engine's side of the failure policy: apply what an *arr error's policy row decides.

The decisions themselves (pause the connector and why, what becomes of a
command whose POST failed) are one table in connectors.common.errors; dispatch
and polling hand every failure to the two functions here and never look at
the error's class.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from connectors.common.errors import ArrError, CommandFate, Pause, command_pause
from connectors.models import Connector
from queueing import control, outcomes
from queueing.models import RequestQueue
from searchstate.models import SearchHistory

Outcome = SearchHistory.Outcome


def connector_failed(
    *, connector: Connector, error: ArrError, now: datetime, pause: Pause | None = None
) -> datetime | None:
    """Pause the connector as ``error``'s policy says (or as ``pause`` overrides).

    Returns when the pause ends; None when there is no pause or it has no known
    end (a rejected key waits for a good health check).
    """
    pause = error.policy.pause if pause is None else pause
    if pause is Pause.AUTH:
        control.connector_auth_rejected(connector=connector, message=str(error), now=now)
        return None
    if pause is Pause.RATE_LIMIT:
        return control.connector_rate_limited(
            connector=connector, retry_after=error.retry_after, now=now
        )
    if pause is Pause.BACKOFF:
        return control.connector_error(connector=connector, message=str(error), now=now)
    return None


def command_failed(*, entry: RequestQueue, error: ArrError, now: datetime) -> CommandFate:
    """A claimed entry's POST /command failed: pause the connector and settle the entry."""
    message = str(error)
    until = connector_failed(
        connector=entry.connector, error=error, now=now, pause=command_pause(error)
    )
    fate = error.policy.command
    if fate is CommandFate.REQUEUE:
        outcome = Outcome.AUTH_REJECTED if error.policy.pause is Pause.AUTH else None
        outcomes.outcome_requeue(
            entry=entry,
            outcome=outcome or Outcome.CONNECTOR_ERROR,
            message=message,
            now=now,
            retry_at=until or now,
        )
    elif fate is CommandFate.RATE_LIMITED:
        outcomes.outcome_failed(
            entry=entry,
            outcome=Outcome.RATE_LIMITED,
            message=message,
            now=now,
            cooldown_until=until,
        )
    elif fate is CommandFate.FAIL:
        outcomes.outcome_failed(entry=entry, outcome=Outcome.FAILED, message=message, now=now)
    else:
        send_interrupted(entry=entry, now=now)
    return fate


def send_interrupted(*, entry: RequestQueue, now: datetime) -> bool:
    """The POST's answer was lost: the app may have queued the command. The entry stays
    in flight without a command id, marked so that polling's recovery asks the app at
    its next tick instead of waiting as long as a live worker could take."""
    marked = RequestQueue.objects.filter(
        pk=entry.pk,
        status=RequestQueue.Status.DISPATCHED,
        command_arr_id__isnull=True,
        history_id=entry.history_id,
    ).update(send_interrupted_at=now, updated_at=timezone.now())
    if marked:
        entry.send_interrupted_at = now
    return bool(marked)
