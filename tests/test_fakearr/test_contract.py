"""Every fakearr response validates against the OpenAPI document of the version it imitates."""

from __future__ import annotations

import pytest

from tests.contract import validate_response
from tests.fakearr.specs import overlay_for

from .helpers import check, get, post

SERIES_VERSIONS = [
    ("sonarr", "4.0.19.2979"),
    ("sonarr", "4.0.9.2421"),
    ("sonarr", "3.0.10.1567"),
    ("whisparr_v2", None),
]
MOVIE_VERSIONS = [
    ("radarr", "5.28.0.10205"),
    ("radarr", "6.0.4.10291"),
    ("radarr", "4.7.5.7809"),
    ("whisparr_v3", None),
]
HEALTH = [
    {
        "source": "IndexerStatusCheck",
        "type": "warning",
        "message": "Indexers unavailable",
        "wikiUrl": "https://wiki.servarr.com/x",
    }
]


def _grab_something(arr, body):
    created = check(arr, "/api/v3/command", method="POST", body=body)
    arr.advance(30)  # the search completes; downloads are still in the queue
    return created


@pytest.mark.parametrize(("kind", "version"), SERIES_VERSIONS)
def test_series_shaped_endpoints_match_the_document(fakearr_factory, kind, version):
    arr = fakearr_factory(
        kind, version=version, series=6, episodes_per_series=20, seed=3, health=HEALTH
    )
    arr.config.grab_probability = 1.0
    arr.config.unfindable_fraction = 0.0
    status = check(arr, "/api/v3/system/status")
    assert status["appName"] == arr.profile.app_name and status["version"] == arr.profile.version
    assert check(arr, "/api/v3/health")[0]["type"] == "warning"
    check(arr, "/api/v3/qualityprofile")
    check(arr, "/api/v3/qualityprofile/2", template="/api/v3/qualityprofile/{id}")
    check(arr, "/api/v3/tag")
    series = check(arr, "/api/v3/series")
    sid = series[0]["id"]
    check(arr, f"/api/v3/series/{sid}", template="/api/v3/series/{id}")
    episodes = check(
        arr,
        "/api/v3/episode",
        {"seriesId": sid, "includeEpisodeFile": "true", "includeSeries": "true"},
    )
    check(arr, f"/api/v3/episode/{episodes[0]['id']}", template="/api/v3/episode/{id}")
    check(arr, "/api/v3/episodefile", {"seriesId": sid})
    missing = check(
        arr,
        "/api/v3/wanted/missing",
        {
            "pageSize": 50,
            "sortKey": "episodes.airDateUtc",
            "sortDirection": "ascending",
            "includeSeries": "true",
        },
    )
    check(
        arr,
        "/api/v3/wanted/cutoff",
        {
            "pageSize": 50,
            "includeEpisodeFile": "true",
            "sortKey": "episodes.airDateUtc",
            "sortDirection": "ascending",
        },
    )
    wanted_ids = [r["id"] for r in missing["records"]][:3]
    assert wanted_ids, "the generated library has missing episodes"
    _grab_something(arr, {"name": "EpisodeSearch", "episodeIds": wanted_ids})
    queue = check(
        arr,
        "/api/v3/queue",
        {
            "includeEpisode": "true",
            "includeSeries": "true",
            "pageSize": 100,
            "sortKey": "timeleft",
            "sortDirection": "ascending",
        },
    )
    assert queue["totalRecords"] >= 1
    check(arr, "/api/v3/queue/status")
    check(arr, "/api/v3/queue/details", {"seriesId": queue["records"][0]["seriesId"]})
    history = check(
        arr,
        "/api/v3/history",
        {
            "pageSize": 100,
            "includeEpisode": "true",
            "sortKey": "date",
            "sortDirection": "descending",
        },
    )
    assert history["records"][0]["eventType"] == "grabbed"
    check(arr, "/api/v3/history/since", {"date": "2000-01-01T00:00:00Z", "eventType": "grabbed"})
    commands = check(arr, "/api/v3/command")
    check(arr, f"/api/v3/command/{commands[0]['id']}", template="/api/v3/command/{id}")
    check(
        arr,
        "/api/v3/command",
        method="POST",
        body={"name": "SeasonSearch", "seriesId": sid, "seasonNumber": 1},
    )
    check(arr, "/api/v3/command", method="POST", body={"name": "SeriesSearch", "seriesId": sid})
    ping = get(arr, "/ping")
    validate_response(
        arr.profile.spec_file, "GET", "/ping", 200, ping.json(), overlay=overlay_for(arr.profile)
    )


