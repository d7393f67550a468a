"""What happens to a dispatched entry's items when its command ends, by outcome.

Each function takes the entry in flight, locks it and checks it is still in
flight (so two pollers record an outcome once), moves its items, completes the
SearchHistory row, releases the entry and emits the domain events on commit.

* grabbed: grabbed items -> cooldown awaiting import (profile.grab_cooldown_hours,
  24 h by default); the sync or a webhook then resolves them, and an item whose
  grab never imports becomes eligible again when that cooldown ends. The
  entry's other items count as "no results".
* no results: attempts + 1, cooldown with exponential backoff (searchstate's
  cooldown_delay: base cooldown, fresh-item cooldown, cap), exhausted at max
  attempts (items_exhausted event).
* command failed / timed out: failed -> cooldown for the standard cooldown,
  no attempt counted (the indexers were not asked properly).
* rate limited: like failed, but the cooldown lasts at least until the
  connector's pause ends.
* connector error / API key rejected: nothing was searched: items go back to
  queued, the search is not counted, the entry is queued again for when the
  connector's pause ends, and its throttle spend is refunded.

Rows the command covered without the entry having planned them (a pack's
upgrade rows) are credited with a cooldown (registry_credit_covered).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import F, Q

from comradarr import events
from content.models import Series
from queueing import throttle as limits
from queueing.models import ConnectorThrottle, RequestQueue
from searchstate.models import SearchHistory, SearchRegistry, SearchSettings
from searchstate.services import (
    registry_apply,
    registry_completed,
    registry_credit_covered,
    registry_rows_covered,
    season_pack_record,
)
from searchstate.states import FailureCategory, PackOutcome, SearchState
from searchstate.transitions import Event

Outcome = SearchHistory.Outcome


def _lock_in_flight(entry: RequestQueue) -> RequestQueue | None:
    return (
        RequestQueue.objects.select_for_update()
        .select_related("connector")
        .filter(pk=entry.pk, status=RequestQueue.Status.DISPATCHED)
        .first()
    )


def _planned(entry: RequestQueue):
    return SearchRegistry.objects.filter(queue_links__entry=entry)


def _finish_history(
    entry: RequestQueue,
    *,
    outcome: str,
    message: str,
    now: datetime,
    grabbed: int = 0,
    grabbed_arr_ids: set[int] | None = None,
) -> SearchHistory | None:
    """Complete the history row. ``grabbed_arr_ids`` (a completed command) marks each
    searched item grabbed or not, so an item's page tells its own outcome from its batch's."""
    if entry.history_id is None:
        return None
    history = SearchHistory.objects.filter(pk=entry.history_id).first()
    if history is None:
        return None
    history.outcome = outcome
    history.message = message[:2000]
    history.items_grabbed = grabbed
    history.completed_at = now
    history.duration_seconds = (
        (now - entry.dispatched_at).total_seconds() if entry.dispatched_at else None
    )
    history.command_arr_id = entry.command_arr_id
    fields = [
        "outcome", "message", "items_grabbed", "completed_at", "duration_seconds",
        "command_arr_id",
    ]  # fmt: skip
    if grabbed_arr_ids is not None:
        history.items = [
            {**i, "grabbed": i.get("arr_id") in grabbed_arr_ids} for i in history.items
        ]
        fields.append("items")
    history.save(update_fields=fields)
    return history


def _pack(entry: RequestQueue, outcome: str, settings: SearchSettings, now: datetime) -> None:
    if entry.command != RequestQueue.Command.SEASON_SEARCH or entry.season_number is None:
        return
    series = Series.objects.filter(connector=entry.connector, arr_id=entry.series_arr_id).first()
    if series is not None:
        season_pack_record(
            series=series,
            season_number=entry.season_number,
            outcome=outcome,
            settings=settings,
            now=now,
        )


def _announce_completed(
    entry: RequestQueue,
    history: SearchHistory | None,
    outcome: str,
    grabbed: set[int] = frozenset(),
) -> None:
    """Emit the outcome's events inside the caller's transaction, so their outbox
    rows commit (or roll back) with the outcome itself."""
    if history is None:
        return
    connector = entry.connector
    events.emit(events.search_completed, connector=connector, history=history, outcome=outcome)
    if outcome == Outcome.GRABBED:
        titles = [i.get("title", "") for i in history.items if i.get("arr_id") in grabbed]
        events.emit(events.items_grabbed, connector=connector, history=history, items=titles)


def outcome_completed(
    *, entry: RequestQueue, grabbed_arr_ids: Iterable[int], message: str, now: datetime
) -> SearchHistory | None:
    """The command completed: grabbed items wait for their import, the others back off."""
    grabbed_ids = set(grabbed_arr_ids)
    with transaction.atomic():
        locked = _lock_in_flight(entry)
        if locked is None:
            return None
        connector = locked.connector
        settings = SearchSettings.for_connector(connector)
        profile = ConnectorThrottle.for_connector(connector).effective_profile()
        planned = _planned(locked)
        body = locked.payload
        covered = registry_rows_covered(connector=connector, body=body)
        is_grab = Q(episode__arr_id__in=grabbed_ids) | Q(movie__arr_id__in=grabbed_ids)
        grabbed_rows = planned.filter(is_grab, state=SearchState.SEARCHING)
        grabbed = registry_apply(
            SearchRegistry.objects.filter(pk__in=list(grabbed_rows.values_list("pk", flat=True))),
            Event.COMPLETE,
            failure_category="",
            next_eligible_at=now + timedelta(hours=profile.grab_cooldown_hours),
        )
        registry_completed(planned.exclude(is_grab), found_nothing=True, settings=settings, now=now)
        registry_credit_covered(
            covered.exclude(pk__in=planned.values("pk")), settings=settings, now=now
        )
        # A pack counts as grabbed when any of the season's episodes was.
        any_grab = bool(grabbed) or covered.filter(is_grab).exists()
        _pack(locked, PackOutcome.GRABBED if any_grab else PackOutcome.NO_RESULTS, settings, now)
        outcome = Outcome.GRABBED if any_grab else Outcome.NO_RESULTS
        history = _finish_history(
            locked,
            outcome=outcome,
            message=message,
            now=now,
            grabbed=grabbed or (1 if any_grab else 0),
            grabbed_arr_ids=grabbed_ids,
        )
        locked.release(status=RequestQueue.Status.DONE)
        _announce_completed(locked, history, outcome, grabbed_ids)
    return history


def outcome_failed(
    *,
    entry: RequestQueue,
    outcome: str,
    message: str,
    now: datetime,
    cooldown_until: datetime | None = None,
) -> SearchHistory | None:
    """Failed, timed out or rate limited: failed -> cooldown, no attempt counted."""
    category = {
        Outcome.FAILED: FailureCategory.INDEXER_ERROR,
        Outcome.TIMEOUT: FailureCategory.TIMEOUT,
        Outcome.RATE_LIMITED: FailureCategory.RATE_LIMITED,
    }[outcome]
    with transaction.atomic():
        locked = _lock_in_flight(entry)
        if locked is None:
            return None
        settings = SearchSettings.for_connector(locked.connector)
        standard = now + timedelta(hours=settings.cooldown_hours)
        until = max(standard, cooldown_until) if cooldown_until else standard
        planned = _planned(locked)
        registry_apply(planned, Event.FAIL, failure_category=category)
        registry_apply(planned, Event.COOL_DOWN, next_eligible_at=until)
        _pack(locked, PackOutcome.FAILED, settings, now)
        history = _finish_history(locked, outcome=outcome, message=message, now=now)
        locked.release(status=RequestQueue.Status.DONE)
        _announce_completed(locked, history, outcome)
    return history


def outcome_requeue(
    *, entry: RequestQueue, outcome: str, message: str, now: datetime, retry_at: datetime
) -> SearchHistory | None:
    """Nothing was searched (connector error, key rejected): queue everything again."""
    with transaction.atomic():
        locked = _lock_in_flight(entry)
        if locked is None:
            return None
        registry_apply(
            _planned(locked),
            Event.REQUEUE,
            search_count=F("search_count") - 1,
            failure_category=FailureCategory.CONNECTOR_ERROR,
        )
        if locked.dispatched_at is not None:
            limits.refund(entry=locked, dispatched_at=locked.dispatched_at)
        history = _finish_history(locked, outcome=outcome, message=message, now=now)
        RequestQueue.objects.filter(pk=locked.pk).update(
            status=RequestQueue.Status.QUEUED,
            scheduled_at=max(retry_at, locked.scheduled_at),
            command_arr_id=None,
            dispatched_at=None,
            history=None,
            poll_errors=0,
            updated_at=now,
        )
        _announce_completed(locked, history, outcome)
    return history
