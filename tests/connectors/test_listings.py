"""HttpClient.get_list: a listing read whole when small, streamed past the client's cap,
with the same verdicts either way (connectors.common.listings)."""

from __future__ import annotations

import json

import pytest
import requests

from connectors.common.errors import BadResponseError

BASE = "http://radarr.test:7878"
MOVIES = f"{BASE}/api/v3/movie"
# A cap of a few bytes sends every listing down the streamed path.
PATHS = pytest.mark.parametrize("cap", [8 * 1024 * 1024, 16], ids=["whole", "streamed"])


@PATHS
def test_every_object_in_order(rsps, make_http, cap):
    movies = [{"id": i, "title": f"Movie {i} \u2013 東京"} for i in range(2000)]
    rsps.get(MOVIES, body=json.dumps(movies, ensure_ascii=False).encode())
    http = make_http(BASE, max_response_bytes=cap)
    assert http.get_list("/api/v3/movie", kind="movie") == movies
    assert http.request_count == 1


@PATHS
@pytest.mark.parametrize(
    ("body", "says"),
    [
        ('{"records": [{"id": 1}]}', "no list"),
        ("", "nothing"),
        ("   ", "nothing"),
        ("<html><body>login</body></html>", "web page"),
        ('[{"id": 1}, 2]', "holding a int"),
        ('[{"id": 1}, {"id": 2}', "malformed or truncated"),
        ('[{"id": 1}] trailing', "malformed or truncated"),
    ],
)
def test_anything_but_a_complete_array_of_objects_raises_the_same(rsps, make_http, cap, body, says):
    rsps.get(MOVIES, body=body, content_type="application/json")
    with pytest.raises(BadResponseError, match=says):
        make_http(BASE, max_response_bytes=cap).get_list("/api/v3/movie", kind="movie")


@PATHS
def test_an_html_content_type_is_refused(rsps, make_http, cap):
    rsps.get(MOVIES, body="[]", content_type="text/html")
    with pytest.raises(BadResponseError, match="web page"):
        make_http(BASE, max_response_bytes=cap).get_list("/api/v3/movie", kind="movie")


@PATHS
def test_a_cut_connection_is_an_incomplete_listing(rsps, make_http, cap):
    rsps.get(MOVIES, body=requests.exceptions.ChunkedEncodingError("cut"))
    with pytest.raises(BadResponseError, match="incomplete"):
        make_http(BASE, max_response_bytes=cap).get_list("/api/v3/movie", kind="movie")


def test_a_big_listing_is_not_held_as_raw_text(rsps, make_http, monkeypatch):
    from connectors.common import json_stream

    seen = []
    original = json_stream.JsonListReader._more

    def watch(reader):
        more = original(reader)
        seen.append(len(reader.buffer))
        return more

    monkeypatch.setattr(json_stream.JsonListReader, "_more", watch)
    monkeypatch.setattr(json_stream, "CHUNK", 4096)
    movies = [{"id": i, "overview": "o" * 500} for i in range(4000)]  # ~2 MB
    rsps.get(MOVIES, body=json.dumps(movies))
    http = make_http(BASE, max_response_bytes=64 * 1024)
    assert len(http.get_list("/api/v3/movie", kind="movie")) == 4000
    # The first 64 KB are read before streaming starts; after that, about one chunk.
    assert max(seen) < 64 * 1024 + 2 * 4096
