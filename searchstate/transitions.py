"""The search state machine, as a table of events.

``pending -> queued -> searching -> cooldown -> (eligible again) -> queued ...``;
``searching -> exhausted`` after max attempts; ``searching -> failed -> cooldown``.
Manual actions (search now, exhaust, reset) are events too, so every change of
state goes through :func:`next_state` and an illegal one raises
:class:`IllegalTransition`. The database side (conditional UPDATEs over many
rows) lives in :mod:`searchstate.services`; it uses :func:`sources_for` to
build its ``state__in`` filter, so both sides read this one table.
"""

from __future__ import annotations

from enum import StrEnum

from searchstate.states import SearchState as S


class Event(StrEnum):
    #: The planner put the item into a queue entry.
    ENQUEUE = "enqueue"
    #: A dispatcher claimed the entry and posted the command.
    DISPATCH = "dispatch"
    #: The command finished (grabbed or no results): wait before trying again.
    COMPLETE = "complete"
    #: The command finished without results and the item reached max attempts.
    EXHAUST = "exhaust"
    #: The command failed (indexer error, timeout, rate limit).
    FAIL = "fail"
    #: A failed item starts its cooldown.
    COOL_DOWN = "cool_down"
    #: Connector error before anything was searched: back in the queue, no attempt counted.
    REQUEUE = "requeue"
    #: The queue entry was removed or the queue cleared.
    DEQUEUE = "dequeue"
    #: Manual: search this now, ignoring cooldown and exhaustion.
    SEARCH_NOW = "search_now"
    #: Manual: stop searching this item.
    MARK_EXHAUSTED = "mark_exhausted"
    #: Manual: forget attempts and cooldown; re-evaluate at the next sweep.
    RESET = "reset"


class IllegalTransition(Exception):
    """An event was applied to a state that does not allow it."""

    def __init__(self, state: str, event: str) -> None:
        super().__init__(f"cannot {event} an item that is {state}")
        self.state = state
        self.event = event


#: event -> (states it may start from, state it leads to)
TRANSITIONS: dict[Event, tuple[frozenset[S], S]] = {
    # A failed item whose cooldown has run out is planned again like a cooled-down one.
    Event.ENQUEUE: (frozenset({S.PENDING, S.COOLDOWN, S.FAILED}), S.QUEUED),
    Event.DISPATCH: (frozenset({S.QUEUED}), S.SEARCHING),
    Event.COMPLETE: (frozenset({S.SEARCHING}), S.COOLDOWN),
    Event.EXHAUST: (frozenset({S.SEARCHING}), S.EXHAUSTED),
    Event.FAIL: (frozenset({S.SEARCHING}), S.FAILED),
    Event.COOL_DOWN: (frozenset({S.FAILED}), S.COOLDOWN),
    Event.REQUEUE: (frozenset({S.SEARCHING}), S.QUEUED),
    Event.DEQUEUE: (frozenset({S.QUEUED}), S.PENDING),
    Event.SEARCH_NOW: (
        frozenset({S.PENDING, S.COOLDOWN, S.FAILED, S.EXHAUSTED}),
        S.QUEUED,
    ),
    Event.MARK_EXHAUSTED: (
        frozenset({S.PENDING, S.QUEUED, S.COOLDOWN, S.FAILED}),
        S.EXHAUSTED,
    ),
    # Not from searching: a command is in flight and its outcome will land on the row.
    Event.RESET: (
        frozenset({S.PENDING, S.QUEUED, S.COOLDOWN, S.FAILED, S.EXHAUSTED}),
        S.PENDING,
    ),
}


def next_state(state: str, event: Event | str) -> S:
    """The state ``event`` leads to from ``state``; raises IllegalTransition otherwise."""
    try:
        ev = Event(event)
    except ValueError:
        raise IllegalTransition(state, str(event)) from None
    sources, target = TRANSITIONS[ev]
    if state not in sources:
        raise IllegalTransition(state, ev.value)
    return target


def sources_for(event: Event | str) -> frozenset[S]:
    """States ``event`` may be applied to (for ``state__in`` filters)."""
    return TRANSITIONS[Event(event)][0]


def is_legal(state: str, event: Event | str) -> bool:
    try:
        next_state(state, event)
    except IllegalTransition:
        return False
    return True
