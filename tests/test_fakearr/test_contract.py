"""Every fakearr response validates against the OpenAPI document of the version it imitates."""

from __future__ import annotations

import pytest
import requests

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


# Query parameters an endpoint needs to answer (the apps answer 400 or everything without).
ROUTE_PARAMS = {
    "/api/v3/episode": lambda ids: {"seriesId": ids["series"]},
    "/api/v3/episodefile": lambda ids: {"seriesId": ids["series"]},
    "/api/v3/moviefile": lambda ids: {"movieId": ids["movie"]},
    "/api/v3/history/series": lambda ids: {"seriesId": ids["series"]},
    "/api/v3/history/movie": lambda ids: {"movieId": ids["movie"]},
    "/api/v3/history/since": lambda ids: {"date": "2000-01-01T00:00:00Z"},
    "/api/v3/queue/details": lambda ids: {"includeEpisode": "true"},
}
# Which id fills {id} in a route, by the route's resource.
ROUTE_IDS = {
    "qualityprofile": "profile",
    "tag": "tag",
    "series": "series",
    "episode": "episode",
    "episodefile": "episodefile",
    "missing": "episode",
    "cutoff": "episode",
    "movie": "movie",
    "moviefile": "moviefile",
    "queue": "queue",
    "command": "queued_command",
}
# Routes whose document has no entry: the Eros document predates /wanted (docs/arr-api.md
# section 4), so its records are checked as the MovieResources they are.
UNDOCUMENTED = {("whisparr_v3", "/api/v3/wanted/missing"), ("whisparr_v3", "/api/v3/wanted/cutoff")}
# The Sonarr-family documents declare GET /api without a body; docs/arr-api.md section 0 gives it.
API_INFO = {"current": "v3", "deprecated": []}


def _sample_ids(arr) -> dict[str, int]:
    """One existing id of each resource, with a grab in the queue and a queued command."""
    ids: dict[str, int] = {
        "profile": get(arr, "/api/v3/qualityprofile").json()[0]["id"],
        "tag": get(arr, "/api/v3/tag").json()[0]["id"],
    }
    if arr.profile.shape == "series":
        ids["series"] = get(arr, "/api/v3/series").json()[0]["id"]
        episodes = get(arr, "/api/v3/episode", {"seriesId": ids["series"]}).json()
        ids["episode"] = episodes[0]["id"]
        ids["episodefile"] = next(e["episodeFileId"] for e in episodes if e.get("hasFile"))
        arr.grab([next(e["id"] for e in episodes if not e.get("hasFile"))])
    else:
        movies = get(arr, "/api/v3/movie").json()
        ids["movie"] = movies[0]["id"]
        ids["moviefile"] = next(m["movieFile"]["id"] for m in movies if m.get("hasFile"))
        arr.grab([next(m["id"] for m in movies if not m.get("hasFile") and m["isAvailable"])])
    queue = get(
        arr, "/api/v3/queue", {"pageSize": 10, "sortKey": "timeleft", "sortDirection": "ascending"}
    ).json()
    ids["queue"] = queue["records"][0]["id"]
    ids["queued_command"] = post(arr, "/api/v3/command", {"name": "RssSync"}).json()["id"]
    return ids


@pytest.mark.parametrize(("kind", "version"), SERIES_VERSIONS + MOVIE_VERSIONS)
def test_every_route_answers_as_its_document_says(fakearr_factory, kind, version):
    """Walks fakearr's own route table, so a route added later is validated too."""
    arr = fakearr_factory(kind, version=version, series=4, episodes_per_series=12, movies=20)
    ids = _sample_ids(arr)
    routes = arr.api.routes
    assert len(routes) > 20
    for method, pattern, _ in routes:
        template = pattern.pattern.removeprefix("^").removesuffix("/?$").replace(r"(\d+)", "{id}")
        path = template
        if "{id}" in template:
            resource = template.split("/")[-2]
            path = template.replace("{id}", str(ids[ROUTE_IDS[resource]]))
        params = ROUTE_PARAMS.get(template, lambda _: None)(ids)
        if method == "GET":
            response = get(arr, path, params)
        elif method == "POST":
            response = post(arr, path, {"name": "RefreshMonitoredDownloads"})
        else:
            response = requests.delete(
                arr.url + path, headers={"X-Api-Key": arr.api_key}, timeout=10
            )
        assert response.status_code in (200, 201), (method, path, response.text[:300])
        body = response.json() if response.content else None
        if template == "/api":
            assert body == API_INFO
        if (kind, template) in UNDOCUMENTED:
            for record in body["records"]:
                validate_response(
                    arr.profile.spec_file,
                    "GET",
                    "/api/v3/movie/{id}",
                    200,
                    record,
                    overlay=overlay_for(arr.profile),
                )
            continue
        if template == "/api" and arr.profile.shape == "series":
            continue
        validate_response(
            arr.profile.spec_file,
            method,
            template,
            response.status_code,
            body,
            overlay=overlay_for(arr.profile),
        )
    validate_response(
        arr.profile.spec_file,
        "GET",
        "/ping",
        200,
        get(arr, "/ping").json(),
        overlay=overlay_for(arr.profile),
    )
