"""Follow commands in flight to their outcome, and recover entries a dead worker left behind.

Each tick, per connector, requests are shared by all its commands in flight:

* entries with a command id: one GET /command (the app's in-memory list of
  queued, started and recently finished commands) answers for all of them when
  two or more are in flight; GET /command/{id} only for one alone or for a
  command the list no longer holds. Completed: the message is read
  at once (the apps forget it minutes later) and the outcome is decided from
  the "grabbed" history since the command was queued (/history/since with
  eventType=grabbed), one request for every command that completed this tick
  and none when no command finished since the last poll, not from the message.
  Failed, aborted, cancelled or orphaned: command failed. Still queued or
  started after the profile's command timeout: timeout.
* entries in flight without a command id whose POST's answer was lost (marked
  interrupted by dispatch; recovered at the next tick), or for longer than a
  POST can take (the worker died between the POST and recording the id): the app's recent
  commands (GET /command) are searched for the same name and ids. Found: the
  id is recorded and polling goes on. Not found while the app still remembers
  every command posted since the claim: the POST never arrived, the items go
  back to the queue. Not found later than that: unknown, so the items cool
  down for the standard time instead of risking a second search.
* searching registry rows with no entry at all (an entry deleted by hand) go
  back to pending.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from connectors.common.errors import ArrError, NotFoundError, Pause
from connectors.common.types import CommandStatus
from connectors.models import Connector
from queueing import failures, outcomes
from queueing.dispatch import record_command
from queueing.models import ConnectorThrottle, RequestQueue, RequestQueueItem
from searchstate.models import SearchHistory, SearchRegistry
from searchstate.services import registry_apply
from searchstate.states import SearchState
from searchstate.transitions import Event

logger = logging.getLogger(__name__)

Outcome = SearchHistory.Outcome
FINISHED_BAD = frozenset({"failed", "aborted", "cancelled", "orphaned"})
#: The apps keep finished commands in GET /command for at least 5 minutes after they end.
COMMAND_MEMORY = timedelta(minutes=5)
#: Grabs are looked up from a little before the command was queued (clock rounding).
HISTORY_MARGIN = timedelta(seconds=5)
#: An interrupted send is asked about once the app had this long to queue the command
#: (so a loop ticking every few seconds does not ask while the app is still at it).
INTERRUPTED_SETTLE = timedelta(seconds=30)


@dataclass
class PollResult:
    connector: str
    polled: int = 0
    finished: dict[str, int] = field(default_factory=dict)
    recovered: int = 0
    requeued: int = 0
    errors: list[str] = field(default_factory=list)

    def count(self, outcome: str) -> None:
        self.finished[outcome] = self.finished.get(outcome, 0) + 1


def stale_after(connector: Connector) -> timedelta:
    """How long a live worker can take between claiming and recording the command id."""
    return timedelta(seconds=2 * (connector.timeout_seconds or 30) + 30)


def _needs_recovery(entry: RequestQueue, grace: timedelta, now: datetime) -> bool:
    """In flight without a command id, and no live worker can still be recording one."""
    if entry.command_arr_id is not None or entry.dispatched_at is None:
        return False
    if entry.send_interrupted_at is not None:
        return now - entry.send_interrupted_at >= INTERRUPTED_SETTLE
    return now - entry.dispatched_at > grace


def _timed_out(entry: RequestQueue, timeout: int, now: datetime) -> bool:
    return entry.dispatched_at is not None and now - entry.dispatched_at > timedelta(
        seconds=timeout
    )


def _ids(body: dict, key: str) -> list[int]:
    return sorted(int(i) for i in (body.get(key) or []))


def same_command(command: CommandStatus, payload: dict) -> bool:
    """Is ``command`` (from the app's list) the one ``payload`` asked for?"""
    body = command.body or {}
    if (command.name or "").lower() != str(payload.get("name", "")).lower():
        return False
    for key in ("episodeIds", "movieIds"):
        if key in payload and _ids(body, key) != _ids(payload, key):
            return False
    for key in ("seriesId", "seasonNumber"):
        if key in payload and body.get(key) != payload.get(key):
            return False
    return True


def _grabbed_since(client, since: datetime) -> list:
    return client.history_since(since, event_type="grabbed")


def _grabbed_ids(records: list, since: datetime) -> set[int]:
    ids: set[int] = set()
    for record in records:
        if record.date < since:
            continue
        for arr_id in (record.episode_arr_id, record.movie_arr_id):
            if arr_id is not None:
                ids.add(arr_id)
    return ids


def _finish_completed(entries: list[tuple[RequestQueue, CommandStatus]], client, result, now):
    """Decide grabbed / no results for completed commands from one history request."""
    starts = {e.pk: (c.queued or c.started or c.ended) for e, c in entries}
    known = [s for s in starts.values() if s is not None]
    since = (min(known) if known else now - timedelta(days=1)) - HISTORY_MARGIN
    records = _grabbed_since(client, since)
    for entry, command in entries:
        start = starts[entry.pk]
        grabbed = _grabbed_ids(records, (start - HISTORY_MARGIN) if start else since)
        history = outcomes.outcome_completed(
            entry=entry, grabbed_arr_ids=grabbed, message=command.message or "", now=now
        )
        if history is not None:
            result.count(history.outcome)


def _recover(entries: list[RequestQueue], client, result: PollResult, now: datetime) -> None:
    commands = client.commands()
    connector = entries[0].connector
    taken = set(
        RequestQueue.objects.filter(
            connector=connector, command_arr_id__isnull=False, status=RequestQueue.Status.DISPATCHED
        ).values_list("command_arr_id", flat=True)
    )
    for entry in entries:
        matches = [c for c in commands if c.arr_id not in taken and same_command(c, entry.payload)]
        if matches:
            command = max(matches, key=lambda c: c.arr_id)
            if record_command(entry=entry, command_arr_id=command.arr_id):
                taken.add(command.arr_id)
                result.recovered += 1
                logger.info(
                    "recovered a command a worker did not record",
                    extra={"connector": connector.name, "entry": entry.pk},
                )
            continue
        if now - entry.dispatched_at < COMMAND_MEMORY:
            history = outcomes.outcome_requeue(
                entry=entry,
                outcome=Outcome.CONNECTOR_ERROR,
                message="The worker stopped before the command reached the app; queued again.",
                now=now,
                retry_at=now,
            )
            if history is not None:
                result.requeued += 1
        else:
            _time_out(
                entry,
                "Lost track of the command (worker stopped); cooling down instead.",
                result,
                now,
            )


def _time_out(entry: RequestQueue, message: str, result: PollResult, now: datetime) -> None:
    """Transient: the standard cooldown, no attempt counted (outcomes.outcome_failed)."""
    history = outcomes.outcome_failed(
        entry=entry, outcome=Outcome.TIMEOUT, message=message, now=now
    )
    if history is not None:
        result.count(history.outcome)


def release_orphans(*, connector: Connector) -> int:
    """Searching rows without a live entry (deleted by hand) go back to pending."""
    orphans = SearchRegistry.objects.filter(
        connector=connector, state=SearchState.SEARCHING
    ).exclude(Exists(RequestQueueItem.objects.filter(registry=OuterRef("pk"))))
    ids = list(orphans.values_list("pk", flat=True))
    if not ids:
        return 0
    rows = SearchRegistry.objects.filter(pk__in=ids)
    registry_apply(rows, Event.REQUEUE)
    return registry_apply(rows, Event.DEQUEUE)


def _timeouts_without_http(entries, profile, result, now) -> None:
    for entry in entries:
        if _timed_out(entry, profile.command_timeout_seconds, now):
            _time_out(entry, "No answer from the app before the command timeout.", result, now)


def _known_commands(client, entries: list[RequestQueue]) -> dict[int, CommandStatus]:
    """The app's command list by id, read once for all when two or more are in flight."""
    if len(entries) < 2:
        return {}
    return {command.arr_id: command for command in client.commands()}


def _poll_command(
    entry: RequestQueue,
    client,
    profile,
    result: PollResult,
    now: datetime,
    known: dict[int, CommandStatus],
):
    """Decide one command from the shared list, or ask the app about it alone.

    Returns it when completed (decided with the others in one batch later).
    """
    result.polled += 1
    command = known.get(entry.command_arr_id)
    if command is None:
        try:
            command = client.get_command(entry.command_arr_id)
        except NotFoundError:
            _time_out(entry, "The app no longer knows the command (restarted?).", result, now)
            return None
    if command.status == "completed":
        return command
    if command.status in FINISHED_BAD:
        history = outcomes.outcome_failed(
            entry=entry,
            outcome=Outcome.FAILED,
            message=command.message or f"Command {command.status}.",
            now=now,
        )
        if history is not None:
            result.count(history.outcome)
    elif _timed_out(entry, profile.command_timeout_seconds, now):
        _time_out(
            entry,
            f"Still {command.status} after {profile.command_timeout_seconds} s.",
            result,
            now,
        )
    return None


def _poll_failed(
    connector: Connector, err: ArrError, profile, result: PollResult, now: datetime
) -> None:
    """The app failed mid-poll: pause as the error's policy says; in flight stays in flight."""
    failures.connector_failed(connector=connector, error=err, now=now)
    result.errors.append(str(err))
    if err.policy.pause is not Pause.BACKOFF:
        return  # a refused key or a rate limit: the pause says why, the next tick asks again
    in_flight = RequestQueue.objects.filter(
        connector=connector, status=RequestQueue.Status.DISPATCHED
    )
    in_flight.update(poll_errors=F("poll_errors") + 1)
    # The next tick asks again; the command timeout still applies meanwhile.
    _timeouts_without_http(in_flight.select_related("connector"), profile, result, now)


def poll_connector(*, connector: Connector, client, now: datetime | None = None) -> PollResult:
    """Poll one connector's commands in flight and record the outcomes that are known."""
    now = now or timezone.now()
    result = PollResult(connector=connector.name)
    release_orphans(connector=connector)
    in_flight = list(
        RequestQueue.objects.filter(connector=connector, status=RequestQueue.Status.DISPATCHED)
        .select_related("connector")
        .order_by("dispatched_at")
    )
    if not in_flight:
        return result
    profile = ConnectorThrottle.for_connector(connector).effective_profile()
    if not connector.is_usable:
        _timeouts_without_http(in_flight, profile, result, now)
        return result
    grace = stale_after(connector)
    lost = [e for e in in_flight if _needs_recovery(e, grace, now)]
    try:
        if lost:
            _recover(lost, client, result, now)
        completed: list[tuple[RequestQueue, CommandStatus]] = []
        for entry in in_flight:
            entry.refresh_from_db(fields=["command_arr_id", "status"])
        polled = [
            e
            for e in in_flight
            if e.status == RequestQueue.Status.DISPATCHED and e.command_arr_id is not None
        ]
        known = _known_commands(client, polled)
        for entry in polled:
            command = _poll_command(entry, client, profile, result, now, known)
            if command is not None:
                completed.append((entry, command))
        if completed:
            _finish_completed(completed, client, result, now)
    except ArrError as err:
        _poll_failed(connector, err, profile, result, now)
    return result