@pytest.mark.parametrize(("kind", "version"), MOVIE_VERSIONS)
def test_movie_shaped_endpoints_match_the_document(fakearr_factory, kind, version):
    arr = fakearr_factory(kind, version=version, movies=30, seed=5, health=HEALTH)
    arr.config.grab_probability = 1.0
    arr.config.unfindable_fraction = 0.0
    check(arr, "/api/v3/system/status")
    check(arr, "/api/v3/health")
    check(arr, "/api/v3/qualityprofile")
    check(arr, "/api/v3/tag")
    movies = check(arr, "/api/v3/movie")
    with_file = next(m for m in movies if m.get("hasFile"))
    check(arr, f"/api/v3/movie/{with_file['id']}", template="/api/v3/movie/{id}")
    check(arr, "/api/v3/moviefile", [("movieId", with_file["id"]), ("movieId", movies[0]["id"])])
    check(
        arr, f"/api/v3/moviefile/{with_file['movieFile']['id']}", template="/api/v3/moviefile/{id}"
    )
    wanted = [
        m["id"] for m in movies if m["monitored"] and not m.get("hasFile") and m["isAvailable"]
    ][:3]
    assert wanted
    if arr.profile.wanted_endpoints:
        params = {
            "pageSize": 100,
            "sortKey": "movieMetadata.sortTitle",
            "sortDirection": "ascending",
        }
        for endpoint in ("missing", "cutoff"):
            page = get(arr, f"/api/v3/wanted/{endpoint}", params).json()
            assert {
                "page",
                "pageSize",
                "sortKey",
                "sortDirection",
                "totalRecords",
                "records",
            } <= set(page)
            # The Eros document predates /wanted; records are MovieResources either way.
            for record in page["records"]:
                validate_response(
                    arr.profile.spec_file,
                    "GET",
                    "/api/v3/movie/{id}",
                    200,
                    record,
                    overlay=overlay_for(arr.profile),
                )
    _grab_something(arr, {"name": "MoviesSearch", "movieIds": wanted})
    queue = check(
        arr,
        "/api/v3/queue",
        {
            "includeMovie": "true",
            "pageSize": 50,
            "sortKey": "timeleft",
            "sortDirection": "ascending",
        },
    )
    assert queue["totalRecords"] >= 1
    check(arr, "/api/v3/queue/status")
    check(arr, "/api/v3/queue/details", {"movieId": queue["records"][0]["movieId"]})
    check(
        arr,
        "/api/v3/history",
        {"pageSize": 50, "includeMovie": "true", "sortKey": "date", "sortDirection": "descending"},
    )
    check(arr, "/api/v3/history/since", {"date": "2000-01-01T00:00:00Z"})
    check(arr, "/api/v3/history/movie", {"movieId": wanted[0]})
    arr.advance(600)
    history = check(
        arr,
        "/api/v3/history/since",
        {"date": "2000-01-01T00:00:00Z", "eventType": "downloadFolderImported"},
    )
    assert history
    check(arr, "/api/v3/command")
    created = post(arr, "/api/v3/command", {"name": "RefreshMovie"})
    assert created.status_code == 201


def test_fields_a_version_lacks_are_not_sent(fakearr_factory):
    old = fakearr_factory("radarr", version="4.7.5.7809", movies=5)
    movie = get(old, "/api/v3/movie").json()[0]
    assert (
        "lastSearchTime" not in movie and "statistics" not in movie and "movieFileId" not in movie
    )
    new = fakearr_factory("radarr", version="5.28.0.10205", movies=5)
    assert "statistics" in get(new, "/api/v3/movie").json()[0]
    whisparr = fakearr_factory("whisparr_v2", series=2)
    episode = get(whisparr, "/api/v3/episode", {"seriesId": 1}).json()[0]
    assert "releaseDate" in episode
    assert not {"episodeNumber", "airDateUtc", "airDate", "lastSearchTime"} & set(episode)
    eros = fakearr_factory("whisparr_v3", movies=10)
    items = get(eros, "/api/v3/movie").json()
    assert {m["itemType"] for m in items} <= {"movie", "scene"}
    assert not {"minimumAvailability", "inCinemas", "digitalRelease"} & set(items[0])
