"""Each season's plan in words (searchstate.season_plans), from the sweep's own decision."""

from __future__ import annotations

from datetime import timedelta

import pytest

from searchstate.models import SearchRegistry, SearchSettings, SeasonPackSearch
from searchstate.season_plans import series_plans, thresholds_text
from searchstate.seasonpack import PackSettings
from searchstate.why import why
from tests.searchstate import builders as b
from tests.searchstate.builders import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def show():
    conn = b.connector()
    show = b.series(conn, "The Expanse")
    b.episodes(show, 1, 10, has_file=1)  # 9 of 10 missing
    b.episodes(show, 2, 10, has_file=8)  # 2 of 10 missing
    return show


def pack_search(show, season: int, *, days_ago: int, outcome: str) -> None:
    SeasonPackSearch.objects.create(
        connector=show.connector,
        series=show,
        season_number=season,
        last_searched_at=NOW - timedelta(days=days_ago),
        last_outcome=outcome,
    )


def test_threshold_words():
    assert thresholds_text(PackSettings(min_missing=5, min_ratio=0.5)) == (
        "5 episodes or 50% of the season"
    )
    assert thresholds_text(PackSettings(min_missing=1, min_ratio=0.333)) == (
        "1 episode or 33% of the season"
    )


def test_pack_and_below_threshold(show):
    plans = series_plans(show, now=NOW)
    assert plans.of(1).text == (
        "Searched as a season pack: 9 of 10 episodes missing "
        "(threshold: 5 episodes or 50% of the season)"
    )
    assert plans.of(1).to_search == 9
    assert plans.of(2).text == (
        "Episodes one by one: 2 of 10 episodes missing, below the pack threshold "
        "(5 episodes or 50% of the season)"
    )
    assert plans.of(7).text == "Nothing missing"  # a season the series does not have
    assert not plans.whole_series


def test_agrees_with_why(show):
    episode = show.episodes.get(season_number=1, episode_number=5)
    assert why(episode, now=NOW, downloading=frozenset()).plan == (
        "season pack search (threshold_met)"
    )
    other = show.episodes.get(season_number=2, episode_number=10)
    assert why(other, now=NOW, downloading=frozenset()).plan == (
        "episode search, not a pack (below_threshold)"
    )


@pytest.mark.parametrize(
    ("days_ago", "outcome", "words"),
    [
        (
            3,
            "no_results",
            "Waiting for the pack cooldown: the season pack search of 2026-11-23 12:00 found "
            "nothing; its episodes are searched one by one after 2026-11-30 12:00",
        ),
        (
            3,
            "grabbed",
            "Episodes one by one: the season pack search of 2026-11-23 12:00 (grabbed) is in "
            "cooldown until 2026-11-30 12:00",
        ),
        (
            9,
            "no_results",
            "Episodes one by one: the season pack search of 2026-11-17 12:00 found nothing",
        ),
        (9, "failed", "Episodes one by one: the last season pack search (2026-11-17 12:00) failed"),
    ],
)
def test_pack_history_in_words(show, settings, days_ago, outcome, words):
    settings.TIME_ZONE = "UTC"
    pack_search(show, 1, days_ago=days_ago, outcome=outcome)
    assert series_plans(show, now=NOW).of(1).text == words


def test_packs_switched_off_or_impossible(show):
    SearchSettings.objects.create(connector=show.connector, season_packs_enabled=False)
    plans = series_plans(show, now=NOW)
    assert plans.of(1).text == (
        "Episodes one by one: season packs are switched off in the search settings"
    )
    site = b.connector("Sites", "whisparr", app_version="2.0.0.819")
    scenes = b.series(site, "Some Site")
    b.episodes(scenes, 2024, 8, episode_number=None)
    assert series_plans(scenes, now=NOW).of(2024).detail.endswith("has no season packs")


def test_nothing_to_search_says_what_holds_the_episodes_back(show):
    for ep in show.episodes.filter(season_number=2, has_file=False):
        SearchRegistry.objects.create(
            connector=show.connector, search_type="gap", episode=ep, state="exhausted"
        )
    b.episode(show, season_number=3, monitored=False)
    plans = series_plans(show, now=NOW)
    assert plans.of(2).text == "Nothing to search now: 2 exhausted"
    assert plans.of(3).text == "Nothing to search now: 1 not monitored"


def test_still_airing_and_specials(show):
    b.episodes(show, 3, 4)
    b.episode(show, season_number=3, aired=NOW + timedelta(days=2), episode_number=None)
    b.episodes(show, 0, 3)
    plans = series_plans(show, now=NOW)
    assert plans.of(3).text == "Episodes one by one: the season is still airing (1 not aired yet)"
    assert plans.of(0).text == "Episodes one by one: specials are never searched as a pack"


def test_whole_series(db):
    conn = b.connector()
    show = b.series(conn, "Firefly")
    b.episodes(show, 1, 6)
    b.episodes(show, 2, 6)
    assert series_plans(show, now=NOW).whole_series
    SearchSettings.objects.create(connector=conn, series_search_enabled=False)
    assert not series_plans(show, now=NOW).whole_series


def test_a_disabled_connector_holds_every_missing_episode(show):
    show.connector.enabled = False
    show.connector.save()
    assert series_plans(show, now=NOW).of(1).text == (
        "Nothing to search now: 9 waiting for the connector (disabled or unhealthy)"
    )
