from datetime import date, timedelta

import pytest

from content.models import Episode, Season
from searchstate.discovery import DiscoveryContext, annotated, discover
from searchstate.models import Exclusion, SearchRegistry, SearchSettings
from searchstate.reasons import Reason
from searchstate.states import SearchState, SearchType
from tests.searchstate import builders as b
from tests.searchstate.builders import NOW

pytestmark = pytest.mark.django_db


def ctx(conn, **kw):
    settings = kw.pop("settings", None) or SearchSettings(connector=conn)
    return DiscoveryContext(connector=conn, settings=settings, now=NOW, **kw)


def reasons(context, search_type=SearchType.GAP):
    return {row.pk: row.reason for row in annotated(context, search_type)}


def test_episode_gap_gates_one_by_one():
    conn = b.connector()
    show = b.series(conn)
    ok = b.episode(show)
    unmonitored = b.episode(show, monitored=False)
    tba = b.episode(show, aired=None)
    future = b.episode(show, aired=NOW + timedelta(days=1))
    grace = b.episode(show, aired=NOW - timedelta(hours=2))
    has_file = b.episode(show, has_file=1)
    downloading = b.episode(show)
    excluded = b.episode(show)
    Exclusion.objects.create(connector=conn, episode=excluded)
    exhausted = b.episode(show)
    SearchRegistry.objects.create(
        connector=conn, episode=exhausted, search_type="gap", state=SearchState.EXHAUSTED
    )
    cooling = b.episode(show)
    SearchRegistry.objects.create(
        connector=conn,
        episode=cooling,
        search_type="gap",
        state=SearchState.COOLDOWN,
        last_searched_at=NOW - timedelta(hours=1),
        next_eligible_at=NOW + timedelta(hours=5),
    )
    cooled = b.episode(show)
    SearchRegistry.objects.create(
        connector=conn,
        episode=cooled,
        search_type="gap",
        state=SearchState.COOLDOWN,
        last_searched_at=NOW - timedelta(days=3),
        next_eligible_at=NOW - timedelta(hours=1),
    )
    queued = b.episode(show)
    SearchRegistry.objects.create(
        connector=conn, episode=queued, search_type="gap", state=SearchState.QUEUED
    )
    arr_searched = b.episode(show, last_search_time=NOW - timedelta(hours=3))

    got = reasons(ctx(conn, downloading=frozenset({downloading.arr_id})))
    assert got == {
        ok.pk: Reason.SELECTED,
        unmonitored.pk: Reason.UNMONITORED,
        tba.pk: Reason.NOT_AIRED,
        future.pk: Reason.NOT_AIRED,
        grace.pk: Reason.IN_GRACE_PERIOD,
        has_file.pk: Reason.HAS_FILE,
        downloading.pk: Reason.IN_DOWNLOAD_QUEUE,
        excluded.pk: Reason.EXCLUDED,
        exhausted.pk: Reason.EXHAUSTED,
        cooling.pk: Reason.COOLDOWN,
        cooled.pk: Reason.SELECTED,
        queued.pk: Reason.IN_PROGRESS,
        arr_searched.pk: Reason.COOLDOWN,
    }


def test_monitoring_at_series_and_season_level():
    conn = b.connector()
    off_series = b.series(conn, monitored=False)
    a = b.episode(off_series)
    show = b.series(conn)
    b.season(show, 2, monitored=False)
    c = b.episode(show, season_number=2)
    d = b.episode(show, season_number=1)
    got = reasons(ctx(conn))
    assert got[a.pk] == Reason.UNMONITORED
    assert got[c.pk] == Reason.UNMONITORED
    assert got[d.pk] == Reason.SELECTED


def test_excluding_a_series_excludes_its_episodes():
    conn = b.connector()
    show = b.series(conn)
    e = b.episode(show)
    Exclusion.objects.create(connector=conn, series=show)
    assert reasons(ctx(conn))[e.pk] == Reason.EXCLUDED


def test_grace_period_is_configurable():
    conn = b.connector()
    show = b.series(conn)
    e = b.episode(show, aired=NOW - timedelta(hours=3))
    assert reasons(ctx(conn))[e.pk] == Reason.IN_GRACE_PERIOD
    zero = SearchSettings(connector=conn, grace_period_hours=0)
    assert reasons(ctx(conn, settings=zero))[e.pk] == Reason.SELECTED


@pytest.mark.parametrize(
    ("release", "grace_hours", "expected"),
    [
        (date(2026, 11, 26), 0, Reason.NOT_AIRED),
        (date(2026, 11, 25), 6, Reason.SELECTED),  # counts from 26th 00:00 UTC, 12 h ago
        (date(2026, 11, 25), 24, Reason.IN_GRACE_PERIOD),
        (None, 0, Reason.NOT_AIRED),
    ],
)
def test_whisparr_scenes_by_release_date(release, grace_hours, expected):
    conn = b.connector("whisparr", kind="whisparr")
    site = b.series(conn, title="Site")
    scene = b.episode(site, season_number=2026, aired=None, release_date=release)
    settings = SearchSettings(connector=conn, grace_period_hours=grace_hours)
    assert reasons(ctx(conn, settings=settings))[scene.pk] == expected


