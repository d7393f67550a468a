"""Operator controls of queue processing, and the connector pauses the engine itself sets.

User controls: :func:`queue_pause` / :func:`queue_resume` (globally or per
connector), :func:`queue_clear`, :func:`queue_entry_remove`,
:func:`queue_entry_set_priority`. Automatic pauses (errors, rate limits,
rejected API keys) live on the same ConnectorThrottle row as ``paused_until``,
so a user pause and an automatic one never overwrite each other.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from comradarr import events
from connectors.models import Connector
from queueing import throttle as limits
from queueing.models import ConnectorThrottle, GlobalThrottle, RequestQueue
from searchstate.models import SearchRegistry
from searchstate.services import registry_apply
from searchstate.transitions import Event

#: An auth pause lasts until a later health check finds the connector healthy.
AUTH_PAUSE = timedelta(days=3650)
AUTH_REASON = "API key rejected"


class ControlError(Exception):
    """A control action that cannot be done (the message says why)."""


def _locked_throttle(connector: Connector) -> ConnectorThrottle:
    ConnectorThrottle.objects.get_or_create(connector=connector)
    return ConnectorThrottle.objects.select_for_update().get(connector=connector)


# --- user pause and resume ---------------------------------------------------------------


def queue_pause(*, connector: Connector | None = None, reason: str = "paused by the user") -> None:
    """Stop dispatching, for one connector or (``connector=None``) for all.

    Commands already in flight are still polled to their outcome.
    """
    with transaction.atomic():
        if connector is None:
            row = GlobalThrottle.load()
            GlobalThrottle.objects.filter(pk=row.pk).update(paused=True)
        else:
            row = _locked_throttle(connector)
            ConnectorThrottle.objects.filter(pk=row.pk).update(paused=True)
        events.emit(events.connector_paused, connector=connector, reason=reason)


def queue_resume(*, connector: Connector | None = None) -> None:
    """Undo a user pause (and clear an automatic one) for one connector or for all."""
    with transaction.atomic():
        if connector is None:
            row = GlobalThrottle.load()
            GlobalThrottle.objects.filter(pk=row.pk).update(paused=False)
        else:
            row = _locked_throttle(connector)
            ConnectorThrottle.objects.filter(pk=row.pk).update(
                paused=False, paused_until=None, paused_at=None, pause_reason="", backoff_level=0
            )
        events.emit(events.connector_resumed, connector=connector)


def is_paused(*, connector: Connector | None = None, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    if GlobalThrottle.load().paused:
        return True
    if connector is None:
        return False
    row = ConnectorThrottle.objects.filter(connector=connector).first()
    return bool(row and (row.paused or (row.paused_until and row.paused_until > now)))


# --- queue editing -----------------------------------------------------------------------


def _cancel(entry: RequestQueue) -> None:
    rows = SearchRegistry.objects.filter(queue_links__entry=entry)
    registry_apply(rows, Event.DEQUEUE)
    entry.release(status=RequestQueue.Status.CANCELLED)


def queue_clear(*, connector: Connector | None = None) -> int:
    """Cancel every queued entry (of one connector or all); items go back to pending.

    Entries in flight are left to finish. Returns the number cancelled.
    """
    cancelled = 0
    with transaction.atomic():
        queued = RequestQueue.objects.filter(status=RequestQueue.Status.QUEUED)
        if connector is not None:
            queued = queued.filter(connector=connector)
        for entry in queued.select_for_update(skip_locked=True).order_by("pk"):
            _cancel(entry)
            cancelled += 1
    return cancelled


def queue_entry_remove(*, entry: RequestQueue) -> None:
    """Cancel one queued entry; its items go back to pending. In-flight entries refuse."""
    with transaction.atomic():
        locked = RequestQueue.objects.select_for_update().filter(pk=entry.pk).first()
        if locked is None:
            raise ControlError(f"queue entry {entry.pk} does not exist")
        if locked.status != RequestQueue.Status.QUEUED:
            raise ControlError(
                f"queue entry {entry.pk} is {locked.get_status_display().lower()}, not queued"
            )
        _cancel(locked)
    entry.status = RequestQueue.Status.CANCELLED


def queue_entry_set_priority(*, entry: RequestQueue, priority: int) -> RequestQueue:
    """Change a queued entry's priority (higher goes first among entries due together)."""
    if isinstance(priority, bool) or not isinstance(priority, int):
        raise ControlError("priority must be a whole number")
    if not -1_000_000 <= priority <= 1_000_000:
        raise ControlError("priority must be between -1000000 and 1000000")
    updated = RequestQueue.objects.filter(pk=entry.pk, status=RequestQueue.Status.QUEUED).update(
        priority=priority, updated_at=timezone.now()
    )
    if not updated:
        raise ControlError(f"queue entry {entry.pk} is not queued")
    entry.priority = priority
    return entry


