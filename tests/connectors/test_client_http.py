"""HttpClient: headers, URLs, typed errors, retries and backoff, paging, redaction."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import responses
from responses import matchers

import comradarr
from comradarr.logs import TRACE
from connectors.common.answers import parse_retry_after
from connectors.common.errors import (
    ArrError,
    ArrTimeoutError,
    AuthenticationError,
    BadResponseError,
    ClientRequestError,
    InvalidURLError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    UnreachableError,
)
from connectors.common.query import encode_params

from .conftest import API_KEY

BASE = "http://sonarr.test:8989"
STATUS = f"{BASE}/api/v3/system/status"


def query_of(call) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(call.request.url).query, keep_blank_values=True)


# ---------------------------------------------------------------- requests sent


def test_every_request_sends_key_header_accept_and_user_agent(rsps, make_http):
    rsps.get(STATUS, json={"appName": "Sonarr"})
    http = make_http()
    assert http.get("/api/v3/system/status") == {"appName": "Sonarr"}
    sent = rsps.calls[0].request
    assert sent.headers["X-Api-Key"] == API_KEY
    assert sent.headers["Accept"] == "application/json"
    assert sent.headers["User-Agent"] == f"Comradarr/{comradarr.__version__}"
    assert "apikey" not in sent.url.lower()
    assert API_KEY not in sent.url
    assert http.request_count == 1


def test_timeout_and_verify_are_passed_on_every_call(make_http, monkeypatch):
    http = make_http(timeout=7, verify_ssl=False)
    seen = {}

    def fake_request(method, url, **kwargs):
        seen.update(kwargs)
        response = requests.Response()
        response.status_code = 200
        response._content = b"{}"
        response._content_consumed = True  # iter_content then replays _content
        return response

    monkeypatch.setattr(http.session, "request", fake_request)
    http.get("/api/v3/health")
    assert seen["timeout"] == 7.0
    assert seen["verify"] is False
    assert seen["allow_redirects"] is False


@pytest.mark.parametrize("bad", [None, 0, -1, "30", True])
def test_a_timeout_cannot_be_omitted(bad):
    from connectors.common.http import HttpClient

    with pytest.raises(ValueError, match="timeout"):
        HttpClient(BASE, API_KEY, timeout=bad)


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [
        ("http://host:8989/sonarr", "http://host:8989/sonarr/api/v3/health"),
        ("http://host:8989/sonarr/", "http://host:8989/sonarr/api/v3/health"),
        ("http://host:8989//", "http://host:8989/api/v3/health"),
        ("  https://Host.example/ ", "https://host.example/api/v3/health"),
    ],
)
def test_url_base_paths_are_joined_without_double_or_missing_slashes(
    rsps, make_http, base_url, expected
):
    rsps.get(expected, json=[])
    http = make_http(base_url)
    assert http.get("/api/v3/health") == []
    assert http.get("api/v3/health") == []
    assert rsps.calls[0].request.url == expected


def test_ping_has_no_api_prefix_under_a_url_base(rsps, make_http):
    rsps.get("http://host:8989/sonarr/ping", json={"status": "OK"})
    assert make_http("http://host:8989/sonarr").get_ping() == {"status": "OK"}


@pytest.mark.parametrize(
    "bad_url",
    [
        "",
        "   ",
        "sonarr:8989",
        "ftp://host:21",
        "http://",
        "http://ho st:8989",
        "http://host:port",
        # One answer with the form's: refused, never silently dropped or kept.
        "http://host:8989/?apikey=secret#frag",
        "http://user:secret@host:8989",
    ],
)
def test_unusable_urls_are_refused_with_a_clear_message(bad_url):
    from connectors.common.http import HttpClient

    with pytest.raises(InvalidURLError) as info:
        HttpClient(bad_url, API_KEY)
    assert "URL" in str(info.value)
    assert info.value.policy.retry_request is False


def test_array_params_are_repeated_and_values_encoded_for_aspnet():
    since = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)
    pairs = encode_params(
        {
            "episodeIds": [1, 2, 3],
            "includeEpisodeFile": True,
            "monitored": False,
            "date": since,
            "skip": None,
        }
    )
    assert pairs == [
        ("episodeIds", "1"),
        ("episodeIds", "2"),
        ("episodeIds", "3"),
        ("includeEpisodeFile", "true"),
        ("monitored", "false"),
        ("date", "2026-11-26T07:00:00Z"),
    ]
    with pytest.raises(ValueError, match="naive"):
        encode_params({"date": datetime(2026, 1, 1)})


def test_repeated_array_params_on_the_wire(rsps, make_http):
    rsps.get(f"{BASE}/api/v3/episode", json=[])
    make_http().get("/api/v3/episode", {"episodeIds": [101, 102]})
    assert query_of(rsps.calls[0]) == [("episodeIds", "101"), ("episodeIds", "102")]


def test_an_apikey_query_parameter_is_refused(rsps, make_http):
    with pytest.raises(ValueError, match="X-Api-Key header only"):
        make_http().get("/api/v3/health", {"apiKey": API_KEY})
    assert len(rsps.calls) == 0


def test_post_sends_json_body(rsps, make_http):
    rsps.post(
        f"{BASE}/api/v3/command",
        json={"id": 1, "name": "EpisodeSearch"},
        status=201,
        match=[matchers.json_params_matcher({"name": "EpisodeSearch", "episodeIds": [1, 2]})],
    )
    body = make_http().post("/api/v3/command", json={"name": "EpisodeSearch", "episodeIds": [1, 2]})
    assert body["id"] == 1


def test_empty_2xx_body_is_none(rsps, make_http):
    rsps.get(f"{BASE}/api/v3/health", body=b"", status=200)
    assert make_http().get("/api/v3/health") is None


# ---------------------------------------------------------------------- errors


def test_401_with_empty_body_is_authentication_error(rsps, make_http):
    rsps.get(STATUS, body=b"", status=401)
    with pytest.raises(AuthenticationError) as info:
        make_http().get("/api/v3/system/status")
    err = info.value
    assert str(err).startswith("Sonarr at http://sonarr.test:8989 rejected the API key (HTTP 401)")
    assert err.status_code == 401
    assert err.policy.retry_request is False
    assert len(rsps.calls) == 1  # never retried


def test_401_with_sonarr_v3_json_body_is_authentication_error(rsps, make_http):
    rsps.get(STATUS, json={"error": "Unauthorized"}, status=401)
    with pytest.raises(AuthenticationError, match=r"rejected the API key \(HTTP 401\)"):
        make_http().get("/api/v3/system/status")


def test_403_is_authentication_error(rsps, make_http):
    rsps.get(STATUS, body=b"", status=403)
    with pytest.raises(AuthenticationError) as info:
        make_http().get("/api/v3/system/status")
    assert info.value.status_code == 403


def test_404_is_not_found_and_not_retried(rsps, make_http, sleeps):
    rsps.get(
        f"{BASE}/api/v3/command/99",
        json={"message": "Not Found", "description": "Command 99 does not exist"},
        status=404,
    )
    http = make_http()
    with pytest.raises(NotFoundError) as info:
        http.get("/api/v3/command/99")
    assert "404" in str(info.value) and "Not Found" in str(info.value)
    assert info.value.policy.retry_request is False
    assert http.request_count == 1 and sleeps == []


def test_404_without_body_hints_at_the_url_base(rsps, make_http):
    rsps.get(STATUS, body=b"", status=404)
    with pytest.raises(NotFoundError, match="URL base"):
        make_http().get("/api/v3/system/status")


def test_400_validation_failures_are_client_request_error_not_retried(rsps, make_http, sleeps):
    rsps.post(
        f"{BASE}/api/v3/command",
        json=[
            {
                "propertyName": "Name",
                "errorMessage": "'Name' must not be empty.",
                "severity": "error",
            }
        ],
        status=400,
    )
    http = make_http()
    with pytest.raises(ClientRequestError) as info:
        http.post("/api/v3/command", json={"name": ""})
    assert "Name: 'Name' must not be empty." in str(info.value)
    assert info.value.status_code == 400
    assert http.request_count == 1 and sleeps == []


@pytest.mark.parametrize("status", [405, 409, 422])
def test_other_4xx_are_client_request_errors(rsps, make_http, status):
    rsps.get(STATUS, json={"message": "Unable to cancel task"}, status=status)
    with pytest.raises(ClientRequestError, match="Unable to cancel task"):
        make_http().get("/api/v3/system/status")
    assert len(rsps.calls) == 1


def test_500_is_server_error_with_the_app_message_and_not_retried(rsps, make_http, sleeps):
    rsps.post(
        f"{BASE}/api/v3/command",
        json={"message": "Sequence contains no matching element"},
        status=500,
    )
    http = make_http()
    with pytest.raises(ServerError) as info:
        http.post("/api/v3/command", json={"name": "Bogus"})
    assert "Sequence contains no matching element" in str(info.value)
    # The app threw on this request: not sent again now, but a later check may succeed.
    assert info.value.policy.retry_request is False
    assert info.value.policy.health == "transient"
    assert http.request_count == 1 and sleeps == []


def test_html_answer_is_bad_response(rsps, make_http):
    rsps.get(
        STATUS,
        body="<!doctype html><html><head><title>Sonarr</title></head></html>",
        content_type="text/html",
    )
    with pytest.raises(BadResponseError) as info:
        make_http().get("/api/v3/system/status")
    assert "answered with a web page instead of JSON: is the URL right" in str(info.value)


def test_html_answer_with_json_content_type_is_still_bad_response(rsps, make_http):
    rsps.get(STATUS, body="<html>login</html>", content_type="application/json")
    with pytest.raises(BadResponseError, match="web page"):
        make_http().get("/api/v3/system/status")


@pytest.mark.parametrize(
    "body",
    ['{"appName": "Sonarr", "version": ', '[{"id": 1}, {"id": 2', "nonsense", '{"a": 1}}'],
    ids=["truncated-object", "truncated-array", "not-json", "trailing-garbage"],
)
def test_malformed_or_truncated_json_is_bad_response(rsps, make_http, body):
    rsps.get(STATUS, body=body, content_type="application/json")
    with pytest.raises(BadResponseError, match="malformed or truncated JSON"):
        make_http().get("/api/v3/system/status")


def test_connection_refused_is_unreachable(rsps, make_http, sleeps):
    error = requests.exceptions.ConnectionError(
        "HTTPConnectionPool(host='sonarr.test', port=8989): Max retries exceeded "
        "(Caused by NewConnectionError('Failed to establish a new connection: "
        "[Errno 111] Connection refused'))"
    )
    rsps.get(STATUS, body=error)
    http = make_http(max_retries=2)
    with pytest.raises(UnreachableError) as info:
        http.get("/api/v3/system/status")
    assert (
        str(info.value) == "Sonarr at http://sonarr.test:8989 is not reachable: connection refused."
    )
    assert info.value.policy.retry_request is True
    assert http.request_count == 3 and len(sleeps) == 2


def test_real_connection_refused_on_a_closed_port(sleeps):
    """No mock: a port nothing listens on gives a real refused connection."""
    import socket

    from connectors.common.http import HttpClient

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    http = HttpClient(f"http://127.0.0.1:{port}", API_KEY, app_label="Radarr", max_retries=1)
    http.sleep = sleeps
    with pytest.raises(UnreachableError, match="connection refused"):
        http.get("/api/v3/system/status")
    assert http.request_count == 2


def test_unresolvable_host_is_unreachable(rsps, make_http):
    rsps.get(
        STATUS,
        body=requests.exceptions.ConnectionError(
            "Failed to resolve 'nohost' (NameResolutionError: Name or service not known)"
        ),
    )
    with pytest.raises(UnreachableError, match="host name could not be resolved"):
        make_http(max_retries=0).get("/api/v3/system/status")


def test_tls_failure_is_unreachable_with_the_verify_hint_and_not_retried(rsps, make_http, sleeps):
    rsps.get(STATUS, body=requests.exceptions.SSLError("certificate verify failed"))
    http = make_http()
    with pytest.raises(UnreachableError, match="turn off SSL verification"):
        http.get("/api/v3/system/status")
    assert http.request_count == 1 and sleeps == []


def test_read_timeout_is_timeout_error_retried_then_given_up(rsps, make_http, sleeps):
    rsps.get(STATUS, body=requests.exceptions.ReadTimeout("read timed out"))
    http = make_http(timeout=5, max_retries=3)
    with pytest.raises(ArrTimeoutError) as info:
        http.get("/api/v3/system/status")
    assert str(info.value) == "Sonarr at http://sonarr.test:8989 did not answer within 5 s."
    assert info.value.policy.retry_request is True
    assert http.request_count == 4 and len(sleeps) == 3


def test_connect_timeout_is_timeout_error(rsps, make_http):
    rsps.get(STATUS, body=requests.exceptions.ConnectTimeout("connect timed out"))
    with pytest.raises(ArrTimeoutError, match="did not accept a connection within 30 s"):
        make_http(max_retries=0).get("/api/v3/system/status")


def test_body_cut_while_reading_is_bad_response(rsps, make_http):
    rsps.get(STATUS, body=requests.exceptions.ChunkedEncodingError("IncompleteRead(10 bytes read)"))
    with pytest.raises(BadResponseError, match="incomplete answer"):
        make_http().get("/api/v3/system/status")


def test_api_key_with_a_line_break_gets_a_clear_message(rsps, make_http):
    rsps.get(STATUS, json={})
    with pytest.raises(ClientRequestError, match=r"API key .* cannot be sent") as info:
        make_http(api_key="abc\ndef").get("/api/v3/system/status")
    assert "abc" not in str(info.value)


def test_redirect_is_not_followed_so_the_key_never_travels(rsps, make_http):
    rsps.get(
        STATUS, status=301, headers={"Location": "https://elsewhere.test/api/v3/system/status"}
    )
    with pytest.raises(BadResponseError, match=r"redirected .* to https://elsewhere.test"):
        make_http().get("/api/v3/system/status")
    assert len(rsps.calls) == 1


# ---------------------------------------------------------------- retries


def test_503_while_starting_then_success_is_retried(rsps, make_http, sleeps):
    rsps.get(
        STATUS,
        json={"errorMessage": "Sonarr is starting up, please try again later"},
        status=503,
    )
    rsps.get(STATUS, json={"appName": "Sonarr", "version": "4.0.19.2979"})
    http = make_http()
    assert http.get("/api/v3/system/status")["appName"] == "Sonarr"
    assert http.request_count == 2
    assert len(sleeps) == 1
    assert 0.25 <= sleeps[0] <= 0.5  # first backoff: [base/2, base]


@pytest.mark.parametrize("status", [502, 503, 504])
def test_gateway_errors_are_retried_then_given_up_after_max_retries(
    rsps, make_http, sleeps, status
):
    rsps.get(STATUS, body=b"", status=status)
    http = make_http(max_retries=3, backoff_base=1, backoff_cap=30)
    with pytest.raises(ServerError) as info:
        http.get("/api/v3/system/status")
    assert info.value.status_code == status
    assert http.request_count == 4
    assert len(sleeps) == 3
    # Exponential with equal jitter: attempt n waits within [d/2, d], d = base * 2**n.
    for attempt, delay in enumerate(sleeps):
        ceiling = 1 * 2**attempt
        assert ceiling / 2 <= delay <= ceiling


def test_503_message_carries_the_app_text(rsps, make_http):
    rsps.get(
        STATUS, json={"errorMessage": "Sonarr is starting up, please try again later"}, status=503
    )
    with pytest.raises(ServerError, match=r"starting up or unavailable .*please try again later"):
        make_http(max_retries=0).get("/api/v3/system/status")


def test_backoff_is_capped_and_jitter_stays_within_bounds(make_http):
    http = make_http(backoff_base=0.5, backoff_cap=4)
    for attempt in range(10):
        for _ in range(50):
            delay = http.backoff_delay(attempt)
            ceiling = min(4, 0.5 * 2**attempt)
            assert ceiling / 2 <= delay <= ceiling
    http.random.seed(1)
    spread = {round(http.backoff_delay(3), 6) for _ in range(20)}
    assert len(spread) > 1  # there is jitter


def test_429_honours_retry_after_seconds(rsps, make_http, sleeps):
    rsps.get(STATUS, status=429, headers={"Retry-After": "7"})
    rsps.get(STATUS, json={"ok": True})
    http = make_http()
    assert http.get("/api/v3/system/status") == {"ok": True}
    assert sleeps == [7.0]


def test_429_honours_retry_after_http_date(rsps, make_http, sleeps):
    when = datetime.now(UTC) + timedelta(seconds=20)
    rsps.get(STATUS, status=429, headers={"Retry-After": format_datetime(when, usegmt=True)})
    rsps.get(STATUS, json={"ok": True})
    make_http().get("/api/v3/system/status")
    assert len(sleeps) == 1 and 17 <= sleeps[0] <= 20


def test_429_retry_after_is_capped(rsps, make_http, sleeps):
    rsps.get(STATUS, status=429, headers={"Retry-After": "86400"})
    rsps.get(STATUS, json={})
    make_http(backoff_cap=30).get("/api/v3/system/status")
    assert sleeps == [30]


def test_429_gives_up_with_rate_limited_error_carrying_retry_after(rsps, make_http, sleeps):
    rsps.get(STATUS, status=429, headers={"Retry-After": "3"})
    http = make_http(max_retries=2)
    with pytest.raises(RateLimitedError) as info:
        http.get("/api/v3/system/status")
    assert info.value.retry_after == 3.0
    assert info.value.policy.retry_request is True
    assert "retry after 3 s" in str(info.value)
    assert sleeps == [3.0, 3.0] and http.request_count == 3


def test_429_without_retry_after_uses_backoff(rsps, make_http, sleeps):
    rsps.get(STATUS, status=429)
    rsps.get(STATUS, json={})
    make_http(backoff_base=2).get("/api/v3/system/status")
    assert 1 <= sleeps[0] <= 2


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("5", 5.0),
        (" 2.5 ", 2.5),
        ("-3", 0.0),
        ("soon", None),
        ("", None),
        (None, None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
        ("nan", None),
    ],
)
def test_parse_retry_after(header, expected):
    assert parse_retry_after(header) == expected


def test_parse_retry_after_http_date_relative_to_now():
    now = datetime(2026, 11, 26, 7, 0, tzinfo=UTC)
    assert parse_retry_after("Thu, 26 Nov 2026 07:01:30 GMT", now=now) == 90.0


def test_max_retries_zero_sends_once(rsps, make_http, sleeps):
    rsps.get(STATUS, status=503)
    http = make_http(max_retries=0)
    with pytest.raises(ServerError):
        http.get("/api/v3/system/status")
    assert http.request_count == 1 and sleeps == []


def test_post_is_retried_on_503_but_not_on_502_or_read_timeout(rsps, make_http, sleeps):
    url = f"{BASE}/api/v3/command"
    rsps.post(url, status=503)
    rsps.post(url, json={"id": 5}, status=201)
    http = make_http()
    assert http.post("/api/v3/command", json={"name": "EpisodeSearch"}) == {"id": 5}
    assert http.request_count == 2

    rsps.replace(responses.POST, url, status=502)
    http2 = make_http()
    with pytest.raises(ServerError):
        http2.post("/api/v3/command", json={"name": "EpisodeSearch"})
    assert http2.request_count == 1  # it may have been processed: no duplicate search

    rsps.replace(responses.POST, url, body=requests.exceptions.ReadTimeout("read timed out"))
    http3 = make_http()
    with pytest.raises(ArrTimeoutError):
        http3.post("/api/v3/command", json={"name": "EpisodeSearch"})
    assert http3.request_count == 1


def test_request_count_accumulates_across_calls(rsps, make_http):
    rsps.get(STATUS, status=503)
    rsps.get(STATUS, json={})
    rsps.get(f"{BASE}/api/v3/health", json=[])
    http = make_http()
    http.get("/api/v3/system/status")
    http.get("/api/v3/health")
    assert http.request_count == 3


# ----------------------------------------------------------------------- paging

QUEUE = f"{BASE}/api/v3/queue"


def page(n: int, size: int, total: int, ids: list[int]) -> dict:
    return {
        "page": n,
        "pageSize": size,
        "sortKey": "timeleft",
        "sortDirection": "ascending",
        "totalRecords": total,
        "records": [{"id": i} for i in ids],
    }


def test_paged_always_sends_paging_and_sort_params_and_streams_pages(rsps, make_http):
    rsps.get(QUEUE, json=page(1, 2, 5, [1, 2]))
    rsps.get(QUEUE, json=page(2, 2, 5, [3, 4]))
    rsps.get(QUEUE, json=page(3, 2, 5, [5]))
    http = make_http()
    stream = http.paged(
        "/api/v3/queue", {"includeUnknownSeriesItems": False}, page_size=2, sort_key="timeleft"
    )
    assert next(stream) == {"id": 1}
    assert len(rsps.calls) == 1  # streaming: page 2 not requested yet
    assert [r["id"] for r in stream] == [2, 3, 4, 5]
    assert len(rsps.calls) == 3
    for number, call in enumerate(rsps.calls, start=1):
        query = dict(query_of(call))
        assert query == {
            "includeUnknownSeriesItems": "false",
            "page": str(number),
            "pageSize": "2",
            "sortKey": "timeleft",
            "sortDirection": "ascending",
        }


def test_paged_default_page_size_is_1000_and_direction_always_sent(rsps, make_http):
    rsps.get(QUEUE, json=page(1, 1000, 2, [1, 2]))
    records = list(make_http().paged("/api/v3/queue", sort_key="timeleft"))
    assert len(records) == 2
    query = dict(query_of(rsps.calls[0]))
    assert query["pageSize"] == "1000"
    assert query["sortDirection"] == "ascending"


def test_paged_caller_params_cannot_override_paging(rsps, make_http):
    rsps.get(QUEUE, json=page(1, 10, 0, []))
    list(
        make_http().paged(
            "/api/v3/queue",
            {"page": 9, "sortDirection": "descending"},
            page_size=10,
            sort_key="timeleft",
        )
    )
    query = query_of(rsps.calls[0])
    assert ("page", "1") in query and ("page", "9") not in query
    assert [v for k, v in query if k == "sortDirection"] == ["ascending"]


def test_paged_stops_on_exact_multiple_without_an_extra_request(rsps, make_http):
    rsps.get(QUEUE, json=page(1, 2, 4, [1, 2]))
    rsps.get(QUEUE, json=page(2, 2, 4, [3, 4]))
    assert len(list(make_http().paged("/api/v3/queue", page_size=2, sort_key="timeleft"))) == 4
    assert len(rsps.calls) == 2


def test_paged_empty_listing(rsps, make_http):
    rsps.get(QUEUE, json=page(1, 1000, 0, []))
    assert list(make_http().paged("/api/v3/queue", sort_key="timeleft")) == []
    assert len(rsps.calls) == 1


def test_paged_short_page_before_total_raises(rsps, make_http):
    rsps.get(QUEUE, json=page(1, 2, 5, [1, 2]))
    rsps.get(QUEUE, json=page(2, 2, 5, [3]))
    stream = make_http().paged("/api/v3/queue", page_size=2, sort_key="timeleft")
    with pytest.raises(BadResponseError, match="short page 2"):
        list(stream)


def test_paged_empty_page_before_total_raises(rsps, make_http):
    rsps.get(QUEUE, json=page(1, 2, 3, [1, 2]))
    rsps.get(QUEUE, json=page(2, 2, 3, []))
    with pytest.raises(BadResponseError, match="incomplete"):
        list(make_http().paged("/api/v3/queue", page_size=2, sort_key="timeleft"))


def test_paged_total_shrinking_between_pages_ends_cleanly(rsps, make_http):
    rsps.get(QUEUE, json=page(1, 2, 5, [1, 2]))
    rsps.get(QUEUE, json=page(2, 2, 3, [3]))
    assert [
        r["id"] for r in make_http().paged("/api/v3/queue", page_size=2, sort_key="timeleft")
    ] == [1, 2, 3]


@pytest.mark.parametrize(
    "body",
    [
        [{"id": 1}],
        {"page": 1, "records": [{"id": 1}]},
        {"page": 1, "totalRecords": "5", "records": [{"id": 1}]},
        {"page": 1, "totalRecords": 1, "records": None},
        {"page": 1, "totalRecords": 1, "records": [1]},
        {"page": 1, "totalRecords": -1, "records": []},
    ],
    ids=["list", "no-total", "string-total", "null-records", "non-object-record", "negative"],
)
def test_paged_malformed_page_raises(rsps, make_http, body):
    rsps.get(QUEUE, json=body)
    with pytest.raises(BadResponseError):
        list(make_http().paged("/api/v3/queue", sort_key="timeleft"))


def test_paged_rejects_bad_arguments(make_http):
    with pytest.raises(ValueError):
        list(make_http().paged("/api/v3/queue", sort_key="timeleft", sort_direction="up"))
    with pytest.raises(ValueError):
        list(make_http().paged("/api/v3/queue", sort_key="timeleft", page_size=0))


# ----------------------------------------------------------- logging, redaction


def test_debug_logs_requests_and_trace_logs_bodies(rsps, make_http, caplog):
    rsps.get(STATUS, json={"appName": "Sonarr", "secretish": "body-content"})
    http = make_http()
    with caplog.at_level(logging.DEBUG, logger="connectors.http"):
        http.get("/api/v3/system/status")
    text = caplog.text
    assert "GET http://sonarr.test:8989/api/v3/system/status" in text
    assert "-> 200" in text
    assert "body-content" not in text  # bodies only at TRACE
    caplog.clear()
    with caplog.at_level(TRACE, logger="connectors.http"):
        http.get("/api/v3/system/status")
    assert "body-content" in caplog.text
    assert all(record.name == "connectors.http" for record in caplog.records)


def test_the_api_key_never_appears_in_logs_or_errors(rsps, caplog, sleeps):
    """Even with the key pasted into the URL path (a query is refused) and echoed in bodies."""
    from connectors.common.http import HttpClient

    base = f"http://arr.test:8989/{API_KEY}/"
    http = HttpClient(base, API_KEY, app_label="Sonarr", max_retries=1)
    http.sleep = sleeps
    prefix = f"http://arr.test:8989/{API_KEY}"
    rsps.get(f"{prefix}/api/v3/health", json={"message": f"bad key {API_KEY}"}, status=400)
    rsps.get(f"{prefix}/api/v3/system/status", json={"apiKey": API_KEY}, status=200)
    rsps.get(
        f"{prefix}/api/v3/queue/status",
        body=requests.exceptions.ConnectionError(
            f"Max retries exceeded with url: /{API_KEY}/api/v3/queue/status (Caused by "
            "NewConnectionError('[Errno 111] Connection refused'))"
        ),
    )
    rsps.get(
        f"{prefix}/api/v3/command", body=requests.exceptions.SSLError(f"bad cert for {API_KEY}")
    )
    rsps.post(f"{prefix}/api/v3/command", body=b"", status=401)
    errors: list[ArrError] = []
    with caplog.at_level(TRACE):
        for call in (
            lambda: http.get("/api/v3/health", {"seriesId": API_KEY}),
            lambda: http.get("/api/v3/queue/status"),
            lambda: http.get("/api/v3/command"),
            lambda: http.post("/api/v3/command", json={"name": "X", "token": API_KEY}),
        ):
            with pytest.raises(ArrError) as info:
                call()
            errors.append(info.value)
        http.get("/api/v3/system/status")
    assert caplog.records, "expected request logs"
    # The bodies that carried the key were logged (TRACE), with the key taken out.
    assert '"apiKey"' in caplog.text and "bad key" in caplog.text and '"token"' in caplog.text
    for record in caplog.records:
        assert API_KEY not in record.getMessage()
        assert API_KEY not in repr(vars(record))  # nor in any extra field a formatter writes
    for error in errors:
        assert API_KEY not in str(error)
        assert API_KEY not in repr(error)
        assert error.__cause__ is None  # no chained requests exception carrying the URL
    assert "user:pw" not in " ".join(str(e) for e in errors)
    # The key still went out, in the header only.
    for call in rsps.calls:
        assert call.request.headers["X-Api-Key"] == API_KEY
        assert "apikey" not in urlsplit(call.request.url).query.lower()


def test_real_server_that_never_answers_times_out(sleeps):
    """No mock: a listening socket that accepts and stays silent, with a short timeout."""
    import socket
    import threading

    from connectors.common.http import HttpClient

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        port = server.getsockname()[1]
        http = HttpClient(
            f"http://127.0.0.1:{port}", API_KEY, app_label="Sonarr", timeout=0.3, max_retries=1
        )
        http.sleep = sleeps
        with pytest.raises(ArrTimeoutError, match=r"did not answer within 0\.3 s"):
            http.get("/api/v3/system/status")
        assert http.request_count == 2 and len(sleeps) == 1
    finally:
        stop.set()
        thread.join(2)
        for conn in accepted:
            conn.close()
        server.close()


def test_each_error_class_says_whether_a_retry_can_help():
    from connectors.common import errors

    expected = {
        errors.AuthenticationError: False,
        errors.NotFoundError: False,
        errors.ClientRequestError: False,
        errors.RateLimitedError: True,
        errors.ArrTimeoutError: True,
        errors.UnreachableError: True,
        errors.ServerError: True,
        errors.BadResponseError: False,
        errors.InvalidURLError: False,
        errors.UnsupportedAppError: False,
        errors.WrongKindError: False,
    }
    for cls, retryable in expected.items():
        assert errors.policy_for(cls).retry_request is retryable, cls
        assert issubclass(cls, errors.ArrError)
    assert set(errors.ArrError.__subclasses__()) == set(expected)  # none left out


def test_clone_has_the_same_settings_and_a_session_of_its_own(make_http, sleeps):
    http = make_http(
        "http://sonarr.test:8989/base",
        timeout=12,
        verify_ssl=False,
        max_retries=5,
        backoff_base=0.1,
        backoff_cap=2,
        max_response_bytes=1234,
    )
    http.request_count = 7
    twin = http.clone()
    for name in (
        "base_url",
        "api_key",
        "app_label",
        "timeout",
        "verify_ssl",
        "max_retries",
        "backoff_base",
        "backoff_cap",
        "max_response_bytes",
        "where",
    ):
        assert getattr(twin, name) == getattr(http, name), name
    assert twin.session is not http.session  # a session is not shared across threads
    assert twin.sleep is sleeps and twin.request_count == 0
