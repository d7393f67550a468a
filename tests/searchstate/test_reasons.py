from searchstate.reasons import GATE_ORDER, Reason, first_reason


def test_every_reason_but_selected_is_a_gate():
    assert set(GATE_ORDER) == set(Reason) - {Reason.SELECTED}


def test_first_reason_is_the_most_fundamental():
    assert first_reason(set()) == Reason.SELECTED
    assert first_reason({Reason.COOLDOWN, Reason.UNMONITORED}) == Reason.UNMONITORED
    assert first_reason({Reason.BUDGET_USED, Reason.IN_DOWNLOAD_QUEUE}) == Reason.IN_DOWNLOAD_QUEUE
    assert first_reason({Reason.HAS_FILE, Reason.CONNECTOR_UNUSABLE}) == Reason.CONNECTOR_UNUSABLE


def test_every_gate_has_its_own_words_in_why():
    """why's explainer table covers every gate, so no reason falls back to its bare label."""
    from searchstate.why import _DETAILS

    assert set(GATE_ORDER) | {Reason.SELECTED} <= set(_DETAILS)
