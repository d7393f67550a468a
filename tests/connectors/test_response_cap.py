"""Every *arr answer is read up to a cap (issue: a 300 MB body took a worker to 841 MB).

Single resources, statuses and command answers: 8 MB by default, configurable
per client and per call, refused with ResponseTooLargeError. Listings go
through the streaming reader: no cap on the whole, a bound per element.
"""

from __future__ import annotations

import json
import time
import tracemalloc

import pytest

from connectors.common.errors import CommandFate, ResponseTooLargeError
from connectors.health import probe
from connectors.registry import build_client

from .conftest import API_KEY

BASE = "http://sonarr.test:8989"
STATUS = f"{BASE}/api/v3/system/status"
MB = 1024 * 1024


def padded(size: int) -> bytes:
    """A JSON object of exactly ``size`` bytes."""
    return b'{"padding": "' + b"x" * (size - 15) + b'"}'


def test_padded_is_the_size_it_says():
    assert len(padded(1000)) == 1000 and json.loads(padded(1000))


@pytest.mark.parametrize("declared", [False, True], ids=["streamed", "content-length"])
def test_an_answer_over_the_default_cap_is_refused_with_a_clear_error(
    rsps, make_http, sleeps, declared
):
    rsps.get(STATUS, body=padded(9 * MB), auto_calculate_content_length=declared)
    http = make_http()
    with pytest.raises(ResponseTooLargeError) as caught:
        http.get("/api/v3/system/status")
    message = str(caught.value)
    assert message.startswith("Response from Sonarr at http://sonarr.test:8989 larger than 8 MB")
    assert "/api/v3/system/status" in message and API_KEY not in message
    # Not sent again: a retry cannot make it smaller.
    assert http.request_count == 1 and sleeps == []


def test_an_answer_at_the_cap_is_read(rsps, make_http):
    rsps.get(STATUS, body=padded(8 * MB))
    assert len(make_http().get("/api/v3/system/status")["padding"]) == 8 * MB - 15


def test_the_cap_is_set_per_client_and_per_call(rsps, make_http):
    rsps.get(STATUS, body=padded(4096))
    with pytest.raises(ResponseTooLargeError, match="larger than 3 KB"):
        make_http(max_response_bytes=3072).get("/api/v3/system/status")
    with pytest.raises(ResponseTooLargeError):
        make_http().get("/api/v3/system/status", max_bytes=4095)
    assert make_http(max_response_bytes=1024).get("/api/v3/system/status", max_bytes=4096)


@pytest.mark.parametrize("bad", [0, -1])
def test_a_cap_below_one_byte_is_refused(make_http, bad):
    with pytest.raises(ValueError, match="max_response_bytes"):
        make_http(max_response_bytes=bad)


def test_an_error_answer_is_capped_too(rsps, make_http):
    rsps.get(STATUS, body=padded(9 * MB), status=500)
    with pytest.raises(ResponseTooLargeError):
        make_http().get("/api/v3/system/status")


def test_a_huge_command_answer_leaves_the_search_for_recovery(rsps, make_http, sleeps):
    rsps.post(f"{BASE}/api/v3/command", body=padded(9 * MB), status=201)
    http = make_http()
    with pytest.raises(ResponseTooLargeError) as caught:
        http.post("/api/v3/command", json={"name": "MoviesSearch", "movieIds": [1]})
    # The app may have queued the command: never posted twice, recovery asks the app.
    assert http.request_count == 1
    assert caught.value.policy.command is CommandFate.RECOVER


def test_a_listing_is_streamed_not_capped_as_a_whole(rsps, make_http):
    series = [{"id": i, "title": f"Show {i}", "overview": "o" * 2000} for i in range(5000)]
    body = json.dumps(series).encode()
    assert len(body) > 8 * MB
    rsps.get(f"{BASE}/api/v3/series", body=body)
    assert len(make_http().get_list("/api/v3/series", kind="series")) == 5000


def test_a_page_may_hold_page_size_records_of_a_generous_size(rsps, make_http):
    records = [{"id": i, "title": "t" * 10_000} for i in range(1000)]  # ~10 MB page
    rsps.get(
        f"{BASE}/api/v3/queue",
        body=json.dumps({"page": 1, "pageSize": 1000, "totalRecords": 1000, "records": records}),
    )
    assert len(list(make_http().paged("/api/v3/queue", sort_key="timeleft"))) == 1000


# --- against fakearr: a real socket sending 300 MB ------------------------------------


@pytest.mark.parametrize("declare_length", [False, True], ids=["streamed", "content-length"])
def test_a_300_mb_answer_costs_neither_time_nor_memory(fakearr_factory, declare_length):
    arr = fakearr_factory("sonarr", series=1, episodes_per_series=1, seed=1)
    arr.faults.huge_body("/api/v3/system/status", declare_length=declare_length)
    client = build_client("sonarr", arr.url, arr.api_key, version="4.0.19.2979", max_retries=0)
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(ResponseTooLargeError, match="larger than 8 MB"):
            client.system_status()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        client.http.close()
    assert time.monotonic() - started < 10
    assert peak < 40 * MB  # the cap and one read chunk, not 300 MB


def test_the_connection_test_reports_a_huge_answer_as_the_wrong_address(fakearr_factory):
    arr = fakearr_factory("sonarr", series=1, episodes_per_series=1, seed=1)
    arr.faults.huge_body("/api/v3/system/status")
    result = probe(kind="sonarr", url=arr.url, api_key=arr.api_key, interactive=True)
    assert result.status == "unhealthy" and result.error_field == "url"
    assert "larger than 8 MB" in result.error
