"""Mappers: every resource kind from recorded fixtures shaped like the OpenAPI schemas."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from connectors.common import mapper as common
from connectors.common.errors import BadResponseError
from connectors.common.parsing import as_date, as_datetime
from connectors.radarr.mapper import map_movie
from connectors.sonarr.mapper import map_episode, map_series
from connectors.whisparr.mapper import map_eros_item, map_scene_episode, map_site
from tests.contract import validate_response

from .conftest import COMMAND_OVERLAY, load_fixture

# Every fixture is checked against its documented schema first, so the mappers
# below are tested on JSON shaped exactly like the apps' OpenAPI documents.
# Overlays: only wire differences docs/arr-api.md records (stale or wrong documents).
FIXTURE_SCHEMAS = [
    ("sonarr", "system_status_v4", "sonarr", "GET", "/api/v3/system/status", None),
    ("sonarr", "system_status_v3", "sonarr", "GET", "/api/v3/system/status", None),
    (
        "sonarr",
        "health",
        "sonarr",
        "GET",
        "/api/v3/health",
        {"HealthResource": {"wikiUrl": {"type": "string", "nullable": True}}},
    ),
    ("sonarr", "qualityprofile", "sonarr", "GET", "/api/v3/qualityprofile", None),
    ("sonarr", "series", "sonarr", "GET", "/api/v3/series", None),
    ("sonarr", "episodes_with_file", "sonarr", "GET", "/api/v3/episode", None),
    ("sonarr", "episodes_plain", "sonarr", "GET", "/api/v3/episode", None),
    ("sonarr", "episodefiles", "sonarr", "GET", "/api/v3/episodefile", None),
    ("sonarr", "wanted_missing_page1", "sonarr", "GET", "/api/v3/wanted/missing", None),
    ("sonarr", "wanted_missing_page2", "sonarr", "GET", "/api/v3/wanted/missing", None),
    ("sonarr", "wanted_cutoff", "sonarr", "GET", "/api/v3/wanted/cutoff", None),
    ("sonarr", "queue", "sonarr", "GET", "/api/v3/queue", None),
    ("sonarr", "queue_status", "sonarr", "GET", "/api/v3/queue/status", None),
    ("sonarr", "history_since", "sonarr", "GET", "/api/v3/history/since", None),
    ("sonarr", "command_queued", "sonarr", "POST", "/api/v3/command", COMMAND_OVERLAY),
    ("sonarr", "command_completed", "sonarr", "GET", "/api/v3/command/345", COMMAND_OVERLAY),
    ("radarr", "system_status", "radarr", "GET", "/api/v3/system/status", None),
    ("radarr", "movies", "radarr", "GET", "/api/v3/movie", None),
    ("radarr", "moviefiles", "radarr", "GET", "/api/v3/moviefile", None),
    ("radarr", "wanted_missing", "radarr", "GET", "/api/v3/wanted/missing", None),
    ("radarr", "wanted_cutoff", "radarr", "GET", "/api/v3/wanted/cutoff", None),
    ("radarr", "queue", "radarr", "GET", "/api/v3/queue", None),
    ("radarr", "history_since", "radarr", "GET", "/api/v3/history/since", None),
    ("radarr", "command_queued", "radarr", "POST", "/api/v3/command", COMMAND_OVERLAY),
    (
        "whisparr_v2",
        "system_status",
        "whisparr-v2",
        "GET",
        "/api/v3/system/status",
        {
            "SystemResource": {
                "databaseVersion": {"type": "string", "nullable": True},
                "runtimeVersion": {"type": "string", "nullable": True},
            }
        },
    ),
    ("whisparr_v2", "series", "whisparr-v2", "GET", "/api/v3/series", None),
    (
        "whisparr_v2",
        "episodes",
        "whisparr-v2",
        "GET",
        "/api/v3/episode",
        {"EpisodeResource": {"releaseDate": {"type": "string", "nullable": True}}},
    ),
    ("whisparr_v2", "episodefiles", "whisparr-v2", "GET", "/api/v3/episodefile", None),
    ("whisparr_v3", "system_status", "whisparr-v3", "GET", "/api/v3/system/status", None),
    ("whisparr_v3", "movies", "whisparr-v3", "GET", "/api/v3/movie", None),
]


@pytest.mark.parametrize(
    ("app", "name", "spec", "method", "path", "overlay"),
    FIXTURE_SCHEMAS,
    ids=[f"{row[0]}/{row[1]}" for row in FIXTURE_SCHEMAS],
)
def test_fixture_matches_its_openapi_schema(app, name, spec, method, path, overlay):
    status = 201 if method == "POST" else 200
    validate_response(spec, method, path, status, load_fixture(app, name), overlay=overlay)


# ------------------------------------------------------------------ shared


def test_system_status_v4():
    status = common.map_system_status(load_fixture("sonarr", "system_status_v4"))
    assert status.app_name == "Sonarr"
    assert status.version == "4.0.19.2979"
    assert status.instance_name == "Sonarr Living Room"
    assert status.url_base == "/sonarr"
    assert status.is_docker is True
    assert status.raw_branch == "main"


def test_system_status_v3_without_instance_name_or_docker_flag():
    status = common.map_system_status(load_fixture("sonarr", "system_status_v3"))
    assert status.version == "3.0.10.1567"
    assert status.instance_name is None
    assert status.is_docker is None
    assert status.url_base is None


@pytest.mark.parametrize("raw", [{}, {"appName": "Sonarr"}, {"version": "4.0"}, [], "x", None])
def test_system_status_without_name_or_version_is_bad_response(raw):
    with pytest.raises(BadResponseError):
        common.map_system_status(raw)


def test_health():
    items = common.map_health(load_fixture("sonarr", "health"))
    assert [(i.source, i.type) for i in items] == [
        ("IndexerStatusCheck", "warning"),
        ("UpdateCheck", "notice"),
    ]
    assert items[0].wiki_url.startswith("https://wiki.servarr.com/")
    assert items[1].wiki_url is None
    # The Sonarr document types wikiUrl as an HttpUri object.
    (item,) = common.map_health(
        [{"source": "X", "type": "error", "message": "m", "wikiUrl": {"fullUri": "https://w/x"}}]
    )
    assert item.wiki_url == "https://w/x"


def test_quality_profiles():
    profiles = common.map_quality_profiles(load_fixture("sonarr", "qualityprofile"))
    hd, any_ = profiles
    assert (hd.arr_id, hd.name, hd.upgrade_allowed, hd.cutoff) == (1, "HD-1080p", True, 3)
    assert (hd.cutoff_format_score, hd.min_format_score) == (100, 0)
    assert (any_.upgrade_allowed, any_.min_format_score) == (False, -10)


def test_queue_status():
    status = common.map_queue_status(load_fixture("sonarr", "queue_status"))
    assert (status.total_count, status.count, status.unknown_count) == (3, 2, 1)
    assert (status.errors, status.warnings) == (False, True)


def test_queue_items_sonarr_and_radarr():
    known, unknown = (common.map_queue_item(r) for r in load_fixture("sonarr", "queue")["records"])
    assert (known.arr_id, known.series_arr_id, known.episode_arr_id, known.movie_arr_id) == (
        9001,
        12,
        103,
        None,
    )
    assert known.status == "downloading" and known.tracked_download_state == "downloading"
    assert unknown.series_arr_id is None and unknown.episode_arr_id is None
    assert unknown.tracked_download_state == "importBlocked"
    (movie,) = (common.map_queue_item(r) for r in load_fixture("radarr", "queue")["records"])
    assert (movie.movie_arr_id, movie.series_arr_id, movie.status) == (8, None, "queued")


def test_history_records():
    grabbed, imported = common.map_history(load_fixture("sonarr", "history_since"))
    assert grabbed.event_type == "grabbed"
    assert grabbed.date == datetime(2026, 11, 26, 7, 0, tzinfo=UTC)
    assert (grabbed.series_arr_id, grabbed.episode_arr_id, grabbed.movie_arr_id) == (12, 103, None)
    assert grabbed.download_id == "SABnzbd_nzo_abc123"
    assert grabbed.quality_cutoff_not_met is False
    assert imported.download_id is None  # omitted key = null
    assert imported.quality_cutoff_not_met is True
    assert imported.date == datetime(2026, 11, 26, 6, 30, 0, 123456, tzinfo=UTC)
    (movie,) = common.map_history(load_fixture("radarr", "history_since"))
    assert (movie.movie_arr_id, movie.episode_arr_id) == (8, None)


def test_history_record_without_date_is_bad_response():
    with pytest.raises(BadResponseError, match="date"):
        common.map_history_record({"id": 1, "eventType": "grabbed"})


def test_commands():
    queued = common.map_command(load_fixture("sonarr", "command_queued"))
    assert (queued.arr_id, queued.name, queued.status) == (345, "EpisodeSearch", "queued")
    assert queued.message is None and queued.started is None and queued.ended is None
    assert queued.body["episodeIds"] == [101, 102]
    assert not queued.is_finished
    done = common.map_command(load_fixture("sonarr", "command_completed"))
    assert done.status == "completed" and done.is_finished
    assert done.message == "Episode search completed. 1 reports downloaded."
    assert done.ended == datetime(2026, 11, 26, 7, 10, 4, 500000, tzinfo=UTC)
    movies = common.map_command(load_fixture("radarr", "command_queued"))
    assert movies.name == "MoviesSearch" and movies.body["movieIds"] == [7, 8]


def test_command_without_id_is_bad_response():
    with pytest.raises(BadResponseError, match="'id'"):
        common.map_command({"name": "EpisodeSearch", "status": "queued"})


# ------------------------------------------------------------------ sonarr


def test_series_with_seasons_and_statistics():
    expanse, nightly = (map_series(r) for r in load_fixture("sonarr", "series"))
    assert (expanse.arr_id, expanse.title, expanse.sort_title, expanse.year) == (
        12,
        "The Expanse",
        "expanse",
        2015,
    )
    assert (expanse.status, expanse.series_type, expanse.monitored) == ("ended", "standard", True)
    assert (expanse.tvdb_id, expanse.tmdb_id, expanse.imdb_id) == (280619, 63639, "tt3230854")
    assert expanse.quality_profile_id == 1
    assert expanse.added == datetime(2021, 3, 1, 10, 11, 12, 123456, tzinfo=UTC)
    assert expanse.previous_airing == datetime(2017, 4, 19, 2, 0, tzinfo=UTC)
    assert expanse.next_airing is None
    assert (expanse.episode_file_count, expanse.episode_count, expanse.total_episode_count) == (
        22,
        23,
        26,
    )
    assert expanse.size_on_disk == 36000000000
    assert [s.season_number for s in expanse.seasons] == [0, 1, 2]
    season1 = expanse.seasons[1]
    assert (season1.monitored, season1.episode_file_count, season1.episode_count) == (True, 9, 10)
    assert season1.percent_of_episodes == 90.0
    assert season1.previous_airing == datetime(2016, 2, 3, 2, 0, tzinfo=UTC)
    # A new series: statistics, tvdbId, year all missing or zero -> None / 0.
    assert nightly.year is None and nightly.tvdb_id is None and nightly.imdb_id is None
    assert nightly.sort_title == "nightly news"
    assert nightly.series_type == "daily"
    assert (nightly.episode_count, nightly.size_on_disk, nightly.seasons) == (0, 0, ())
    assert nightly.next_airing == datetime(2026, 12, 1, 23, 0, tzinfo=UTC)


def test_episode_with_embedded_file():
    first, second, missing, special = (
        map_episode(r) for r in load_fixture("sonarr", "episodes_with_file")
    )
    assert (first.arr_id, first.series_arr_id, first.season_number, first.episode_number) == (
        101,
        12,
        1,
        1,
    )
    assert first.air_date_utc == datetime(2015, 12, 15, 2, 0, tzinfo=UTC)
    assert first.release_date is None
    assert (first.has_file, first.episode_file_id) == (True, 501)
    assert (first.quality_name, first.quality_resolution) == ("HDTV-720p", 720)
    assert first.quality_cutoff_not_met is True  # from the FILE resource
    assert first.custom_format_score == 10
    assert first.last_search_time == datetime(2026, 11, 1, 12, 30, tzinfo=UTC)
    assert second.quality_cutoff_not_met is False and second.last_search_time is None
    assert (missing.has_file, missing.episode_file_id, missing.quality_name) == (False, None, None)
    assert missing.quality_cutoff_not_met is False and missing.custom_format_score is None
    assert special.air_date_utc is None and special.monitored is False


def test_episode_without_embedded_file_merges_the_episodefile():
    plain = load_fixture("sonarr", "episodes_plain")
    files = {f["id"]: f for f in load_fixture("sonarr", "episodefiles")}
    merged = [map_episode(r, episode_file=files.get(r["episodeFileId"])) for r in plain]
    embedded = [map_episode(r) for r in load_fixture("sonarr", "episodes_with_file")]
    assert merged == embedded
    # Not merged: the episode has a file but its quality is unknown, never "below cutoff".
    lone = map_episode(plain[0])
    assert lone.has_file and lone.quality_name is None and lone.quality_cutoff_not_met is False


def test_episode_listed_by_wanted_cutoff_is_below_cutoff_without_an_embedded_file():
    raw = load_fixture("sonarr", "episodes_plain")[1]
    assert map_episode(raw, cutoff_listed=True).quality_cutoff_not_met is True


def test_episode_missing_required_fields_is_bad_response():
    with pytest.raises(BadResponseError, match="'seriesId'"):
        map_episode({"id": 1})
    with pytest.raises(BadResponseError):
        map_episode({"seriesId": 1})
    with pytest.raises(BadResponseError):
        map_episode("not an object")


def test_hostile_values_read_as_none_not_crashes():
    episode = map_episode(
        {
            "id": 5,
            "seriesId": 1,
            "episodeNumber": "x",
            "airDateUtc": "not a date",
            "lastSearchTime": 12,
            "title": None,
            "hasFile": "yes",
            "episodeFileId": -4,
            "episodeFile": {"quality": "bad", "qualityCutoffNotMet": "true"},
        }
    )
    assert episode.episode_number is None and episode.air_date_utc is None
    assert episode.last_search_time is None and episode.title == ""
    assert episode.has_file is False and episode.quality_name is None
    assert episode.quality_cutoff_not_met is False


# ------------------------------------------------------------------ radarr


def test_movie_with_embedded_movie_file():
    arrival = map_movie(load_fixture("radarr", "movies")[0])
    assert (arrival.arr_id, arrival.title, arrival.sort_title, arrival.year) == (
        7,
        "Arrival",
        "arrival",
        2016,
    )
    assert (arrival.status, arrival.monitored, arrival.minimum_availability) == (
        "released",
        True,
        "released",
    )
    assert arrival.is_available is True
    assert arrival.in_cinemas == datetime(2016, 11, 10, tzinfo=UTC)
    assert arrival.digital_release == datetime(2017, 1, 24, tzinfo=UTC)
    assert arrival.physical_release == datetime(2017, 2, 14, tzinfo=UTC)
    assert arrival.release_date == datetime(2017, 1, 24, tzinfo=UTC)
    assert (arrival.tmdb_id, arrival.imdb_id, arrival.quality_profile_id) == (
        329865,
        "tt2543164",
        4,
    )
    assert (arrival.has_file, arrival.movie_file_id) == (True, 801)
    assert (arrival.quality_name, arrival.quality_resolution) == ("WEBDL-720p", 720)
    assert arrival.quality_cutoff_not_met is True
    assert arrival.custom_format_score == 25
    assert arrival.last_search_time == datetime(2026, 11, 20, 5, 0, tzinfo=UTC)
    assert arrival.item_type == "movie"


def test_movie_without_file_and_announced():
    hail_mary = map_movie(load_fixture("radarr", "movies")[1])
    assert (hail_mary.has_file, hail_mary.movie_file_id, hail_mary.quality_name) == (
        False,
        None,
        None,
    )
    assert hail_mary.is_available is False and hail_mary.status == "announced"
    assert hail_mary.quality_cutoff_not_met is False
    assert hail_mary.in_cinemas is None and hail_mary.imdb_id is None


def test_movie_file_merged_from_moviefile_when_not_embedded():
    dune_raw = load_fixture("radarr", "movies")[2]
    (dune_file,) = load_fixture("radarr", "moviefiles")
    dune = map_movie(dune_raw, movie_file=dune_file)
    assert (dune.has_file, dune.movie_file_id, dune.quality_name) == (True, 803, "Bluray-1080p")
    assert dune.quality_cutoff_not_met is False and dune.monitored is False


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"id": 1, "hasFile": True}, True),
        ({"id": 1, "hasFile": False, "movieFileId": 9}, False),
        ({"id": 1, "statistics": {"movieFileCount": 1}}, True),
        ({"id": 1, "statistics": {"movieFileCount": 0}}, False),
        ({"id": 1, "movieFileId": 4}, True),
        ({"id": 1, "movieFile": {"id": 4}}, True),
        ({"id": 1}, False),
    ],
)
def test_movie_has_file_across_versions(raw, expected):
    # hasFile is nullable (>= 5.3 derives it from statistics); older apps only embed movieFile.
    assert map_movie(raw).has_file is expected


# ------------------------------------------------------------------ whisparr


def test_whisparr_v2_site_and_scene_with_release_date():
    (site,) = (map_site(r) for r in load_fixture("whisparr_v2", "series"))
    assert (site.arr_id, site.title, site.series_type) == (3, "Example Site", "standard")
    assert site.tvdb_id is None and site.tmdb_id is None
    assert [s.season_number for s in site.seasons] == [2024]  # a season is a year
    files = {f["id"]: f for f in load_fixture("whisparr_v2", "episodefiles")}
    scene, wanted = (
        map_scene_episode(r, episode_file=files.get(r["episodeFileId"]))
        for r in load_fixture("whisparr_v2", "episodes")
    )
    assert scene.episode_number is None and scene.air_date_utc is None
    assert scene.release_date == date(2024, 3, 15)
    assert scene.season_number == 2024
    assert (scene.has_file, scene.quality_name, scene.quality_cutoff_not_met) == (
        True,
        "WEBDL-1080p",
        True,
    )
    assert scene.last_search_time is None
    assert wanted.release_date == date(2024, 4, 2) and not wanted.has_file


def test_whisparr_v2_release_date_as_the_documented_object():
    scene = map_scene_episode(
        {"id": 1, "seriesId": 2, "releaseDate": {"year": 2023, "month": 2, "day": 28}}
    )
    assert scene.release_date == date(2023, 2, 28)


def test_whisparr_v3_scene_and_movie_items():
    scene, feature = (map_eros_item(r) for r in load_fixture("whisparr_v3", "movies"))
    assert scene.item_type == "scene" and feature.item_type == "movie"
    assert (scene.has_file, scene.movie_file_id, scene.quality_name) == (True, 901, "WEBDL-1080p")
    assert scene.quality_cutoff_not_met is False and scene.custom_format_score == 5
    assert scene.release_date == datetime(2025, 11, 30, tzinfo=UTC)
    # Eros has no minimumAvailability or cinema dates.
    assert scene.minimum_availability == "released"
    assert scene.in_cinemas is None and scene.digital_release is None
    assert feature.is_available is False and feature.has_file is False


# ------------------------------------------------------------------ parsing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-02T03:04:05Z", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2024-01-02T03:04:05.1234567Z", datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)),
        ("2024-01-02T03:04:05+02:00", datetime(2024, 1, 2, 1, 4, 5, tzinfo=UTC)),
        ("2024-01-02T03:04:05", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("0001-01-01T00:00:00Z", None),
        ("", None),
        (None, None),
        ("yesterday", None),
    ],
)
def test_as_datetime(text, expected):
    assert as_datetime(text) == expected


def test_as_date():
    assert as_date("2024-03-15") == date(2024, 3, 15)
    assert as_date("2024-02-30") is None
    assert as_date(None) is None


@pytest.mark.parametrize(
    ("minimum", "dates", "expected"),
    [
        ("announced", {}, True),
        ("inCinemas", {"inCinemas": "2001-01-01T00:00:00Z"}, True),
        ("inCinemas", {"inCinemas": "2999-01-01T00:00:00Z"}, False),
        ("released", {"digitalRelease": "2001-01-01T00:00:00Z"}, True),
        ("released", {"physicalRelease": "2999-01-01T00:00:00Z"}, False),
        # Only a cinema date: released counts from 90 days after it.
        ("released", {"inCinemas": "2001-01-01T00:00:00Z"}, True),
        ("released", {}, False),
    ],
)
def test_movie_without_is_available_gets_radarrs_rule(minimum, dates, expected):
    raw = {"id": 7, "title": "Old Radarr", "minimumAvailability": minimum, **dates}
    assert map_movie(raw).is_available is expected


def test_movie_is_available_from_the_app_wins_over_the_rule():
    raw = {
        "id": 7,
        "title": "Delayed",
        "minimumAvailability": "released",
        "digitalRelease": "2001-01-01T00:00:00Z",
        "isAvailable": False,  # e.g. the user's availability delay holds it back
    }
    assert map_movie(raw).is_available is False
