from datetime import UTC, datetime, timedelta

import pytest

from searchstate.priority import PriorityInputs, Weights, effective_user_priority, score
from searchstate.states import SearchType

NOW = datetime(2026, 11, 26, tzinfo=UTC)


def s(**kw):
    base = {"search_type": SearchType.GAP, "released_at": NOW - timedelta(days=30)}
    base.update(kw)
    return score(PriorityInputs(**base), now=NOW).total


def test_gaps_rank_above_upgrades():
    assert s() > s(search_type=SearchType.UPGRADE)


def test_newer_content_ranks_higher():
    assert s(released_at=NOW - timedelta(days=2)) > s(released_at=NOW - timedelta(days=900))


def test_long_missing_ranks_lower():
    assert s(first_selected_at=NOW - timedelta(days=200)) < s(first_selected_at=NOW)


def test_each_failed_attempt_lowers_until_the_cap():
    scores = [s(attempts=n) for n in range(0, 12)]
    assert scores == sorted(scores, reverse=True)
    assert scores[0] > scores[1] > scores[5]
    assert scores[10] == scores[11]  # capped


def test_user_override_and_inheritance():
    assert s(item_priority=50) > s()
    assert s(series_priority=50) > s()
    # the item's own value wins over its series'
    assert s(item_priority=-20, series_priority=80) < s()
    assert effective_user_priority(None, 7) == 7
    assert effective_user_priority(0, 7) == 0
    assert effective_user_priority(10_000, None) == 100
    assert effective_user_priority(None, -10_000) == -100


def test_breakdown_adds_up_and_explains():
    sc = score(
        PriorityInputs(
            search_type=SearchType.GAP,
            released_at=NOW - timedelta(days=365),
            first_selected_at=NOW - timedelta(days=10),
            attempts=2,
            item_priority=10,
        ),
        now=NOW,
    )
    assert set(sc.parts) == {
        "base",
        "recency",
        "missing_age",
        "attempts",
        "user",
        "findability",
        "unreleased",
    }
    assert sc.total == round(sum(sc.parts.values()))
    assert sc.parts["recency"] == pytest.approx(150, abs=0.01)  # one half-life
    assert sc.parts["attempts"] == -100
    assert "base +1000" in sc.explain()


def test_weights_are_configurable():
    no_recency = Weights(recency=0)
    a = score(PriorityInputs(SearchType.GAP, NOW - timedelta(days=1)), now=NOW, weights=no_recency)
    b = score(
        PriorityInputs(SearchType.GAP, NOW - timedelta(days=999)), now=NOW, weights=no_recency
    )
    assert a.total == b.total
    upgrades_first = Weights(gap_base=0, upgrade_base=2000)
    assert score(
        PriorityInputs(SearchType.UPGRADE, None), now=NOW, weights=upgrades_first
    ).total > (score(PriorityInputs(SearchType.GAP, None), now=NOW, weights=upgrades_first).total)


def test_unknown_release_date_and_future_dates():
    assert score(PriorityInputs(SearchType.GAP, None), now=NOW).parts["recency"] == 0
    future = score(PriorityInputs(SearchType.GAP, NOW + timedelta(days=3)), now=NOW)
    assert future.parts["recency"] == 300  # no bonus beyond "brand new"


@pytest.mark.parametrize(
    "weights",
    [Weights(), Weights(user=50.0, recency=2000.0, attempt_penalty_cap=900.0)],
    ids=["default", "retuned"],
)
def test_unreleased_ranks_after_every_released_gap(weights):
    """The best an unreleased movie can score stays below the worst released gap."""
    best_unreleased = score(
        PriorityInputs(SearchType.GAP, NOW, item_priority=100, released=False),
        now=NOW,
        weights=weights,
    )
    worst_released = score(
        PriorityInputs(
            SearchType.GAP,
            NOW - timedelta(days=50 * 365),
            first_selected_at=NOW - timedelta(days=5 * 365),
            attempts=100,
            item_priority=-100,
        ),
        now=NOW,
        weights=weights,
    )
    assert best_unreleased.total < worst_released.total
    assert best_unreleased.parts["unreleased"] < 0
    assert worst_released.parts["unreleased"] == 0
