"""Dispatch: claim the best due entry of a connector within its limits and POST it.

The claim, the throttle spend, marking the items searching and the
SearchHistory row happen in one short transaction under the connector's
ConnectorThrottle row lock (entries taken with SKIP LOCKED). The HTTP POST
happens after that commit, and the command id is recorded in a second short
transaction. A worker killed between the two leaves an entry in flight
without a command id: polling's recovery finds its command in the app's list
(or requeues the entry when the app never got it). A POST whose answer was
lost (timeout, cut answer) is marked interrupted, so recovery asks at the next
poll. What each failure does is the error's policy (queueing.failures).
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from comradarr import events
from connectors.common.errors import ArrError
from connectors.common.types import CommandRequest
from connectors.models import Connector
from queueing import control, failures
from queueing import throttle as limits
from queueing.models import ConnectorThrottle, GlobalThrottle, RequestQueue, RequestQueueItem
from searchstate.coverage import CommandSpec, estimated_queries
from searchstate.models import SearchHistory, SearchRegistry
from searchstate.services import registry_apply, registry_dispatched
from searchstate.transitions import Event

logger = logging.getLogger(__name__)

#: Reasons dispatch stops besides the throttle's own (throttle.*).
IDLE = "idle"  # nothing due
BACK_PRESSURE = "back_pressure"
CONNECTOR_DOWN = "connector_error"
UNUSABLE = "unusable"
#: A tick never sends more than this to one connector (the limits normally stop it first).
MAX_PER_TICK = 50


@dataclass
class DispatchResult:
    connector: str
    dispatched: int = 0
    #: Why the connector stopped getting commands this tick.
    blocked: str = ""
    retry_at: datetime | None = None
    dropped_downloading: int = 0
    errors: list[str] = field(default_factory=list)
    entry_ids: list[int] = field(default_factory=list)


@dataclass
class Downloading:
    """Item ids in the app's download queue (searching them again cannot help)."""

    episodes: set[int] = field(default_factory=set)
    movies: set[int] = field(default_factory=set)


def _downloading(client) -> Downloading:
    found = Downloading()
    for item in client.queue_items():
        if item.episode_arr_id is not None:
            found.episodes.add(item.episode_arr_id)
        if item.movie_arr_id is not None:
            found.movies.add(item.movie_arr_id)
    return found


def _drop_downloading(entry: RequestQueue, downloading: Downloading) -> int:
    """Take items already downloading out of an entry; they go back to pending.

    A batch's body loses their ids (live_payload); a pack or series search keeps its
    body but no longer answers for them (no "no results" attempt for a download).
    """
    links = RequestQueueItem.objects.filter(entry=entry)
    if entry.command != RequestQueue.Command.MOVIES_SEARCH and downloading.episodes:
        links = links.filter(registry__episode__arr_id__in=downloading.episodes)
    elif entry.command == RequestQueue.Command.MOVIES_SEARCH and downloading.movies:
        links = links.filter(registry__movie__arr_id__in=downloading.movies)
    else:
        return 0
    registry_ids = list(links.values_list("registry_id", flat=True))
    if not registry_ids:
        return 0
    registry_apply(SearchRegistry.objects.filter(pk__in=registry_ids), Event.DEQUEUE)
    RequestQueueItem.objects.filter(entry=entry, registry_id__in=registry_ids).delete()
    return len(registry_ids)


def _snapshot(rows) -> list[dict]:
    items = []
    for row in rows.select_related("episode__series", "movie").order_by("pk"):
        if row.episode_id:
            items.append(
                {
                    "kind": "episode",
                    "arr_id": row.episode.arr_id,
                    "title": f"{row.episode.series.title} {row.episode}",
                }
            )
        elif row.movie_id:
            year = f" ({row.movie.year})" if getattr(row.movie, "year", None) else ""
            items.append(
                {"kind": "movie", "arr_id": row.movie.arr_id, "title": row.movie.title + year}
            )
    return items


def _queries(entry: RequestQueue, payload: dict) -> int:
    if entry.command == RequestQueue.Command.SERIES_SEARCH:
        return entry.estimated_queries
    return estimated_queries(CommandSpec.from_body(payload))