def test_fresh_items_are_retried_sooner_after_the_arr_searched_them():
    conn = b.connector()
    show = b.series(conn)
    fresh = b.episode(
        show, aired=NOW - timedelta(hours=20), last_search_time=NOW - timedelta(hours=5)
    )
    old = b.episode(show, last_search_time=NOW - timedelta(hours=5))
    got = reasons(ctx(conn))
    assert got[fresh.pk] == Reason.SELECTED  # fresh cooldown is 4 h
    assert got[old.pk] == Reason.COOLDOWN  # standard cooldown is 24 h


def test_upgrade_gates():
    conn = b.connector()
    b.profile(conn, 1, upgrade_allowed=True, cutoff_format_score=100)
    b.profile(conn, 2, upgrade_allowed=False)
    show = b.series(conn)
    frozen = b.series(conn, quality_profile_id=2)
    unmet = b.episode(show, has_file=1, quality_cutoff_not_met=True)
    met = b.episode(show, has_file=1)
    missing = b.episode(show)
    refused = b.episode(frozen, has_file=1, quality_cutoff_not_met=True)
    low_cf = b.episode(show, has_file=1, custom_format_score=10)
    future_file = b.episode(
        show, has_file=1, quality_cutoff_not_met=True, aired=NOW + timedelta(days=2)
    )
    got = reasons(ctx(conn), SearchType.UPGRADE)
    assert got[unmet.pk] == Reason.SELECTED
    assert got[met.pk] == Reason.CUTOFF_MET
    assert got[missing.pk] == Reason.HAS_FILE
    assert got[refused.pk] == Reason.UPGRADES_NOT_ALLOWED
    assert got[low_cf.pk] == Reason.CUTOFF_MET  # custom-format upgrades are off by default
    assert got[future_file.pk] == Reason.NOT_AIRED  # every gate applies to upgrades too
    cf_on = SearchSettings(connector=conn, custom_format_upgrades=True)
    assert reasons(ctx(conn, settings=cf_on), SearchType.UPGRADE)[low_cf.pk] == Reason.SELECTED


def test_movie_gates():
    conn = b.connector("radarr", kind="radarr")
    ok = b.movie(conn)
    unavailable = b.movie(conn, is_available=False, status="announced")
    tba = b.movie(conn, status="tba", minimum_availability="announced", is_available=True)
    unmonitored = b.movie(conn, monitored=False)
    downloading = b.movie(conn)
    got = reasons(ctx(conn, downloading=frozenset({downloading.arr_id})))
    assert got == {
        ok.pk: Reason.SELECTED,
        unavailable.pk: Reason.NOT_AVAILABLE,
        tba.pk: Reason.NOT_AVAILABLE,
        unmonitored.pk: Reason.UNMONITORED,
        downloading.pk: Reason.IN_DOWNLOAD_QUEUE,
    }


def test_unusable_connector_skips_everything():
    conn = b.connector(enabled=False)
    show = b.series(conn)
    e = b.episode(show)
    assert reasons(ctx(conn))[e.pk] == Reason.CONNECTOR_UNUSABLE


def test_discover_counts_and_orders(django_assert_max_num_queries):
    conn = b.connector()
    show = b.series(conn)
    old = b.episodes(show, 1, 3)
    new = b.episode(show, season_number=2, aired=NOW - timedelta(days=2))
    b.episode(show, monitored=False)
    b.episode(show, aired=None)
    with django_assert_max_num_queries(3):
        found = discover(ctx(conn), SearchType.GAP)
    assert found.candidates[0].item_id == new.pk
    assert {c.item_id for c in found.candidates} == {new.pk, *(e.pk for e in old)}
    assert found.skipped == {Reason.UNMONITORED: 1, Reason.NOT_AIRED: 1}
    assert found.found == 6


def test_force_ignores_cooldown_and_exhaustion_only():
    conn = b.connector()
    show = b.series(conn)
    exhausted = b.episode(show)
    SearchRegistry.objects.create(
        connector=conn, episode=exhausted, search_type="gap", state=SearchState.EXHAUSTED
    )
    unaired = b.episode(show, aired=NOW + timedelta(days=3))
    got = reasons(ctx(conn, force=True))
    assert got[exhausted.pk] == Reason.SELECTED
    assert got[unaired.pk] == Reason.NOT_AIRED


def test_registry_rows_are_optional_and_typed():
    conn = b.connector()
    show = b.series(conn)
    e = b.episode(show)
    # An upgrade row in cooldown does not hold back the gap search of the same item.
    SearchRegistry.objects.create(
        connector=conn,
        episode=e,
        search_type="upgrade",
        state=SearchState.COOLDOWN,
        last_searched_at=NOW,
        next_eligible_at=NOW + timedelta(days=1),
    )
    assert reasons(ctx(conn))[e.pk] == Reason.SELECTED
    assert Episode.objects.count() == 1 and Season.objects.count() == 1
