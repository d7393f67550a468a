from datetime import UTC, datetime, timedelta

import pytest

from searchstate.seasonpack import (
    Decision,
    PackHistory,
    PackReason,
    PackSettings,
    Plan,
    SeasonFacts,
    decide,
    whole_series,
)

NOW = datetime(2026, 11, 26, tzinfo=UTC)
DAY = timedelta(days=1)


def season(**kw):
    base = {"season_number": 2, "episode_count": 10, "missing": 10}
    base.update(kw)
    return SeasonFacts(**base)


CASES = [
    # (id, season, history, settings, plan, reason)
    ("fully missing aired season", season(), None, None, Plan.PACK, PackReason.THRESHOLD_MET),
    ("nothing missing", season(missing=0), None, None, Plan.NOTHING, PackReason.NOTHING_MISSING),
    (
        "packs switched off",
        season(),
        None,
        PackSettings(enabled=False),
        Plan.EPISODES,
        PackReason.PACKS_OFF,
    ),
    (
        "specials never pack",
        season(season_number=0),
        None,
        None,
        Plan.EPISODES,
        PackReason.SPECIALS,
    ),
    (
        "next airing in future",
        season(next_airing=NOW + DAY),
        None,
        None,
        Plan.EPISODES,
        PackReason.STILL_AIRING,
    ),
    ("an episode not aired", season(unaired=1), None, None, Plan.EPISODES, PackReason.STILL_AIRING),
    (
        "stale next airing in the past",
        season(next_airing=NOW - DAY),
        None,
        None,
        Plan.PACK,
        PackReason.THRESHOLD_MET,
    ),
    (
        "one already downloading",
        season(downloading=1),
        None,
        None,
        Plan.EPISODES,
        PackReason.DOWNLOADING,
    ),
    (
        "pack found nothing, in cooldown: wait, then the hybrid",
        season(),
        PackHistory(NOW - 6 * DAY, "no_results"),
        None,
        Plan.WAIT,
        PackReason.PACK_COOLDOWN,
    ),
    (
        "pack grabbed, in cooldown: what is left one by one",
        season(),
        PackHistory(NOW - 2 * DAY, "grabbed"),
        None,
        Plan.EPISODES,
        PackReason.PACK_COOLDOWN,
    ),
    (
        "pack failed, in cooldown: episodes at once",
        season(),
        PackHistory(NOW - 2 * DAY, "failed"),
        None,
        Plan.EPISODES,
        PackReason.PACK_COOLDOWN,
    ),
    (
        "pack cooldown is configurable",
        season(),
        PackHistory(NOW - 2 * DAY, "grabbed"),
        PackSettings(cooldown=DAY),
        Plan.PACK,
        PackReason.THRESHOLD_MET,
    ),
    (
        "pack failed last time",
        season(),
        PackHistory(NOW - 8 * DAY, "failed"),
        None,
        Plan.EPISODES,
        PackReason.PACK_FAILED,
    ),
    (
        "hybrid: pack found nothing, cooled down",
        season(),
        PackHistory(NOW - 8 * DAY, "no_results"),
        None,
        Plan.EPISODES,
        PackReason.PACK_FOUND_NOTHING,
    ),
    (
        "pack grabbed but some still missing after cooldown",
        season(missing=6),
        PackHistory(NOW - 8 * DAY, "grabbed"),
        None,
        Plan.PACK,
        PackReason.THRESHOLD_MET,
    ),
    (
        "exactly 50%",
        season(episode_count=10, missing=5),
        None,
        PackSettings(min_missing=99),
        Plan.PACK,
        PackReason.THRESHOLD_MET,
    ),
    (
        "just below 50%, 4 missing",
        season(episode_count=10, missing=4),
        None,
        None,
        Plan.EPISODES,
        PackReason.BELOW_THRESHOLD,
    ),
    (
        "5 of 24: count threshold",
        season(episode_count=24, missing=5),
        None,
        None,
        Plan.PACK,
        PackReason.THRESHOLD_MET,
    ),
    (
        "4 of 24: neither",
        season(episode_count=24, missing=4),
        None,
        None,
        Plan.EPISODES,
        PackReason.BELOW_THRESHOLD,
    ),
    (
        "1 of 2: ratio",
        season(episode_count=2, missing=1),
        None,
        None,
        Plan.PACK,
        PackReason.THRESHOLD_MET,
    ),
    (
        "empty season count",
        season(episode_count=0, missing=1),
        None,
        None,
        Plan.PACK,
        PackReason.THRESHOLD_MET,
    ),
]


@pytest.mark.parametrize(
    ("facts", "history", "settings", "plan", "reason"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_decision_tree(facts, history, settings, plan, reason):
    decision = decide(facts, history, settings=settings, now=NOW)
    assert decision == Decision(plan, reason)


def test_order_airing_beats_threshold_and_cooldown():
    d = decide(season(unaired=2), PackHistory(NOW, "no_results"), now=NOW)
    assert d.reason == PackReason.STILL_AIRING


def test_whole_series():
    pack = Decision(Plan.PACK, PackReason.THRESHOLD_MET)
    eps = Decision(Plan.EPISODES, PackReason.BELOW_THRESHOLD)
    assert whole_series({1: pack, 2: pack}, aired_seasons={0, 1, 2})
    assert not whole_series({1: pack, 2: eps}, aired_seasons={1, 2})
    assert not whole_series({1: pack}, aired_seasons={1, 2})  # season 2 has nothing to search
    assert not whole_series({1: pack}, aired_seasons={1})  # a single season is a SeasonSearch