# --- automatic pauses (the engine) -------------------------------------------------------


def connector_auto_pause(
    *, connector: Connector, until: datetime, reason: str, now: datetime, backoff: bool = False
) -> datetime:
    """Pause dispatch to a connector until ``until`` (never shortens a longer pause).

    ``backoff`` counts one more consecutive error. Returns the pause's end.
    """
    with transaction.atomic():
        row = _locked_throttle(connector)
        end = max(until, row.paused_until) if row.paused_until else until
        ConnectorThrottle.objects.filter(pk=row.pk).update(
            paused_until=end,
            paused_at=row.paused_at if row.paused_until and row.paused_until > now else now,
            pause_reason=reason[:200],
            backoff_level=row.backoff_level + (1 if backoff else 0),
        )
        if not (row.paused_until and row.paused_until > now):
            events.emit(events.connector_paused, connector=connector, reason=reason)
    return end


def connector_error(*, connector: Connector, message: str, now: datetime) -> datetime:
    """An unreachable or failing connector: pause it with exponential backoff."""
    row = ConnectorThrottle.for_connector(connector)
    delay = limits.error_backoff(row.effective_profile(), level=row.backoff_level + 1)
    return connector_auto_pause(
        connector=connector, until=now + delay, reason=message, now=now, backoff=True
    )


def connector_rate_limited(
    *, connector: Connector, retry_after: float | None, now: datetime
) -> datetime:
    """The app (or its proxy) said 429: pause for Retry-After or the profile's pause."""
    profile = ConnectorThrottle.for_connector(connector).effective_profile()
    seconds = retry_after if retry_after else profile.rate_limit_pause_seconds
    return connector_auto_pause(
        connector=connector,
        until=now + timedelta(seconds=seconds),
        reason="rate limited by the app",
        now=now,
    )


def connector_auth_rejected(*, connector: Connector, message: str, now: datetime) -> None:
    """The API key was refused: mark the connector unhealthy and pause it until it recovers."""
    Connector.objects.filter(pk=connector.pk).update(
        health_status=Connector.Health.UNHEALTHY, health_message=message[:1000], updated_at=now
    )
    connector.health_status = Connector.Health.UNHEALTHY
    connector_auto_pause(connector=connector, until=now + AUTH_PAUSE, reason=AUTH_REASON, now=now)


@transaction.atomic  # the resumed event's outbox row commits with the lifted pause
def connector_recovered(*, connector: Connector, now: datetime) -> bool:
    """Lift automatic pauses that recovery ends: a rejected key after a later good health check.

    Also resets the error backoff after a successful exchange. Returns True when
    a pause was lifted.
    """
    row = ConnectorThrottle.objects.filter(connector=connector).first()
    if row is None:
        return False
    lifted = False
    auth_paused = row.pause_reason == AUTH_REASON and row.paused_until and row.paused_until > now
    checked = connector.last_health_check_at
    if (
        auth_paused
        and connector.health_status == Connector.Health.HEALTHY
        and checked
        and row.paused_at
        and checked > row.paused_at
    ):
        lifted = bool(
            ConnectorThrottle.objects.filter(pk=row.pk, pause_reason=AUTH_REASON).update(
                paused_until=None, paused_at=None, pause_reason="", backoff_level=0
            )
        )
        if lifted:
            events.emit(events.connector_resumed, connector=connector)
    return lifted


def connector_ok(*, connector: Connector) -> None:
    """A request succeeded: the next error starts the backoff from the beginning."""
    ConnectorThrottle.objects.filter(connector=connector, backoff_level__gt=0).update(
        backoff_level=0
    )
