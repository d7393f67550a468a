"""Full and incremental sync through the real clients against an HTTP-level stub."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comradarr import events
from connectors.models import Connector
from content.models import Episode, Movie, QualityProfile, Season, Series, SyncRun, SyncState
from content.sync import runner
from tests.content.arrstub import server_error, truncated

pytestmark = pytest.mark.django_db

FULL, INCR = SyncRun.Kind.FULL, SyncRun.Kind.INCREMENTAL


def sync(stub, kind=INCR, trigger=SyncRun.Trigger.MANUAL):
    stub.connector.refresh_from_db()
    return runner.connector_sync(connector=stub.connector, kind=kind, trigger=trigger)


def mirror_of(stub) -> dict[int, tuple]:
    return {
        e.arr_id: (
            e.series.arr_id,
            e.season_number,
            e.episode_number,
            e.monitored,
            e.has_file,
            e.episode_file_id,
            e.quality_name,
            e.quality_cutoff_not_met,
        )
        for e in Episode.objects.filter(connector=stub.connector).select_related("series")
    }


def expected_of(stub) -> dict[int, tuple]:
    return {
        e["id"]: (
            e["seriesId"],
            e["seasonNumber"],
            e["episodeNumber"],
            e["monitored"],
            e["file"] is not None,
            e["file"]["id"] if e["file"] else None,
            e["file"]["quality"]["quality"]["name"] if e["file"] else "",
            bool(e["file"] and e["file"]["qualityCutoffNotMet"]),
        )
        for e in stub.episodes.values()
    }


@pytest.fixture
def library(sonarr_stub):
    for sid in (1, 2, 3):
        sonarr_stub.add_series(sid, episodes=4, seasons=2, files=2)
    return sonarr_stub


# ------------------------------------------------------------------ full


def test_full_sync_mirrors_the_library_item_for_item(library):
    run = sync(library, FULL)
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert mirror_of(library) == expected_of(library)
    assert run.added == 3 + 24 and run.updated == 0 and run.removed == 0
    assert run.items_seen == 24 and run.series_fetched == 3
    # system status is not probed (stored version); the two /wanted totals (the next
    # incremental's baseline), profiles, series, 3 x episodes.
    assert run.http_requests == 7
    assert QualityProfile.objects.get(connector=library.connector).name == "HD-1080p"
    s = Series.objects.get(connector=library.connector, arr_id=1)
    assert (s.episode_file_count, s.total_episode_count, s.episodes_stale) == (4, 8, False)
    season = Season.objects.get(series=s, season_number=1)
    assert (season.aired_episodes, season.missing_monitored_episodes) == (4, 2)
    state = SyncState.objects.get(connector=library.connector)
    assert state.last_full_sync_at and state.history_since == run.started_at


def test_second_full_sync_of_an_unchanged_library_writes_nothing(library):
    sync(library, FULL)
    run = sync(library, FULL)
    assert (run.added, run.updated, run.removed) == (0, 0, 0)


def test_full_sync_handles_adds_changes_deletions_and_flips(library):
    sync(library, FULL)
    library.add_series(4, episodes=2)
    del library.series[3]
    for eid in [e for e in library.episodes if e // 1000 == 3]:
        del library.episodes[eid]
    library.episodes[1101]["monitored"] = False  # monitored flip
    library.give_file(1104, cutoff_not_met=True)  # gained a file
    library.give_file(1101, name="Bluray-1080p")  # upgraded
    del library.episodes[2204]  # episode removed upstream
    run = sync(library, FULL)
    assert run.status == SyncRun.Status.SUCCEEDED
    assert mirror_of(library) == expected_of(library)
    assert not Series.objects.filter(connector=library.connector, arr_id=3).exists()
    assert run.removed == 1 + 8 + 1  # series 3, its episodes, episode 2204
    assert run.added == 1 + 2


def test_whisparr_style_empty_series_and_unmonitored_season(library):
    library.add_series(9, episodes=0)
    library.series[1]["seasonMonitored"][2] = False
    sync(library, FULL)
    assert Series.objects.get(connector=library.connector, arr_id=9).total_episode_count == 0
    monitored = Episode.objects.filter(connector=library.connector, series__arr_id=1).monitored()
    assert {e.season_number for e in monitored} == {1}


# ---------------------------------------------------------- incremental


def test_first_incremental_runs_as_full(library):
    run = sync(library, INCR)
    assert run.kind == FULL and mirror_of(library) == expected_of(library)


def test_incremental_without_changes_reads_only_the_change_signals(library):
    sync(library, FULL)
    library.calls.clear()
    run = sync(library, INCR)
    assert run.status == SyncRun.Status.SUCCEEDED and run.kind == INCR
    assert [c.split("?")[0] for c in library.calls] == [
        "/api/v3/wanted/missing",
        "/api/v3/wanted/cutoff",
        "/api/v3/history/since",
    ]
    assert (run.added, run.updated, run.removed, run.series_fetched) == (0, 0, 0, 0)


def test_incremental_fetches_only_changed_series(library):
    sync(library, FULL)
    library.give_file(2103)  # statistics of series 2 change
    library.episodes[3103]["monitored"] = False  # aired + missing -> episodeCount changes
    library.calls.clear()
    run = sync(library, INCR)
    fetched = sorted(c for c in library.calls if c.startswith("/api/v3/episode"))
    assert fetched == [
        "/api/v3/episode?seriesId=2&includeEpisodeFile=true",
        "/api/v3/episode?seriesId=3&includeEpisodeFile=true",
    ]
    assert run.series_fetched == 2
    assert mirror_of(library) == expected_of(library)


def test_incremental_catches_an_upgrade_through_history(library):
    sync(library, FULL)
    # Same size, same counts: invisible in the statistics, visible in history.
    library.give_file(1101, name="Bluray-1080p", size=1000)
    library.record("downloadFolderImported", series_id=1, episode_id=1101)
    run = sync(library, INCR)
    assert run.series_fetched == 1
    assert Episode.objects.get(connector=library.connector, arr_id=1101).quality_name == (
        "Bluray-1080p"
    )


def test_incremental_adds_and_removes_series(library):
    sync(library, FULL)
    library.add_series(5, episodes=3)
    del library.series[2]
    run = sync(library, INCR)
    assert run.added == 1 + 3 and run.removed == 1 + 8
    assert set(
        Series.objects.filter(connector=library.connector).values_list("arr_id", flat=True)
    ) == {1, 3, 5}


def _mirror_size(stub) -> tuple:
    state = SyncState.objects.get(connector=stub.connector)
    return state.mirror_series, state.mirror_episodes, state.mirror_movies


def test_the_sync_records_the_mirror_size_when_it_changes(library):
    sync(library, FULL)
    assert _mirror_size(library) == (3, 24, 0)
    library.add_series(5, episodes=3)
    sync(library, INCR)
    assert _mirror_size(library) == (4, 27, 0)
    # A run that added and removed nothing does not count the mirror again.
    with CaptureQueriesContext(connection) as ctx:
        sync(library, INCR)
    assert not [
        q for q in ctx.captured_queries if 'COUNT(*) AS "__count" FROM "content_e' in q["sql"]
    ]
    assert _mirror_size(library) == (4, 27, 0)


def test_history_failure_does_not_fail_the_sync(library):
    sync(library, FULL)
    library.faults["/history/since"] = server_error
    run = sync(library, INCR)
    assert run.status == SyncRun.Status.SUCCEEDED and "history not read" in run.error


# ------------------------------------------------------------------ safety


def test_truncated_series_listing_deletes_nothing(library):
    sync(library, FULL)
    before = mirror_of(library)
    del library.series[3]  # would be deleted by a good listing
    library.faults["/api/v3/series"] = truncated
    run = sync(library, FULL)
    assert run.status == SyncRun.Status.FAILED and run.error
    assert mirror_of(library) == before


def test_500_in_the_middle_of_the_episode_listings_deletes_nothing(library, monkeypatch):
    sync(library, FULL)
    before = mirror_of(library)
    del library.series[1]  # vanished upstream, with its episodes
    for eid in [e for e in library.episodes if e // 1000 == 1]:
        del library.episodes[eid]
    del library.episodes[3104]  # vanished inside a series that will not be read
    library.faults["seriesId=2"] = server_error
    monkeypatch.setattr("content.sync.common.EPISODE_BATCH", 1)
    run = sync(library, FULL)
    assert run.status == SyncRun.Status.FAILED and "500" in run.error
    assert Series.objects.filter(connector=library.connector, arr_id=1).exists()
    assert mirror_of(library) == before
    state = SyncState.objects.get(connector=library.connector)
    assert state.consecutive_failures == 1 and state.last_error == run.error

    del library.faults["seriesId=2"]
    run = sync(library, FULL)
    assert run.status == SyncRun.Status.SUCCEEDED
    assert mirror_of(library) == expected_of(library)
    assert SyncState.objects.get(connector=library.connector).consecutive_failures == 0


def test_failed_incremental_leaves_series_stale_for_the_next_run(library):
    sync(library, FULL)
    library.give_file(2103)
    library.faults["seriesId=2"] = server_error
    assert sync(library, INCR).status == SyncRun.Status.FAILED
    assert Series.objects.get(connector=library.connector, arr_id=2).episodes_stale
    del library.faults["seriesId=2"]
    # Statistics no longer differ from the stored ones, yet the series is re-read.
    run = sync(library, INCR)
    assert run.series_fetched == 1 and mirror_of(library) == expected_of(library)


def test_series_vanishing_between_list_and_episodes_is_skipped(library):
    sync(library, FULL)
    library.faults["seriesId=2"] = lambda: (404, {}, '{"message": "NotFound"}')
    run = sync(library, FULL)
    assert run.status == SyncRun.Status.SUCCEEDED and "vanished" in run.error
    assert Episode.objects.filter(connector=library.connector, series__arr_id=2).count() == 8


def test_one_connector_down_while_another_syncs(library, radarr_stub):
    radarr_stub.add_movie(1)
    down = Connector.objects.create(
        name="down",
        kind="sonarr",
        url="http://down.test:8989",
        api_key="x" * 32,
        app_version="4.0.19.2979",
    )
    results = dict(
        (c.name, run) for c, run in runner.sync_all(kind=FULL, trigger=SyncRun.Trigger.MANUAL)
    )
    assert results["down"].status == SyncRun.Status.FAILED
    assert results["sonarr"].status == SyncRun.Status.SUCCEEDED
    assert results["radarr"].status == SyncRun.Status.SUCCEEDED
    assert Movie.objects.filter(connector=radarr_stub.connector).count() == 1
    assert SyncState.objects.get(connector=down).consecutive_failures == 1


def test_failures_back_off_and_mark_unhealthy_with_events(library, settings):
    library.connector.health_status = Connector.Health.HEALTHY
    library.connector.save()
    library.faults["/api/v3/series"] = server_error
    health_events, failed_events = [], []

    def on_health(**kw):
        health_events.append((kw["previous"], kw["current"]))

    def on_failed(**kw):
        failed_events.append(kw["error"])

    events.connector_health_changed.connect(on_health)
    events.sync_failed.connect(on_failed)
    try:
        for expected in range(1, settings.SYNC_FAILURE_THRESHOLD + 1):
            run = sync(library, FULL, trigger=SyncRun.Trigger.MANUAL)
            assert run.status == SyncRun.Status.FAILED
            assert (
                SyncState.objects.get(connector=library.connector).consecutive_failures == expected
            )
        # Scheduled runs wait for the back-off; manual ones do not.
        assert sync(library, FULL, trigger=SyncRun.Trigger.SCHEDULE) is None
        library.connector.refresh_from_db()
        assert library.connector.health_status == Connector.Health.UNHEALTHY
        assert health_events == [("healthy", "unhealthy")]
        assert len(failed_events) == settings.SYNC_FAILURE_THRESHOLD

        del library.faults["/api/v3/series"]
        SyncState.objects.update(retry_after=timezone.now() - timedelta(seconds=1))
        run = sync(library, FULL, trigger=SyncRun.Trigger.SCHEDULE)
        assert run.status == SyncRun.Status.SUCCEEDED
        library.connector.refresh_from_db()
        assert library.connector.health_status == Connector.Health.HEALTHY
        assert health_events[-1] == ("unhealthy", "healthy")
    finally:
        events.connector_health_changed.disconnect(on_health)
        events.sync_failed.disconnect(on_failed)


def test_backoff_doubles_up_to_a_cap():
    assert runner.backoff_for(0) == timedelta(0)
    assert runner.backoff_for(1) == runner.BACKOFF_BASE
    assert runner.backoff_for(3) == runner.BACKOFF_BASE * 4
    assert runner.backoff_for(50) == runner.BACKOFF_CAP


def test_sync_completed_event_carries_the_run(library):
    seen = []

    def receiver(**kw):
        seen.append(kw["run"].status)

    events.sync_completed.connect(receiver)
    try:
        sync(library, FULL)
    finally:
        events.sync_completed.disconnect(receiver)
    assert seen == [SyncRun.Status.SUCCEEDED]


def test_failure_threshold_is_a_setting_read_when_a_sync_fails(library, settings):
    """SYNC_FAILURE_THRESHOLD lives in comradarr/settings.py (env), not read at import."""
    settings.SYNC_FAILURE_THRESHOLD = 1
    library.connector.health_status = Connector.Health.HEALTHY
    library.connector.save()
    library.faults["/api/v3/series"] = server_error
    assert sync(library, FULL, trigger=SyncRun.Trigger.MANUAL).status == SyncRun.Status.FAILED
    library.connector.refresh_from_db()
    assert library.connector.health_status == Connector.Health.UNHEALTHY


def test_concurrent_sync_of_one_connector_is_skipped(library):
    from comradarr.locks import advisory_lock

    with advisory_lock("sync", library.connector.pk) as held:
        assert held
        run = sync(library, FULL)
    assert run.status == SyncRun.Status.SKIPPED
    assert not Episode.objects.filter(connector=library.connector).exists()
    assert sync(library, FULL).status == SyncRun.Status.SUCCEEDED  # released with the block


# ------------------------------------------------------------------ movies


def test_radarr_full_and_incremental(radarr_stub):
    radarr_stub.add_movie(1)
    radarr_stub.add_movie(2, has_file=True, cutoff_not_met=True)
    radarr_stub.add_movie(3, isAvailable=False, status="announced", inCinemas=None)
    run = sync(radarr_stub, FULL)
    assert run.added == 3 and run.http_requests == 4  # 2 /wanted totals, profiles, movies
    assert set(
        Movie.objects.missing().monitored().available().values_list("arr_id", flat=True)
    ) == {1}
    assert list(Movie.objects.cutoff_unmet().values_list("arr_id", flat=True)) == [2]

    run = sync(radarr_stub, INCR)
    assert (run.added, run.updated, run.removed) == (0, 0, 0)

    radarr_stub.give_movie_file(2)  # upgraded, cutoff met
    radarr_stub.movies[1]["monitored"] = False
    del radarr_stub.movies[3]
    run = sync(radarr_stub, INCR)
    assert (run.added, run.updated, run.removed) == (0, 2, 1)
    m2 = Movie.objects.get(arr_id=2)
    assert m2.cutoff_met_at is not None and not m2.quality_cutoff_not_met


def test_radarr_truncated_movie_list_deletes_nothing(radarr_stub):
    radarr_stub.add_movie(1)
    sync(radarr_stub, FULL)
    del radarr_stub.movies[1]
    radarr_stub.faults["/api/v3/movie"] = truncated
    assert sync(radarr_stub, FULL).status == SyncRun.Status.FAILED
    assert Movie.objects.filter(connector=radarr_stub.connector).count() == 1


def test_radarr_list_cut_after_some_pages_keeps_them_and_deletes_nothing(radarr_stub, monkeypatch):
    """The movie list is streamed a page at a time: pages read before the cut are
    true data and stay written; the vanished check never runs on a cut list."""
    monkeypatch.setattr("content.sync.library.MOVIE_BATCH", 2)
    for arr_id in range(1, 6):
        radarr_stub.add_movie(arr_id)
    sync(radarr_stub, FULL)
    radarr_stub.movies[1]["monitored"] = False
    del radarr_stub.movies[5]
    listing = json.dumps([radarr_stub._movie_json(m) for m in radarr_stub.movies.values()])
    cut = listing[: listing.index('"id": 4') + 20]
    radarr_stub.faults["/api/v3/movie"] = lambda: (200, {"Content-Type": "application/json"}, cut)
    run = sync(radarr_stub, INCR)
    assert run.status == SyncRun.Status.FAILED and "truncated" in run.error
    assert (run.updated, run.removed) == (1, 0)
    assert not Movie.objects.get(arr_id=1).monitored
    assert Movie.objects.filter(connector=radarr_stub.connector).count() == 5

    del radarr_stub.faults["/api/v3/movie"]
    calls = []
    run = runner.connector_sync(
        connector=radarr_stub.connector,
        kind=INCR,
        trigger=SyncRun.Trigger.MANUAL,
        progress=lambda done, total, unit: calls.append((done, total, unit)),
    )
    assert run.status == SyncRun.Status.SUCCEEDED and run.removed == 1
    # The expected page total comes from the mirror's size (5 movies: 3 pages).
    assert calls == [(0, 3, "pages"), (1, 3, "pages"), (2, 3, "pages"), (2, 2, "pages")]


# --------------------------------------------------------------- query counts


def _queries_for(stub, kind):
    with CaptureQueriesContext(connection) as ctx:
        run = sync(stub, kind)
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    return len(ctx.captured_queries)


def _fresh_queries(stub) -> int:
    """Queries of a full sync into an empty mirror (the sync state already exists)."""
    Series.objects.filter(connector=stub.connector).delete()
    return _queries_for(stub, FULL)


def test_queries_grow_with_series_not_episodes(sonarr_stub):
    sync(sonarr_stub, FULL)  # creates the sync state
    sonarr_stub.add_series(1, episodes=90, seasons=6)
    small = _fresh_queries(sonarr_stub)
    sonarr_stub.add_series(1, episodes=99, seasons=30)
    big = _fresh_queries(sonarr_stub)
    assert Episode.objects.count() == 2970
    assert big == small  # 540 and 2,970 episodes: the same statements


def test_sync_of_one_series_query_bound(sonarr_stub, django_assert_max_num_queries):
    sonarr_stub.add_series(1, episodes=50, seasons=2, files=20)
    sync(sonarr_stub, FULL)
    sonarr_stub.give_file(1130)
    # Ledger, state, pruning and events (~11), lock (2), series + seasons (4),
    # one episode flush (~8), the sync_completed notification outbox row (3).
    # 2 are the savepoint of the sync's event, 1 clears a served list request (webhook)
    with django_assert_max_num_queries(33):
        run = sync(sonarr_stub, INCR)
    assert run.series_fetched == 1
    assert Episode.objects.get(arr_id=1130).has_file


def test_more_series_in_one_batch_add_no_queries(sonarr_stub):
    sync(sonarr_stub, FULL)
    sonarr_stub.add_series(1, episodes=2)
    one = _fresh_queries(sonarr_stub)
    for sid in range(2, 12):
        sonarr_stub.add_series(sid, episodes=2)
    eleven = _fresh_queries(sonarr_stub)
    # All eleven series fit in one episode batch: the same statements.
    assert eleven == one


def test_each_episode_batch_costs_a_fixed_number_of_queries(sonarr_stub, monkeypatch):
    sync(sonarr_stub, FULL)
    for sid in range(1, 5):
        sonarr_stub.add_series(sid, episodes=5)
    monkeypatch.setattr("content.sync.common.EPISODE_BATCH", 5)  # one flush per series
    four = _fresh_queries(sonarr_stub)
    sonarr_stub.add_series(5, episodes=5)
    five = _fresh_queries(sonarr_stub)
    # synchronous_commit, upsert, vanished check, aggregates, mark synced, and the
    # savepoint pair around them.
    assert 0 < five - four <= 7


def test_old_runs_are_pruned_after_a_success(library):
    old = SyncRun.objects.create(
        connector=library.connector,
        trigger="schedule",
        kind="full",
        status="succeeded",
        started_at=timezone.now() - runner.RUN_RETENTION - timedelta(days=1),
    )
    sync(library, FULL)
    assert not SyncRun.objects.filter(pk=old.pk).exists()
    assert SyncRun.objects.filter(connector=library.connector).count() == 1


def test_a_run_left_running_by_a_killed_worker_is_closed_as_interrupted(library):
    stale = SyncRun.objects.create(
        connector=library.connector, trigger="schedule", kind="full", started_at=timezone.now()
    )
    sync(library, FULL)
    stale.refresh_from_db()
    assert stale.status == SyncRun.Status.FAILED and "Interrupted" in stale.error
