"""Integration: `manage.py sync` paths against fakearr servers of all four apps.

The mirror must match the fake library item for item after a full sync, and
again after the library changed (adds, removals, monitored flips, files
gained, deleted and upgraded) and an incremental sync ran.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from connectors.models import Connector
from content.models import Episode, Movie, Series, SyncRun, SyncState
from content.sync import runner

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

FULL, INCR = SyncRun.Kind.FULL, SyncRun.Kind.INCREMENTAL


def connector_for(arr, name: str | None = None) -> Connector:
    # No stored version: the client probes system/status, as for a new connector.
    return Connector.objects.create(
        name=name or arr.profile.kind, kind=arr.kind, url=arr.url, api_key=arr.api_key
    )


def sync(connector, kind=INCR):
    connector.refresh_from_db()
    run = runner.connector_sync(connector=connector, kind=kind, trigger=SyncRun.Trigger.MANUAL)
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    return run


def library_episodes(arr) -> dict[int, tuple]:
    lib = arr.library
    out = {}
    for series_id in lib.series:
        for eid in lib.iter_episodes(series_id):
            file_id = lib.episode_file_id(eid)
            out[eid] = (
                series_id,
                lib.ep_season[eid - 1],
                lib.episode_monitored(eid),
                bool(file_id),
                file_id or None,
                lib.file_cutoff_not_met(file_id) if file_id else False,
            )
    return out


def mirror_episodes(connector) -> dict[int, tuple]:
    return {
        e.arr_id: (
            e.series.arr_id,
            e.season_number,
            e.monitored,
            e.has_file,
            e.episode_file_id,
            e.quality_cutoff_not_met,
        )
        for e in Episode.objects.filter(connector=connector).select_related("series")
    }


def library_movies(arr) -> dict[int, tuple]:
    lib = arr.library
    return {
        m.id: (
            m.monitored,
            bool(m.file_id),
            m.file_id or None,
            lib.movie_cutoff_not_met(m),
            m.item_type,
        )
        for m in lib.movies.values()
    }


def mirror_movies(connector) -> dict[int, tuple]:
    return {
        m.arr_id: (m.monitored, m.has_file, m.movie_file_id, m.quality_cutoff_not_met, m.item_type)
        for m in Movie.objects.filter(connector=connector)
    }


def _episode_with(arr, *, has_file: bool) -> int:
    lib = arr.library
    return next(
        eid
        for s in lib.series
        for eid in lib.iter_episodes(s)
        if bool(lib.episode_file_id(eid)) == has_file
    )


@pytest.mark.parametrize("fixture", ["fake_sonarr", "fake_whisparr_v2"])
def test_series_apps_full_then_incremental(request, fixture):
    arr = request.getfixturevalue(fixture)
    connector = connector_for(arr)
    run = sync(connector, FULL)
    assert mirror_episodes(connector) == library_episodes(arr)
    assert run.items_seen == len(library_episodes(arr))
    assert Series.objects.filter(connector=connector).count() == len(arr.library.series)

    # Nothing changed: the incremental run reads the series list (and history) only.
    before = sum(arr.requests.values())
    run = sync(connector, INCR)
    assert run.series_fetched == 0 and (run.added, run.updated, run.removed) == (0, 0, 0)
    assert sum(arr.requests.values()) - before <= 3

    lib = arr.library
    first, second = list(lib.series)[:2]
    arr.remove_series(second)
    arr.add_series()
    lost = _episode_with(arr, has_file=True)
    gained = _episode_with(arr, has_file=False)
    arr.delete_episode_file(lost)
    arr.set_episode_file(gained)
    flipped = next(iter(lib.iter_episodes(first)))
    arr.set_monitored(not lib.episode_monitored(flipped), episode_id=flipped)
    run = sync(connector, INCR)
    assert mirror_episodes(connector) == library_episodes(arr)
    assert run.removed > 0 and run.added > 0

    got = Episode.objects.get(connector=connector, arr_id=gained)
    assert got.has_file and got.file_acquired_at is not None
    gone = Episode.objects.get(connector=connector, arr_id=lost)
    assert not gone.has_file and gone.file_acquired_at is None and gone.cutoff_met_at is None


@pytest.mark.parametrize("fixture", ["fake_radarr", "fake_whisparr_v3"])
def test_movie_apps_full_then_incremental(request, fixture):
    arr = request.getfixturevalue(fixture)
    connector = connector_for(arr)
    sync(connector, FULL)
    assert mirror_movies(connector) == library_movies(arr)

    lib = arr.library
    ids = list(lib.movies)
    with_file = [m for m in ids if lib.movies[m].file_id]
    without = [m for m in ids if not lib.movies[m].file_id]
    arr.remove_movie(ids[0])
    arr.add_movie()
    arr.delete_movie_file(with_file[-1])
    arr.upgrade_movie_file(with_file[-2])
    arr.set_movie_monitored(without[-1], not lib.movies[without[-1]].monitored)
    run = sync(connector, INCR)
    if fixture == "fake_radarr":
        # Radarr has no cheap count, and these changes net out in the /wanted totals
        # (a movie with a file swapped for another, one file lost, one movie unmonitored):
        # history names the file changes, the rest waits for the daily reconciliation.
        assert run.added == 0 and run.removed == 0 and run.updated >= 2
        SyncState.objects.filter(connector=connector).update(
            library_listed_at=timezone.now() - timedelta(hours=24)
        )
        later = sync(connector, INCR)
        run.added, run.removed, run.updated = (
            later.added,
            later.removed,
            run.updated + later.updated,
        )
    assert mirror_movies(connector) == library_movies(arr)
    assert run.added == 1 and run.removed == 1 and run.updated >= 3
    upgraded = Movie.objects.get(connector=connector, arr_id=with_file[-2])
    assert upgraded.cutoff_met_at is not None and not upgraded.quality_cutoff_not_met


def test_upgrade_seen_through_history_on_sonarr(fake_sonarr):
    connector = connector_for(fake_sonarr)
    sync(connector, FULL)
    lib = fake_sonarr.library
    low = next(
        (
            eid
            for s in lib.series
            for eid in lib.iter_episodes(s)
            if lib.episode_file_id(eid) and lib.file_cutoff_not_met(lib.episode_file_id(eid))
        ),
        None,
    )
    if low is None:
        pytest.skip("seeded library has no file below cutoff")
    fake_sonarr.upgrade_episode_file(low)
    sync(connector, INCR)
    row = Episode.objects.get(connector=connector, arr_id=low)
    assert not row.quality_cutoff_not_met and row.cutoff_met_at is not None


def test_truncated_and_failing_listings_delete_nothing(fake_sonarr):
    connector = connector_for(fake_sonarr)
    sync(connector, FULL)
    before = mirror_episodes(connector)
    victim = next(iter(fake_sonarr.library.series))
    fake_sonarr.remove_series(victim)

    fake_sonarr.faults.truncated("/api/v3/series")
    run = runner.connector_sync(connector=connector, kind=FULL, trigger=SyncRun.Trigger.MANUAL)
    assert run.status == SyncRun.Status.FAILED
    assert mirror_episodes(connector) == before
    fake_sonarr.faults.clear()

    # A 500 on the third episode listing (retries included), mid-way through.
    fake_sonarr.faults.server_error("/api/v3/episode*", nth=3)
    fake_sonarr.faults.server_error("/api/v3/episode*", times=10)
    run = runner.connector_sync(connector=connector, kind=FULL, trigger=SyncRun.Trigger.MANUAL)
    assert run.status == SyncRun.Status.FAILED
    assert Series.objects.filter(connector=connector, arr_id=victim).exists()
    assert set(mirror_episodes(connector)) == set(before)
    fake_sonarr.faults.clear()

    sync(connector, FULL)
    assert mirror_episodes(connector) == library_episodes(fake_sonarr)


def test_one_connector_down_while_another_syncs(fake_sonarr, fakearr_factory):
    healthy = connector_for(fake_sonarr, "healthy")
    broken_arr = fakearr_factory("radarr", movies=5, seed=2)
    broken = connector_for(broken_arr, "broken")
    broken_arr.faults.unauthorized()
    results = dict(runner.sync_all(kind=FULL, trigger=SyncRun.Trigger.MANUAL))
    assert results[broken].status == SyncRun.Status.FAILED
    assert "401" in results[broken].error or "key" in results[broken].error.lower()
    assert results[healthy].status == SyncRun.Status.SUCCEEDED
    assert mirror_episodes(healthy) == library_episodes(fake_sonarr)


@pytest.mark.parametrize(
    ("kind", "version"),
    [
        ("sonarr", "3.0.10.1567"),  # no includeEpisodeFile: /episodefile merged per series
        ("sonarr", "4.0.8.1874"),  # v4 before includeEpisodeFile
        ("radarr", "4.7.5.7809"),  # no statistics, no movieFileId
        ("radarr", "6.0.4.10291"),
    ],
)
def test_older_and_newer_versions_mirror_exactly(fakearr_factory, kind, version):
    arr = fakearr_factory(
        kind, version=version, series=4, episodes_per_series=12, movies=15, seed=3
    )
    connector = connector_for(arr, f"{kind}-{version}")
    sync(connector, FULL)
    if arr.library.shape == "movies":
        assert mirror_movies(connector) == library_movies(arr)
    else:
        assert mirror_episodes(connector) == library_episodes(arr)
        lost = _episode_with(arr, has_file=True)
        arr.delete_episode_file(lost)
        sync(connector, INCR)
        assert mirror_episodes(connector) == library_episodes(arr)
