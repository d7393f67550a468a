"""RadarrClient: movies with files, wanted endpoints by version with the library fallback."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlsplit

import pytest
from responses import matchers

from connectors.common.errors import BadResponseError
from connectors.radarr.client import RadarrClient
from connectors.radarr.commands import movies_search

from .conftest import load_fixture

BASE = "http://arr.test:8989"
API = f"{BASE}/api/v3"
EMPTY_PAGE = {"page": 1, "pageSize": 1000, "totalRecords": 0, "records": []}


def query(call) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(call.request.url).query)


def paths(rsps) -> list[str]:
    return [urlsplit(c.request.url).path for c in rsps.calls]


@pytest.fixture
def radarr(make_client):
    client = make_client("radarr", "6.0.4.10291")
    assert isinstance(client, RadarrClient)
    return client


def test_movies_embed_files_and_fetch_the_ones_not_embedded(rsps, radarr):
    rsps.get(f"{API}/movie", json=load_fixture("radarr", "movies"))
    rsps.get(f"{API}/moviefile", json=load_fixture("radarr", "moviefiles"))
    arrival, hail_mary, dune = radarr.movies()
    assert paths(rsps) == ["/api/v3/movie", "/api/v3/moviefile"]
    assert query(rsps.calls[0]) == []
    assert query(rsps.calls[1]) == [("movieId", "9")]  # only the movie missing its file
    assert arrival.quality_cutoff_not_met is True and arrival.quality_name == "WEBDL-720p"
    assert hail_mary.has_file is False
    assert (dune.quality_name, dune.movie_file_id) == ("Bluray-1080p", 803)


def test_missing_movie_files_are_fetched_in_batches_with_repeated_ids(rsps, radarr):
    movies = [{"id": i, "title": f"M{i}", "hasFile": True} for i in range(1, 6)]
    rsps.get(f"{API}/movie", json=movies)
    rsps.get(f"{API}/moviefile", json=[])
    radarr.movie_file_batch = 2
    radarr.movies()
    assert [query(c) for c in rsps.calls[1:]] == [
        [("movieId", "1"), ("movieId", "2")],
        [("movieId", "3"), ("movieId", "4")],
        [("movieId", "5")],
    ]


def test_radarr_4_fetches_missing_files_one_movie_at_a_time(rsps, make_client):
    client = make_client("radarr", "4.7.5.7809")
    rsps.get(f"{API}/movie", json=[{"id": 1, "hasFile": True}, {"id": 2, "hasFile": True}])
    rsps.get(f"{API}/moviefile", json=[{"id": 50, "movieId": 1, "qualityCutoffNotMet": True}])
    rsps.get(f"{API}/moviefile", json=[])
    first, second = client.movies()
    assert [query(c) for c in rsps.calls[1:]] == [[("movieId", "1")], [("movieId", "2")]]
    assert first.quality_cutoff_not_met is True and first.movie_file_id == 50
    assert second.has_file and second.quality_name is None


def test_wanted_missing_and_cutoff_use_the_endpoints_from_5_6(rsps, make_client):
    client = make_client("radarr", "5.6.0.8846")
    rsps.get(f"{API}/wanted/missing", json=load_fixture("radarr", "wanted_missing"))
    rsps.get(f"{API}/wanted/cutoff", json=load_fixture("radarr", "wanted_cutoff"))
    (missing,) = client.wanted_missing()
    (cutoff,) = client.wanted_cutoff()
    assert missing.arr_id == 8 and not missing.is_available  # callers filter availability
    assert cutoff.arr_id == 7 and cutoff.quality_cutoff_not_met
    for call in rsps.calls:
        assert dict(query(call)) == {
            "monitored": "true",
            "page": "1",
            "pageSize": "1000",
            "sortKey": "movieMetadata.sortTitle",
            "sortDirection": "ascending",
        }


def test_wanted_before_5_6_filters_the_library_the_same_way(rsps, make_client):
    client = make_client("radarr", "4.7.5.7809")
    library = load_fixture("radarr", "movies")
    library[2]["movieFile"] = load_fixture("radarr", "moviefiles")[0]
    rsps.get(f"{API}/movie", json=library)
    assert [m.arr_id for m in client.wanted_missing()] == [8]
    assert [m.arr_id for m in client.wanted_cutoff()] == [7]
    assert "/api/v3/wanted/missing" not in paths(rsps)
    assert "/api/v3/wanted/cutoff" not in paths(rsps)


def test_wanted_endpoint_missing_despite_the_version_falls_back(rsps, make_client):
    client = make_client("radarr", "5.6.0.1")
    rsps.get(f"{API}/wanted/missing", status=404)
    rsps.get(f"{API}/movie", json=load_fixture("radarr", "movies"))
    rsps.get(f"{API}/moviefile", json=[])
    assert [m.arr_id for m in client.wanted_missing()] == [8]


def test_wanted_empty_listing(rsps, radarr):
    rsps.get(f"{API}/wanted/missing", json=EMPTY_PAGE)
    assert list(radarr.wanted_missing()) == []
    assert paths(rsps) == ["/api/v3/wanted/missing"]


def test_wanted_malformed_page_is_not_silently_replaced_by_the_fallback(rsps, radarr):
    rsps.get(f"{API}/wanted/missing", json={"records": "nope"})
    with pytest.raises(BadResponseError):
        list(radarr.wanted_missing())


def test_history_since_on_radarr_3_reads_paged_history_until_older(rsps, make_client):
    client = make_client("radarr", "3.2.2.5080")
    records = [
        {"id": 3, "movieId": 1, "eventType": "grabbed", "date": "2026-11-26T07:00:00Z"},
        {
            "id": 2,
            "movieId": 1,
            "eventType": "downloadFolderImported",
            "date": "2026-11-26T06:00:00Z",
        },
        {"id": 1, "movieId": 2, "eventType": "grabbed", "date": "2026-11-20T00:00:00Z"},
    ]
    rsps.get(
        f"{API}/history", json={"page": 1, "pageSize": 1000, "totalRecords": 3, "records": records}
    )
    found = client.history_since(datetime(2026, 11, 26, tzinfo=UTC), event_type="grabbed")
    assert [r.arr_id for r in found] == [3]
    params = dict(query(rsps.calls[0]))
    assert params["sortKey"] == "date" and params["sortDirection"] == "descending"
    assert "/api/v3/history/since" not in paths(rsps)


def test_history_since_on_current_radarr(rsps, radarr):
    rsps.get(f"{API}/history/since", json=load_fixture("radarr", "history_since"))
    (record,) = radarr.history_since(datetime(2026, 11, 26, tzinfo=UTC))
    assert record.movie_arr_id == 8
    assert query(rsps.calls[0]) == [("date", "2026-11-26T00:00:00Z")]


def test_post_movies_search(rsps, radarr):
    rsps.post(
        f"{API}/command",
        json=load_fixture("radarr", "command_queued"),
        status=201,
        match=[matchers.json_params_matcher({"name": "MoviesSearch", "movieIds": [7, 8]})],
    )
    status = radarr.post_command(movies_search([7, 8]))
    assert status.name == "MoviesSearch" and status.arr_id == 77


@pytest.mark.parametrize("bad", [[], [0], [1, None], "7", [True]])
def test_movies_search_refuses_bad_ids(bad):
    with pytest.raises(ValueError):
        movies_search(bad)


def test_queue_items_on_radarr(rsps, radarr):
    rsps.get(f"{API}/queue", json=load_fixture("radarr", "queue"))
    (item,) = radarr.queue_items()
    assert item.movie_arr_id == 8
