"""An incremental sync reads the whole library list only when a cheap signal says so.

Through the real clients against the `responses` stub: a no-change sync makes
only the signal requests (two /wanted totals and /history/since); each signal
(a history file event, changed totals, an Added webhook, a day since the list,
a passed release date) leads to the re-read it should, and nothing more.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from content import webhooks
from content.models import Episode, Movie, Series, SyncRun, SyncState
from content.sync import change_check, runner
from tests.content.arrstub import iso, server_error

pytestmark = pytest.mark.django_db

FULL, INCR = SyncRun.Kind.FULL, SyncRun.Kind.INCREMENTAL
SIGNALS = ["/api/v3/wanted/missing", "/api/v3/wanted/cutoff", "/api/v3/history/since"]


def sync(stub, kind=INCR):
    stub.connector.refresh_from_db()
    run = runner.connector_sync(connector=stub.connector, kind=kind, trigger="manual")
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    return run


def paths(stub) -> list[str]:
    return [c.split("?")[0] for c in stub.calls]


def state_of(stub) -> SyncState:
    return SyncState.objects.get(connector=stub.connector)


def movies_of(stub) -> dict[int, tuple]:
    return {
        m.arr_id: (m.monitored, m.has_file, m.quality_cutoff_not_met, m.is_available)
        for m in Movie.objects.filter(connector=stub.connector)
    }


def expected_movies(stub) -> dict[int, tuple]:
    return {
        m["id"]: (
            m["monitored"],
            m["file"] is not None,
            bool(m["file"] and m["file"]["qualityCutoffNotMet"]),
            m["isAvailable"],
        )
        for m in stub.movies.values()
    }


@pytest.fixture
def movies(radarr_stub):
    radarr_stub.add_movie(1)
    radarr_stub.add_movie(2, has_file=True, cutoff_not_met=True)
    radarr_stub.add_movie(3, has_file=True)
    sync(radarr_stub, FULL)
    radarr_stub.calls.clear()
    return radarr_stub


@pytest.fixture
def shows(sonarr_stub):
    for sid in (1, 2, 3):
        sonarr_stub.add_series(sid, episodes=4, seasons=2, files=2)
    sync(sonarr_stub, FULL)
    sonarr_stub.calls.clear()
    return sonarr_stub


# ------------------------------------------------------------------ radarr


def test_full_sync_stores_the_baseline(movies):
    state = state_of(movies)
    assert (state.wanted_missing_total, state.wanted_cutoff_total) == (1, 1)
    assert state.library_listed_at == state.history_since


def test_a_no_change_sync_makes_only_the_cheap_requests(movies):
    run = sync(movies)
    assert paths(movies) == SIGNALS
    assert run.http_requests == 3 and (run.added, run.updated, run.removed) == (0, 0, 0)
    # The page size of the totals is one record: the JSON stays a few hundred bytes.
    assert all("pageSize=1&" in c for c in movies.calls if "/wanted/" in c)


def test_a_history_file_event_rereads_that_movie_alone(movies):
    movies.give_movie_file(2)  # upgraded: cutoff met now ...
    movies.movies[2]["file"]["qualityCutoffNotMet"] = True  # ... or not: totals unchanged
    movies.movies[2]["file"]["quality"]["quality"]["name"] = "Remux-2160p"
    movies.record("downloadFolderImported", movie_id=2)
    movies.record("grabbed", movie_id=1)  # a grab changes no file
    run = sync(movies)
    assert paths(movies) == [*SIGNALS, "/api/v3/movie/2"]
    assert Movie.objects.get(connector=movies.connector, arr_id=2).quality_name == "Remux-2160p"
    assert run.updated == 1 and state_of(movies).last_history_id == 2
    movies.calls.clear()
    sync(movies)  # the event is still in the overlap window, but was acted on
    assert paths(movies) == SIGNALS


def test_a_movie_gone_upstream_is_deleted_when_history_names_it(movies):
    del movies.movies[3]
    movies.record("movieFileDeleted", movie_id=3)
    run = sync(movies)
    assert "/api/v3/movie/3" in paths(movies) and run.removed == 1
    assert not Movie.objects.filter(connector=movies.connector, arr_id=3).exists()


@pytest.mark.parametrize(
    "change",
    [
        lambda stub: stub.movies[1].update(monitored=False),  # missing 1 -> 0
        lambda stub: stub.add_movie(4),  # missing 1 -> 2
        lambda stub: stub.give_movie_file(2),  # cutoff 1 -> 0 (no history: a manual import)
    ],
    ids=["unmonitored", "added", "cutoff met"],
)
def test_changed_wanted_totals_reread_the_whole_list(movies, change):
    change(movies)
    sync(movies)
    assert paths(movies) == [*SIGNALS, "/api/v3/movie"]
    assert movies_of(movies) == expected_movies(movies)
    movies.calls.clear()
    sync(movies)  # the new totals are the baseline now
    assert paths(movies) == SIGNALS


def test_an_added_webhook_rereads_the_list_once(movies):
    movies.add_movie(5, has_file=True)  # has a file: no total moves
    result = webhooks.webhook_apply(
        connector=movies.connector, payload={"eventType": "MovieAdded", "movie": {"id": 5}}
    )
    assert result.sync_requested
    assert state_of(movies).list_requested_at is not None
    sync(movies)
    assert paths(movies) == [*SIGNALS, "/api/v3/movie"]
    assert 5 in movies_of(movies) and state_of(movies).list_requested_at is None
    movies.calls.clear()
    sync(movies)
    assert paths(movies) == SIGNALS


def test_an_added_webhook_during_a_sync_is_kept_for_the_next(movies):
    later = timezone.now() + timedelta(minutes=5)
    SyncState.objects.filter(connector=movies.connector).update(list_requested_at=later)
    sync(movies)
    assert state_of(movies).list_requested_at == later


def test_a_day_after_the_last_list_the_list_is_read_again(movies):
    movies.movies[3]["title"] = "Renamed"  # no signal sees a title
    SyncState.objects.filter(connector=movies.connector).update(
        library_listed_at=timezone.now() - timedelta(hours=23, minutes=50)
    )
    sync(movies)
    assert paths(movies) == SIGNALS
    SyncState.objects.filter(connector=movies.connector).update(
        library_listed_at=timezone.now() - change_check.RECONCILE_EVERY
    )
    movies.calls.clear()
    sync(movies)
    assert paths(movies) == [*SIGNALS, "/api/v3/movie"]
    assert Movie.objects.get(connector=movies.connector, arr_id=3).title == "Renamed"
    assert timezone.now() - state_of(movies).library_listed_at < timedelta(minutes=1)


def test_a_movie_whose_release_date_passed_is_reread_alone(movies):
    released = timezone.now() - timedelta(minutes=1)
    movies.add_movie(6, isAvailable=False, status="inCinemas", digitalRelease=iso(released))
    SyncState.objects.filter(connector=movies.connector).update(library_listed_at=None)
    sync(movies)  # mirrored as not available yet (the app's availability delay, say)
    assert not Movie.objects.get(connector=movies.connector, arr_id=6).is_available
    movies.movies[6].update(isAvailable=True, status="released")  # no event, no total moves
    # The last sync started before the digital release: the date passed since.
    SyncState.objects.filter(connector=movies.connector).update(
        history_since=released - timedelta(minutes=1)
    )
    movies.calls.clear()
    sync(movies)
    assert paths(movies) == [*SIGNALS, "/api/v3/movie/6"]
    assert Movie.objects.get(connector=movies.connector, arr_id=6).is_available
    movies.calls.clear()
    sync(movies)  # the date is behind the last sync now
    assert paths(movies) == SIGNALS


def test_many_changed_movies_are_read_with_the_list(movies):
    for mid in range(10, 10 + change_check.SINGLE_READ_LIMIT + 1):
        movies.add_movie(mid, has_file=True)
        movies.record("movieFolderImported", movie_id=mid)
    sync(movies)
    assert paths(movies) == [*SIGNALS, "/api/v3/movie"]
    assert movies_of(movies) == expected_movies(movies)


@pytest.mark.parametrize(
    "fault",
    [
        server_error,
        lambda: (200, {"Content-Type": "application/json"}, json.dumps({"records": []})),
        lambda: (200, {"Content-Type": "application/json"}, '{"totalRecords": -3, "records": []}'),
        lambda: (200, {"Content-Type": "application/json"}, '["not", "a page"]'),
        lambda: (200, {"Content-Type": "application/json"}, '{"totalRecords": 1e99}'),
        lambda: (
            200,
            {"Content-Type": "application/json"},
            '{"totalRecords": 99999999999, "records": []}',
        ),
    ],
    ids=["500", "no total", "negative total", "a list", "a float", "beyond int32"],
)
def test_unreadable_totals_mean_the_list_is_read(movies, fault):
    movies.faults["/wanted/cutoff"] = fault
    movies.movies[1]["monitored"] = False
    run = sync(movies)
    assert "/api/v3/movie" in paths(movies)
    assert "change signals not read" in run.error
    assert movies_of(movies) == expected_movies(movies)


def test_unreadable_history_means_the_list_is_read(movies):
    movies.faults["/history/since"] = server_error
    run = sync(movies)
    assert paths(movies)[-1] == "/api/v3/movie" and "history not read" in run.error


def test_an_app_without_wanted_endpoints_reads_the_list_every_time(movies):
    movies.wanted = False  # a 404, as Radarr before 5.6 answers
    sync(movies)
    assert "/api/v3/movie" in paths(movies)
    movies.calls.clear()
    sync(movies)
    assert "/api/v3/movie" in paths(movies)


# ------------------------------------------------------------------ sonarr


def test_sonarr_no_change_sync_reads_no_series_list(shows):
    run = sync(shows)
    assert paths(shows) == SIGNALS and run.series_fetched == 0


def test_sonarr_history_rereads_only_the_named_series(shows):
    shows.give_file(1101, name="Bluray-1080p", size=1000)  # an upgrade: no count moves
    shows.record("downloadFolderImported", series_id=1, episode_id=1101)
    run = sync(shows)
    assert paths(shows) == [*SIGNALS, "/api/v3/series/1", "/api/v3/episode"]
    assert run.series_fetched == 1
    assert Episode.objects.get(connector=shows.connector, arr_id=1101).quality_name == (
        "Bluray-1080p"
    )


def test_sonarr_series_gone_upstream_is_deleted_when_history_names_it(shows):
    del shows.series[2]
    for eid in [e for e in shows.episodes if e // 1000 == 2]:
        del shows.episodes[eid]
    shows.record("episodeFileDeleted", series_id=2, episode_id=2101)
    run = sync(shows)
    assert run.removed == 1 + 8
    assert set(
        Series.objects.filter(connector=shows.connector).values_list("arr_id", flat=True)
    ) == {
        1,
        3,
    }


def test_sonarr_changed_totals_read_the_series_list(shows):
    shows.add_series(4, episodes=2)  # two missing aired episodes
    run = sync(shows)
    assert paths(shows)[:4] == [*SIGNALS, "/api/v3/series"]
    assert run.series_fetched == 1
    assert Episode.objects.filter(connector=shows.connector, series__arr_id=4).count() == 2


def test_sonarr_stale_series_left_by_a_failed_run_are_fetched_without_the_list(shows):
    Series.objects.filter(connector=shows.connector, arr_id=3).update(episodes_stale=True)
    run = sync(shows)
    assert paths(shows) == [*SIGNALS, "/api/v3/episode"] and run.series_fetched == 1
