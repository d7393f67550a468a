"""Every gate applies to every search type: gaps, upgrades, and search-now of either.

One row per gate and shape; each row runs for the four ways an item can be searched
(scheduled gap or upgrade, forced "search now" gap or upgrade), through discover().
"""

from datetime import timedelta

import pytest

from searchstate.discovery import DiscoveryContext, discover
from searchstate.models import Exclusion, SearchRegistry, SearchSettings
from searchstate.reasons import Reason
from searchstate.states import SearchState, SearchType
from tests.searchstate import builders as b
from tests.searchstate.builders import NOW

pytestmark = pytest.mark.django_db

SEARCHES = [
    pytest.param(SearchType.GAP, False, id="gap"),
    pytest.param(SearchType.UPGRADE, False, id="upgrade"),
    pytest.param(SearchType.GAP, True, id="search-now-gap"),
    pytest.param(SearchType.UPGRADE, True, id="search-now-upgrade"),
]


def _file(search_type):
    """Fields making the item a candidate of ``search_type`` (missing, or below cutoff)."""
    if search_type == SearchType.GAP:
        return {"has_file": False}
    return {"has_file": True, "quality_cutoff_not_met": True}


def _movie(conn, search_type, **fields):
    return b.movie(conn, **_file(search_type), **fields)


def _episode(conn, search_type, **fields):
    return b.episode(b.series(conn), **_file(search_type), **fields)


def _in_cinemas(conn, t):
    return _movie(conn, t, status="inCinemas", minimum_availability="released", is_available=False)


def _announced(conn, t):
    return _movie(conn, t, status="announced", is_available=False, in_cinemas=None)


def _tba_movie(conn, t):
    return _movie(conn, t, status="tba", minimum_availability="announced", is_available=True)


def _unmonitored_movie(conn, t):
    return _movie(conn, t, monitored=False)


def _excluded_movie(conn, t):
    m = _movie(conn, t)
    Exclusion.objects.create(connector=conn, movie=m, note="test")
    return m


def _not_aired(conn, t):
    return _episode(conn, t, aired=NOW + timedelta(days=2))


def _tba_episode(conn, t):
    return _episode(conn, t, aired=None)


def _in_grace(conn, t):
    return _episode(conn, t, aired=NOW - timedelta(hours=3))  # the builder adds 1 h


def _unmonitored_episode(conn, t):
    return _episode(conn, t, monitored=False)


def _unmonitored_series(conn, t):
    return b.episode(b.series(conn, monitored=False), **_file(t))


def _excluded_series(conn, t):
    e = _episode(conn, t)
    Exclusion.objects.create(connector=conn, series=e.series, note="test")
    return e


def _in_progress_episode(conn, t):
    e = _episode(conn, t)
    SearchRegistry.objects.create(
        connector=conn, episode=e, search_type=t, state=SearchState.SEARCHING
    )
    return e


GATES = [
    pytest.param("radarr", _in_cinemas, Reason.NOT_AVAILABLE, id="movie-in-cinemas"),
    pytest.param("radarr", _announced, Reason.NOT_AVAILABLE, id="movie-announced"),
    pytest.param("radarr", _tba_movie, Reason.NOT_AVAILABLE, id="movie-tba"),
    pytest.param("radarr", _unmonitored_movie, Reason.UNMONITORED, id="movie-unmonitored"),
    pytest.param("radarr", _excluded_movie, Reason.EXCLUDED, id="movie-excluded"),
    pytest.param("sonarr", _not_aired, Reason.NOT_AIRED, id="episode-not-aired"),
    pytest.param("sonarr", _tba_episode, Reason.NOT_AIRED, id="episode-tba"),
    pytest.param("sonarr", _in_grace, Reason.IN_GRACE_PERIOD, id="episode-in-grace"),
    pytest.param("sonarr", _unmonitored_episode, Reason.UNMONITORED, id="episode-unmonitored"),
    pytest.param("sonarr", _unmonitored_series, Reason.UNMONITORED, id="series-unmonitored"),
    pytest.param("sonarr", _excluded_series, Reason.EXCLUDED, id="series-excluded"),
    pytest.param("sonarr", _in_progress_episode, Reason.IN_PROGRESS, id="episode-in-progress"),
]


def _discover(conn, search_type, force, item, downloading=frozenset()):
    ctx = DiscoveryContext(
        connector=conn,
        settings=SearchSettings(connector=conn),
        now=NOW,
        downloading=downloading,
        force=force,
    )
    only = [item.pk] if force else None
    return discover(ctx, search_type, only=only)


@pytest.mark.parametrize(("search_type", "force"), SEARCHES)
@pytest.mark.parametrize(("kind", "build", "reason"), GATES)
def test_gate_holds_for_every_search_type(kind, build, reason, search_type, force):
    conn = b.connector(kind, kind=kind)
    b.profile(conn, 1, upgrade_allowed=True)
    item = build(conn, search_type)
    found = _discover(conn, search_type, force, item)
    assert found.candidates == []
    assert found.skipped == {reason.value: 1}


@pytest.mark.parametrize(("search_type", "force"), SEARCHES)
@pytest.mark.parametrize("kind", ["radarr", "sonarr"])
def test_download_queue_gate_for_every_search_type(kind, search_type, force):
    conn = b.connector(kind, kind=kind)
    b.profile(conn, 1, upgrade_allowed=True)
    item = (_movie if kind == "radarr" else _episode)(conn, search_type)
    found = _discover(conn, search_type, force, item, downloading=frozenset({item.arr_id}))
    assert found.skipped == {Reason.IN_DOWNLOAD_QUEUE.value: 1}


@pytest.mark.parametrize(("search_type", "force"), SEARCHES)
@pytest.mark.parametrize("kind", ["radarr", "sonarr"])
def test_an_item_past_every_gate_is_searched_by_every_type(kind, search_type, force):
    conn = b.connector(kind, kind=kind)
    b.profile(conn, 1, upgrade_allowed=True)
    item = (_movie if kind == "radarr" else _episode)(conn, search_type)
    found = _discover(conn, search_type, force, item)
    assert [c.item_id for c in found.candidates] == [item.pk]
