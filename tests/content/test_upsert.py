"""The bulk upsert: inserts, updates, no-op writes and the acquisition timestamps."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from content.models import Episode, Movie, Season, Series
from content.sync import upsert
from tests.content.builders import T0, episode, make_connector, movie, season, series, with_file

pytestmark = pytest.mark.django_db

T1 = T0 + timedelta(hours=1)
T2 = T0 + timedelta(hours=2)
T3 = T0 + timedelta(hours=3)


@pytest.fixture(autouse=True, params=["copy", "unnest"])
def method(request, monkeypatch):
    """Every upsert test runs with both ways of sending rows (COPY and unnest arrays)."""
    monkeypatch.setattr(upsert, "COPY_THRESHOLD", 0 if request.param == "copy" else 10**9)
    return request.param


@pytest.fixture
def connector():
    return make_connector()


def _series_pk(connector, data=None):
    upsert.upsert_series(connector_id=connector.pk, rows=[data or series(1)], now=T0)
    return Series.objects.get(connector=connector, arr_id=(data or series(1)).arr_id).pk


def _episodes(connector, rows, now):
    sid = Series.objects.get(connector=connector, arr_id=1).pk
    return upsert.upsert_episodes(connector_id=connector.pk, rows=[(sid, r) for r in rows], now=now)


def test_series_insert_then_unchanged_then_changed(connector):
    counts = upsert.upsert_series(connector_id=connector.pk, rows=[series(1), series(2)], now=T0)
    assert (counts.added, counts.updated) == (2, 0)
    Series.objects.update(episodes_stale=False)

    counts = upsert.upsert_series(connector_id=connector.pk, rows=[series(1), series(2)], now=T1)
    assert (counts.added, counts.updated) == (0, 0)
    assert not Series.objects.filter(episodes_stale=True).exists()
    assert Series.objects.get(arr_id=1).updated_at == T0  # nothing rewritten

    changed = series(2, episode_file_count=1, title="Renamed")
    counts = upsert.upsert_series(connector_id=connector.pk, rows=[series(1), changed], now=T1)
    assert (counts.added, counts.updated) == (0, 1)
    row = Series.objects.get(arr_id=2)
    assert row.title == "Renamed" and row.episodes_stale and row.updated_at == T1
    assert not Series.objects.get(arr_id=1).episodes_stale


def test_series_long_and_missing_strings_are_clamped(connector):
    data = series(1, title="x" * 900, imdb_id=None, series_type="", sort_title="a\x00b")
    upsert.upsert_series(connector_id=connector.pk, rows=[data], now=T0)
    row = Series.objects.get()
    assert len(row.title) == 500 and row.imdb_id == "" and row.series_type == "standard"
    assert row.sort_title == "ab"


def test_season_change_marks_series_stale(connector):
    sid = _series_pk(connector)
    upsert.upsert_seasons(rows=[(sid, season(1)), (sid, season(2))])
    assert Season.objects.filter(series_id=sid).count() == 2
    Series.objects.update(episodes_stale=False)

    upsert.upsert_seasons(rows=[(sid, season(1)), (sid, season(2))])
    assert not Series.objects.get(pk=sid).episodes_stale

    upsert.upsert_seasons(rows=[(sid, season(1)), (sid, season(2, monitored=False))])
    assert Series.objects.get(pk=sid).episodes_stale
    assert not Season.objects.get(series_id=sid, season_number=2).monitored


def test_episode_fields_round_trip(connector):
    _series_pk(connector)
    data = with_file(episode(7), 70, cutoff_not_met=True, quality="WEBDL-1080p")
    data = replace(data, custom_format_score=35, last_search_time=T0, quality_resolution=1080)
    counts = _episodes(connector, [data], T0)
    assert (counts.added, counts.updated) == (1, 0)
    row = Episode.objects.get()
    assert row.arr_id == 7 and row.series.arr_id == 1 and row.episode_file_id == 70
    assert row.quality_name == "WEBDL-1080p" and row.quality_resolution == 1080
    assert row.quality_cutoff_not_met and row.custom_format_score == 35
    assert row.last_search_time == T0 and row.air_date_utc == T0
    assert row.file_acquired_at == T0 and row.cutoff_met_at is None


def test_whisparr_v2_scene_without_episode_number(connector):
    import datetime as dt

    _series_pk(connector)
    data = episode(3, episode_number=None, air_date_utc=None, release_date=dt.date(2021, 5, 4))
    _episodes(connector, [replace(data, season_number=2021)], T0)
    row = Episode.objects.get()
    assert row.episode_number is None and row.release_date == dt.date(2021, 5, 4)
    assert Episode.objects.aired(now=T0).filter(pk=row.pk).exists()


def test_file_acquired_at_set_once_and_cleared(connector):
    _series_pk(connector)
    missing = episode(1)
    _episodes(connector, [missing], T0)
    assert Episode.objects.get().file_acquired_at is None

    # Gains a file below cutoff: acquired now, cutoff not met.
    low = with_file(missing, 10, cutoff_not_met=True)
    assert _episodes(connector, [low], T1).updated == 1
    row = Episode.objects.get()
    assert (row.file_acquired_at, row.cutoff_met_at) == (T1, None)

    # Same state again: not rewritten, timestamps unchanged.
    assert _episodes(connector, [low], T2).updated == 0
    assert Episode.objects.get().file_acquired_at == T1

    # Upgraded to a file meeting cutoff: acquisition kept, cutoff met now.
    high = with_file(missing, 11, quality="Bluray-1080p")
    _episodes(connector, [high], T2)
    row = Episode.objects.get()
    assert (row.file_acquired_at, row.cutoff_met_at) == (T1, T2)

    # Another change (title) keeps both timestamps.
    _episodes(connector, [replace(high, title="New title")], T3)
    row = Episode.objects.get()
    assert (row.file_acquired_at, row.cutoff_met_at) == (T1, T2)

    # File deleted: both cleared; re-acquired later: set again at that time.
    _episodes(connector, [missing], T3)
    row = Episode.objects.get()
    assert (row.has_file, row.file_acquired_at, row.cutoff_met_at) == (False, None, None)
    later = T3 + timedelta(days=1)
    _episodes(connector, [high], later)
    row = Episode.objects.get()
    assert (row.file_acquired_at, row.cutoff_met_at) == (later, later)


def test_cutoff_unmet_again_clears_cutoff_met_at(connector):
    _series_pk(connector)
    _episodes(connector, [with_file(episode(1))], T0)
    assert Episode.objects.get().cutoff_met_at == T0
    # The profile's cutoff was raised: the same file no longer meets it.
    _episodes(connector, [with_file(episode(1), cutoff_not_met=True)], T1)
    row = Episode.objects.get()
    assert row.cutoff_met_at is None and row.file_acquired_at == T0
    _episodes(connector, [with_file(episode(1))], T2)
    assert Episode.objects.get().cutoff_met_at == T2


def test_unknown_cutoff_left_by_a_webhook_is_confirmed_by_the_next_sync(connector):
    _series_pk(connector)
    _episodes(connector, [with_file(episode(1))], T0)
    Episode.objects.update(cutoff_met_at=None)  # as a Download webhook leaves it
    assert _episodes(connector, [with_file(episode(1))], T1).updated == 1
    assert Episode.objects.get().cutoff_met_at == T1


def test_movie_upsert_and_acquisition(connector):
    counts = upsert.upsert_movies(
        connector_id=connector.pk, rows=[movie(1), movie(2, item_type="scene")], now=T0
    )
    assert counts.added == 2
    assert Movie.objects.get(arr_id=2).item_type == "scene"
    upsert.upsert_movies(connector_id=connector.pk, rows=[with_file(movie(1), 9), movie(2)], now=T1)
    row = Movie.objects.get(arr_id=1)
    assert (row.has_file, row.movie_file_id, row.file_acquired_at, row.cutoff_met_at) == (
        True,
        9,
        T1,
        T1,
    )
    counts = upsert.upsert_movies(
        connector_id=connector.pk, rows=[with_file(movie(1), 9), movie(2)], now=T2
    )
    assert (counts.added, counts.updated) == (0, 0)


def test_same_arr_id_on_two_connectors_are_two_rows(connector):
    other = make_connector("radarr", "radarr")
    upsert.upsert_movies(connector_id=other.pk, rows=[movie(1)], now=T0)
    upsert.upsert_movies(connector_id=connector.pk, rows=[movie(1)], now=T0)
    assert Movie.objects.filter(arr_id=1).count() == 2


def test_production_upsert_has_only_the_row_sources_it_uses():
    assert not hasattr(upsert, "upsert_episodes_executemany")  # lives in benchmarks/
    with pytest.raises(ValueError, match="unknown row source"):
        upsert.EPISODES.sql("values")


def test_executemany_variant_writes_the_same_rows(connector):
    sid = _series_pk(connector)
    rows = [(sid, with_file(episode(i), 100 + i)) for i in range(1, 4)]
    from benchmarks.upsert_variants import upsert_episodes_executemany

    upsert_episodes_executemany(connector_id=connector.pk, rows=rows, now=T0)
    assert Episode.objects.filter(file_acquired_at=T0).count() == 3


def test_repeated_items_in_one_listing_do_not_fail_the_batch(connector):
    sid = _series_pk(connector)
    rows = [(sid, episode(1)), (sid, with_file(episode(1), 5))]
    counts = upsert.upsert_episodes(connector_id=connector.pk, rows=rows, now=T0)
    assert counts.added == 1 and Episode.objects.get().has_file  # the last one wins
    counts = upsert.upsert_movies(connector_id=connector.pk, rows=[movie(1), movie(1)], now=T0)
    assert counts.added == 1


def test_sync_never_touches_what_comradarr_owns(connector):
    """The Grab time survives every upsert, changed or not; the user's priority is not
    mirror state at all (searchstate.PriorityOverride), so sync has nothing to preserve."""
    from searchstate.models import PriorityOverride

    for model in (Series, Episode, Movie):
        assert "priority_override" not in {f.name for f in model._meta.get_fields()}
    _series_pk(connector)
    _episodes(connector, [episode(1)], T0)
    upsert.upsert_movies(connector_id=connector.pk, rows=[movie(1)], now=T0)
    Episode.objects.update(last_grabbed_at=T1)
    Movie.objects.update(last_grabbed_at=T1)
    PriorityOverride.objects.create(connector=connector, series=Series.objects.get(), priority=2)

    upsert.upsert_series(connector_id=connector.pk, rows=[series(1, monitored=False)], now=T2)
    _episodes(connector, [with_file(episode(1))], T2)
    upsert.upsert_movies(connector_id=connector.pk, rows=[with_file(movie(1), 4)], now=T2)

    assert PriorityOverride.of(Series.objects.get()) == 2
    ep = Episode.objects.get()
    assert ep.has_file and ep.last_grabbed_at == T1
    mv = Movie.objects.get()
    assert mv.has_file and mv.last_grabbed_at == T1
