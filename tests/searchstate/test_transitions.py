import pytest

from searchstate.states import SearchState as S
from searchstate.transitions import (
    TRANSITIONS,
    Event,
    IllegalTransition,
    is_legal,
    next_state,
    sources_for,
)

LEGAL = [
    (S.PENDING, Event.ENQUEUE, S.QUEUED),
    (S.COOLDOWN, Event.ENQUEUE, S.QUEUED),
    (S.FAILED, Event.ENQUEUE, S.QUEUED),
    (S.QUEUED, Event.DISPATCH, S.SEARCHING),
    (S.SEARCHING, Event.COMPLETE, S.COOLDOWN),
    (S.SEARCHING, Event.EXHAUST, S.EXHAUSTED),
    (S.SEARCHING, Event.FAIL, S.FAILED),
    (S.FAILED, Event.COOL_DOWN, S.COOLDOWN),
    (S.SEARCHING, Event.REQUEUE, S.QUEUED),
    (S.QUEUED, Event.DEQUEUE, S.PENDING),
    (S.PENDING, Event.SEARCH_NOW, S.QUEUED),
    (S.COOLDOWN, Event.SEARCH_NOW, S.QUEUED),
    (S.FAILED, Event.SEARCH_NOW, S.QUEUED),
    (S.EXHAUSTED, Event.SEARCH_NOW, S.QUEUED),
    (S.PENDING, Event.MARK_EXHAUSTED, S.EXHAUSTED),
    (S.QUEUED, Event.MARK_EXHAUSTED, S.EXHAUSTED),
    (S.COOLDOWN, Event.MARK_EXHAUSTED, S.EXHAUSTED),
    (S.FAILED, Event.MARK_EXHAUSTED, S.EXHAUSTED),
    (S.PENDING, Event.RESET, S.PENDING),
    (S.QUEUED, Event.RESET, S.PENDING),
    (S.COOLDOWN, Event.RESET, S.PENDING),
    (S.FAILED, Event.RESET, S.PENDING),
    (S.EXHAUSTED, Event.RESET, S.PENDING),
]


@pytest.mark.parametrize(("state", "event", "expected"), LEGAL)
def test_legal_transitions(state, event, expected):
    assert next_state(state, event) == expected
    assert is_legal(state, event)


ILLEGAL = [
    (state, event)
    for event in Event
    for state in S
    if (state, event) not in {(s, e) for s, e, _ in LEGAL}
]


def test_table_and_legal_list_agree():
    # Every table entry is listed above, so a new edge cannot slip in untested.
    from_table = {(s, e) for e, (sources, _) in TRANSITIONS.items() for s in sources}
    assert from_table == {(s, e) for s, e, _ in LEGAL}


@pytest.mark.parametrize(("state", "event"), ILLEGAL)
def test_illegal_transitions_raise(state, event):
    with pytest.raises(IllegalTransition) as info:
        next_state(state, event)
    assert info.value.state == state
    assert not is_legal(state, event)


@pytest.mark.parametrize(
    ("state", "event"),
    [
        (S.SEARCHING, Event.ENQUEUE),  # a search in flight cannot be planned again
        (S.EXHAUSTED, Event.ENQUEUE),  # only a manual search-now revives it
        (S.SEARCHING, Event.RESET),  # the outcome is still to land
        (S.COOLDOWN, Event.DISPATCH),
        (S.PENDING, Event.COMPLETE),
    ],
)
def test_notable_illegal_cases(state, event):
    with pytest.raises(IllegalTransition):
        next_state(state, event)


@pytest.mark.parametrize("bad", ["", "teleport", None, 3])
def test_unknown_events_and_states(bad):
    with pytest.raises(IllegalTransition):
        next_state(S.PENDING, bad)
    with pytest.raises(IllegalTransition):
        next_state(bad, Event.ENQUEUE)


def test_sources_for():
    assert sources_for("dispatch") == {S.QUEUED}
    assert S.SEARCHING not in sources_for(Event.RESET)
