"""HttpClient.get_list_stream (incremental JSON parsing of big listings) and the
session's one-time reading of the proxy / CA environment (trust_env off)."""

from __future__ import annotations

import json
import socket
import threading

import pytest

from connectors.common.errors import AuthenticationError, BadResponseError, ServerError

from .conftest import API_KEY

BASE = "http://radarr.test:7878"
MOVIES = f"{BASE}/api/v3/movie"


def stream(http, path="/api/v3/movie"):
    return list(http.get_list_stream(path, kind="movie"))


def test_streams_every_object_of_the_array(rsps, make_http):
    movies = [{"id": i, "title": f"Movie {i}", "ratings": {"value": 7.5}} for i in range(3000)]
    rsps.get(MOVIES, body=json.dumps(movies), content_type="application/json")
    http = make_http(BASE)
    assert stream(http) == movies
    assert http.request_count == 1
    assert rsps.calls[0].request.headers["X-Api-Key"] == API_KEY


def test_bom_and_whitespace_before_the_array_are_fine(rsps, make_http):
    rsps.get(MOVIES, body=b'\xef\xbb\xbf \n [ {"id": 1} ] \n')
    assert stream(make_http(BASE)) == [{"id": 1}]


def test_an_empty_array_is_an_empty_listing(rsps, make_http):
    rsps.get(MOVIES, body="[]")
    assert stream(make_http(BASE)) == []


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ('{"records": [{"id": 1}]}', "no list"),  # an object must not read as "no movies"
        ("", "nothing"),
        ("   ", "nothing"),
        ("<html><body>login</body></html>", "web page"),
        ('[{"id": 1}, 2]', "holding a int"),
        ('[{"id": 1}, {"id": 2}', "malformed or truncated"),
        ('[{"id": 1}, {"id": 2]', "malformed or truncated"),
        ('[{"id": 1}] trailing', "malformed or truncated"),
    ],
)
def test_anything_but_a_complete_array_of_objects_raises(rsps, make_http, body, says):
    rsps.get(MOVIES, body=body, content_type="application/json")
    with pytest.raises(BadResponseError) as caught:
        stream(make_http(BASE))
    assert says in str(caught.value)


@pytest.mark.parametrize("body", ['[,{"id": 1}]', '[{"id": 1},]', '[{"id": 1} {"id": 2}]', "[{}"])
def test_separators_are_checked(rsps, make_http, body):
    rsps.get(MOVIES, body=body)
    with pytest.raises(BadResponseError, match="malformed or truncated"):
        stream(make_http(BASE))


@pytest.mark.parametrize("chunk", [1, 3, 7, 64])
def test_items_and_characters_split_across_chunks(rsps, make_http, monkeypatch, chunk):
    monkeypatch.setattr("connectors.common.json_stream.CHUNK", chunk)
    movies = [{"id": 1, "title": "Amélie \u2013 東京 🎬"}, {"id": 2, "tags": [1, 2], "x": None}]
    rsps.get(MOVIES, body=json.dumps(movies, ensure_ascii=False).encode())
    assert stream(make_http(BASE)) == movies


def test_an_element_that_never_completes_stops_buffering(rsps, make_http, monkeypatch):
    monkeypatch.setattr("connectors.common.json_stream.ITEM_LIMIT", 1000)
    monkeypatch.setattr("connectors.common.json_stream.CHUNK", 100)
    reads = []
    body = '[{"id": 1, "title": "' + "x" * 5000 + '"}]'
    rsps.get(MOVIES, body=body)
    http = make_http(BASE)
    with pytest.raises(BadResponseError, match="malformed or truncated"):
        for item in http.get_list_stream("/api/v3/movie", kind="movie"):
            reads.append(item)
    assert reads == []


def test_an_html_content_type_is_refused(rsps, make_http):
    rsps.get(MOVIES, body="[]", content_type="text/html")
    with pytest.raises(BadResponseError, match="web page"):
        stream(make_http(BASE))


def test_the_request_is_retried_like_get_and_errors_are_typed(rsps, make_http, sleeps):
    rsps.get(MOVIES, status=503)
    rsps.get(MOVIES, body='[{"id": 1}]')
    http = make_http(BASE)
    assert stream(http) == [{"id": 1}]
    assert http.request_count == 2 and len(sleeps) == 1

    rsps.replace("GET", MOVIES, status=401)
    with pytest.raises(AuthenticationError):
        stream(http)
    rsps.replace("GET", MOVIES, status=500, json={"message": "boom"})
    with pytest.raises(ServerError, match="boom"):
        stream(make_http(BASE, max_retries=0))


def _cut_server(body: bytes, claimed: int) -> tuple[str, threading.Thread]:
    """One-shot HTTP server that promises ``claimed`` bytes and sends ``body``, then hangs up."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                + f"Content-Length: {claimed}\r\n\r\n".encode()
                + body
            )
        listener.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return f"http://127.0.0.1:{listener.getsockname()[1]}", thread


def test_a_connection_cut_mid_listing_raises_after_the_items_already_read(make_http):
    items = [{"id": i, "title": "x" * 100} for i in range(20000)]
    full = json.dumps(items).encode()
    url, thread = _cut_server(full[: len(full) // 2], claimed=len(full))
    seen = []
    with pytest.raises(BadResponseError) as caught:
        for item in make_http(url, max_retries=0).get_list_stream("/movie", kind="movie"):
            seen.append(item)
    thread.join(5)
    assert "incomplete" in str(caught.value) or "truncated" in str(caught.value)
    assert 0 < len(seen) < len(items)  # items flowed before the cut was seen
    assert API_KEY not in str(caught.value)


# ------------------------------------------------------------ environment, once


def test_the_session_reads_proxies_once_not_per_request(monkeypatch, make_http):
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "sonarr.lan")
    proxied = make_http("http://radarr.test:7878")
    assert proxied.session.trust_env is False
    assert proxied.session.proxies.get("http") == "http://proxy.example:3128"
    assert make_http("http://sonarr.lan:8989").session.proxies == {}


def test_ca_bundle_variables_still_apply_when_verifying(monkeypatch, make_http):
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/private-ca.pem")
    assert make_http("https://radarr.test")._verify == "/etc/ssl/private-ca.pem"
    assert make_http("https://radarr.test", verify_ssl=False)._verify is False
    monkeypatch.delenv("REQUESTS_CA_BUNDLE")
    assert make_http("https://radarr.test")._verify is True


def test_requests_carry_the_verify_setting(rsps, make_http, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/private-ca.pem")
    rsps.get(MOVIES, body="[]")
    http = make_http(BASE)
    sent = {}
    original = http.session.request

    def spy(*args, **kwargs):
        sent.update(kwargs)
        return original(*args, **kwargs)

    monkeypatch.setattr(http.session, "request", spy)
    http.get("/api/v3/movie")
    assert sent["verify"] == "/etc/ssl/private-ca.pem"
