"""connectors.common.timing: every request announced once, with a path template and no secret."""

from __future__ import annotations

import pytest
import requests

from connectors.common import timing
from connectors.common.errors import ArrTimeoutError, NotFoundError, UnreachableError

from .conftest import API_KEY

BASE = "http://sonarr.test:8989"


@pytest.fixture
def announced():
    seen: list[dict] = []

    def listen(sender, **kwargs):
        seen.append(kwargs)

    timing.request_timed.connect(listen, dispatch_uid="test.request_timed")
    yield seen
    timing.request_timed.disconnect(dispatch_uid="test.request_timed")


@pytest.mark.parametrize(
    ("path", "template"),
    [
        ("/api/v3/episode/123", "/api/v3/episode/{id}"),
        ("/api/v3/command/42?x=1", "/api/v3/command/{id}"),
        ("/api/v3/queue/status", "/api/v3/queue/status"),
        ("/api/v1/wanted/missing", "/api/v1/wanted/missing"),
        (f"/api/v3/x/{API_KEY}", "/api/v3/x/{id}"),
        ("/api/v3/file/a1b2-c3d4", "/api/v3/file/{id}"),
        ("/ping", "/ping"),
        ("", "/"),
        ("/" + "a" * 300, "/{id}"),
    ],
)
def test_endpoint_template_keeps_words_only(path, template):
    assert timing.endpoint_template(path) == template


def test_each_request_is_announced_with_template_status_and_time(rsps, make_http, announced):
    rsps.get(f"{BASE}/api/v3/episode/7", json={"id": 7})
    http = make_http(connector_id=5)
    http.get("/api/v3/episode/7", [("seriesId", "secretish"), ("includeImages", "false")])
    [event] = announced
    assert event["connector_id"] == 5
    assert event["method"] == "GET"
    assert event["endpoint"] == "/api/v3/episode/{id}"
    assert event["status"] == "200"
    assert 0 <= event["duration_ms"] < 5000
    shown = repr([{k: v for k, v in e.items() if k != "signal"} for e in announced])
    assert API_KEY not in shown and "secretish" not in shown and "seriesId" not in shown


def test_every_attempt_of_a_retry_is_a_request_of_its_own(rsps, make_http, announced):
    rsps.get(f"{BASE}/api/v3/health", status=503)
    rsps.get(f"{BASE}/api/v3/health", json=[])
    make_http(connector_id=1).get("/api/v3/health")
    assert [e["status"] for e in announced] == ["503", "200"]


def test_failures_are_announced_too(rsps, make_http, announced):
    rsps.get(f"{BASE}/api/v3/series/1", status=404, json={"message": "NotFound"})
    rsps.get(f"{BASE}/api/v3/slow", body=requests.exceptions.ReadTimeout("slow"))
    rsps.get(f"{BASE}/api/v3/down", body=requests.exceptions.ConnectionError("Errno 111"))
    http = make_http(connector_id=1, max_retries=0)
    with pytest.raises(NotFoundError):
        http.get("/api/v3/series/1")
    with pytest.raises(ArrTimeoutError):
        http.get("/api/v3/slow")
    with pytest.raises(UnreachableError):
        http.get("/api/v3/down")
    assert [(e["endpoint"], e["status"]) for e in announced] == [
        ("/api/v3/series/{id}", "404"),
        ("/api/v3/slow", "timeout"),
        ("/api/v3/down", "no_answer"),
    ]


def test_streamed_listings_and_clones_are_announced(rsps, make_http, announced):
    rsps.get(f"{BASE}/api/v3/history/since", json=[{"id": 1}])
    http = make_http(connector_id=3)
    assert http.clone().get_list("/api/v3/history/since", kind="record") == [{"id": 1}]
    assert [(e["connector_id"], e["status"]) for e in announced] == [(3, "200")]


def test_a_client_of_no_saved_connector_announces_nothing(rsps, make_http, announced):
    rsps.get(f"{BASE}/ping", json={"status": "OK"})
    make_http().get_ping()
    assert announced == []


def test_a_failing_listener_never_breaks_the_request(rsps, make_http):
    def broken(sender, **kwargs):
        raise RuntimeError("listener bug")

    timing.request_timed.connect(broken, dispatch_uid="test.broken")
    try:
        rsps.get(f"{BASE}/ping", json={"status": "OK"})
        assert make_http(connector_id=1).get_ping() == {"status": "OK"}
    finally:
        timing.request_timed.disconnect(dispatch_uid="test.broken")