def _is_empty(entry: RequestQueue, payload: dict) -> bool:
    """Nothing left worth a search: every planned item resolved, deleted or downloading."""
    if payload.get("name") in ("EpisodeSearch", "MoviesSearch"):
        return not (payload.get("episodeIds") or payload.get("movieIds"))
    return not RequestQueueItem.objects.filter(entry=entry).exists()


@dataclass
class Claim:
    entry: RequestQueue | None
    allowance: limits.Allowance
    dropped: int = 0


def _lock_throttles(connector: Connector) -> tuple[ConnectorThrottle, GlobalThrottle]:
    """Lock the connector's throttle row, then the global one when it has a budget to spend.

    Connector lock first, then the global one: the same order in every worker.
    """
    ConnectorThrottle.objects.get_or_create(connector=connector)
    throttle = ConnectorThrottle.objects.select_for_update().get(connector=connector)
    global_throttle = GlobalThrottle.load()
    if global_throttle.daily_budget is not None:
        global_throttle = GlobalThrottle.objects.select_for_update().get(pk=global_throttle.pk)
    return throttle, global_throttle


def _next_entry(
    connector: Connector, now: datetime, allowance: limits.Allowance, downloading
) -> tuple[RequestQueue | None, dict, int, str]:
    """The best due entry that fits the allowance, locked: (entry, payload, dropped, reason).

    Entries left with nothing worth a search (every item resolved or downloading)
    are cancelled on the way.
    """
    dropped = 0
    due = RequestQueue.objects.due(now).filter(connector=connector)
    while True:
        entry = (
            due.filter(estimated_queries__lte=allowance.queries_left)
            .select_for_update(skip_locked=True)
            .first()
        )
        if entry is None:
            return None, {}, dropped, (limits.DAILY_BUDGET if due.exists() else IDLE)
        if downloading is not None:
            dropped += _drop_downloading(entry, downloading)
        payload = entry.live_payload()
        if not _is_empty(entry, payload):
            return entry, payload, dropped, ""
        entry.release(status=RequestQueue.Status.CANCELLED)


def _mark_dispatched(
    entry: RequestQueue, *, connector: Connector, payload: dict, queries: int, now: datetime
) -> None:
    """Items searching, a SearchHistory row, and the entry in flight (no command id yet)."""
    planned = SearchRegistry.objects.filter(queue_links__entry=entry)
    registry_dispatched(planned, now=now)
    items = _snapshot(planned)
    history = SearchHistory.objects.create(
        connector=connector,
        connector_name=connector.name,
        search_type=entry.search_type,
        command_name=payload["name"],
        command_body=payload,
        items=items,
        item_count=len(items),
        dispatched_at=now,
    )
    entry.status = RequestQueue.Status.DISPATCHED
    entry.payload = payload
    entry.dispatched_at = now
    entry.history = history
    entry.command_arr_id = None
    entry.send_interrupted_at = None
    entry.poll_errors = 0
    entry.item_count = len(items)
    entry.estimated_queries = queries
    entry.save(
        update_fields=[
            "status",
            "payload",
            "dispatched_at",
            "history",
            "command_arr_id",
            "send_interrupted_at",
            "poll_errors",
            "item_count",
            "estimated_queries",
            "updated_at",
        ]
    )


def claim_next(
    *,
    connector: Connector,
    now: datetime,
    downloading: Downloading | None = None,
    rng: random.Random | None = None,
) -> Claim:
    """Claim, spend and mark one entry in one transaction; no HTTP in here."""
    with transaction.atomic():
        throttle, global_throttle = _lock_throttles(connector)
        profile = throttle.effective_profile()
        allowance = limits.check(
            throttle, profile=profile, global_throttle=global_throttle, now=now
        )
        if not allowance.ok:
            return Claim(None, allowance)
        entry, payload, dropped, reason = _next_entry(connector, now, allowance, downloading)
        if entry is None:
            return Claim(None, limits.Allowance(False, reason), dropped)
        queries = _queries(entry, payload)
        limits.spend(throttle, profile=profile, entry=entry, queries=queries, now=now, rng=rng)
        _mark_dispatched(entry, connector=connector, payload=payload, queries=queries, now=now)
    return Claim(entry, allowance, dropped)


def record_command(*, entry: RequestQueue, command_arr_id: int) -> bool:
    """Store the app's command id on the entry still in flight (False: recovered meanwhile)."""
    with transaction.atomic():
        updated = RequestQueue.objects.filter(
            pk=entry.pk,
            status=RequestQueue.Status.DISPATCHED,
            command_arr_id__isnull=True,
            history_id=entry.history_id,
        ).update(command_arr_id=command_arr_id, updated_at=timezone.now())
        if updated and entry.history_id:
            SearchHistory.objects.filter(pk=entry.history_id).update(command_arr_id=command_arr_id)
    entry.command_arr_id = command_arr_id
    return bool(updated)


def send(*, entry: RequestQueue, client, now: datetime) -> str:
    """POST a claimed entry's command and record the answer; returns "" or an error text."""
    connector = entry.connector
    payload = dict(entry.payload)
    try:
        command = client.post_command(CommandRequest(name=payload["name"], body=payload))
    except ArrError as err:
        # The error's policy decides: requeue, recover, or a failed command (and any pause).
        failures.command_failed(entry=entry, error=err, now=now)
        return str(err)
    if not record_command(entry=entry, command_arr_id=command.arr_id):
        logger.warning(
            "command recorded after recovery had taken the entry back",
            extra={"connector": connector.name, "entry": entry.pk, "command": command.arr_id},
        )
    control.connector_ok(connector=connector)
    events.emit(
        events.search_dispatched,
        connector=connector,
        entry_id=entry.pk,
        command_name=payload["name"],
        item_count=entry.item_count,
    )
    return ""


def _back_pressure(client, threshold: int) -> tuple[bool, Downloading | None]:
    status = client.queue_status()
    if status.total_count >= threshold:
        return True, None
    return False, (_downloading(client) if status.total_count else Downloading())


def _note_back_pressure(throttle: ConnectorThrottle, *, full: bool, now: datetime) -> None:
    """Remember a full download queue for the read side (one write when it changes)."""
    if full and throttle.back_pressure_at is None:
        ConnectorThrottle.objects.filter(pk=throttle.pk).update(back_pressure_at=now)
    elif not full and throttle.back_pressure_at is not None:
        ConnectorThrottle.objects.filter(pk=throttle.pk).update(back_pressure_at=None)


def dispatch_connector(
    *,
    connector: Connector,
    client,
    now: datetime | None = None,
    limit: int = MAX_PER_TICK,
    rng: random.Random | None = None,
) -> DispatchResult:
    """Send this connector as many due entries as its limits allow right now."""
    fixed_now = now
    now = now or timezone.now()
    result = DispatchResult(connector=connector.name)
    if not connector.is_usable:
        result.blocked = UNUSABLE
        return result
    throttle = ConnectorThrottle.for_connector(connector)
    profile = throttle.effective_profile()
    allowance = limits.check(
        throttle, profile=profile, global_throttle=GlobalThrottle.load(), now=now
    )
    if not allowance.ok:
        result.blocked, result.retry_at = allowance.reason, allowance.retry_at
        return result
    if not RequestQueue.objects.due(now).filter(connector=connector).exists():
        result.blocked = IDLE
        return result
    try:
        full, downloading = _back_pressure(client, profile.queue_threshold)
    except ArrError as err:
        failures.connector_failed(connector=connector, error=err, now=now)
        result.blocked = CONNECTOR_DOWN
        result.errors.append(str(err))
        return result
    _note_back_pressure(throttle, full=full, now=now)
    if full:
        result.blocked = BACK_PRESSURE
        return result
    while result.dispatched < limit:
        # Real runs read the clock per command (the spacing limits depend on it).
        now = fixed_now or timezone.now()
        claim = claim_next(connector=connector, now=now, downloading=downloading, rng=rng)
        result.dropped_downloading += claim.dropped
        if claim.entry is None:
            result.blocked, result.retry_at = claim.allowance.reason, claim.allowance.retry_at
            break
        error = send(entry=claim.entry, client=client, now=now)
        if error:
            result.errors.append(error)
            result.blocked = CONNECTOR_DOWN
            break
        result.dispatched += 1
        result.entry_ids.append(claim.entry.pk)
    return result
