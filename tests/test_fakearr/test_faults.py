"""Each switchable fault produces what it claims, and only where and when asked."""

from __future__ import annotations

import http.client
import json
import time

import pytest
import requests

from .helpers import get, post


def test_unauthorized_fault(fake_sonarr):
    fake_sonarr.faults.unauthorized("/api/v3/series")
    assert get(fake_sonarr, "/api/v3/series").status_code == 401
    assert get(fake_sonarr, "/api/v3/series").content == b""
    assert get(fake_sonarr, "/api/v3/system/status").status_code == 200  # other paths unaffected


def test_starting_for_n_requests(fake_sonarr):
    fake_sonarr.faults.starting(requests=2)
    for _ in range(2):
        response = get(fake_sonarr, "/api/v3/system/status")
        assert response.status_code == 503
        assert response.json() == {"errorMessage": "Sonarr is starting up, please try again later"}
    assert get(fake_sonarr, "/api/v3/system/status").status_code == 200


def test_starting_for_t_seconds(fake_radarr):
    fake_radarr.faults.starting(seconds=30)
    assert get(fake_radarr, "/api/v3/movie").status_code == 503
    fake_radarr.advance(31)
    assert get(fake_radarr, "/api/v3/movie").status_code == 200


def test_server_error_on_the_nth_request(fake_sonarr):
    fake_sonarr.faults.server_error("/api/v3/episode", nth=3)
    codes = [get(fake_sonarr, "/api/v3/episode", {"seriesId": 1}).status_code for _ in range(5)]
    assert codes == [200, 200, 500, 200, 200]
    rule = fake_sonarr.faults.server_error("/api/v3/series*", status=502)
    assert get(fake_sonarr, "/api/v3/series/1").status_code == 502
    assert get(fake_sonarr, "/api/v3/series").status_code == 502
    fake_sonarr.faults.remove(rule)
    assert get(fake_sonarr, "/api/v3/series").status_code == 200


def test_rate_limited_with_retry_after(fake_radarr):
    fake_radarr.faults.rate_limited(retry_after=7, times=1)
    first = get(fake_radarr, "/api/v3/movie")
    assert first.status_code == 429 and first.headers["Retry-After"] == "7"
    assert get(fake_radarr, "/api/v3/movie").status_code == 200


def test_slow_response(fake_sonarr):
    fake_sonarr.faults.slow(0.4, "/api/v3/series")
    started = time.monotonic()
    assert get(fake_sonarr, "/api/v3/series").status_code == 200
    assert time.monotonic() - started >= 0.4


def test_hang_past_the_client_timeout(fake_sonarr):
    fake_sonarr.faults.hang("/api/v3/series", delay=5)
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.get(
            f"{fake_sonarr.url}/api/v3/series",
            headers={"X-Api-Key": fake_sonarr.api_key},
            timeout=0.5,
        )


def test_truncated_and_malformed_json(fake_sonarr):
    fake_sonarr.faults.truncated("/api/v3/series", times=1)
    response = get(fake_sonarr, "/api/v3/series")
    assert response.status_code == 200
    with pytest.raises(ValueError):
        response.json()
    assert get(fake_sonarr, "/api/v3/series").json()  # only once
    fake_sonarr.faults.malformed("/api/v3/queue")
    with pytest.raises(ValueError):
        get(fake_sonarr, "/api/v3/queue").json()


def test_cut_connection(fake_sonarr):
    fake_sonarr.faults.cut_connection("/api/v3/series")
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        get(fake_sonarr, "/api/v3/series")


def test_html_instead_of_json(fake_radarr):
    fake_radarr.faults.html()
    response = get(fake_radarr, "/api/v3/system/status")
    assert response.headers["Content-Type"].startswith("text/html")
    assert response.text.startswith("<!DOCTYPE html>")


def test_command_failures(fake_sonarr):
    fake_sonarr.faults.fail_commands("SeasonSearch", message="Indexer query failed", times=1)
    failed = post(
        fake_sonarr, "/api/v3/command", {"name": "SeasonSearch", "seriesId": 1, "seasonNumber": 1}
    ).json()
    other = post(
        fake_sonarr, "/api/v3/command", {"name": "EpisodeSearch", "episodeIds": [1]}
    ).json()
    fake_sonarr.advance(60)
    failed = get(fake_sonarr, f"/api/v3/command/{failed['id']}").json()
    assert (
        failed["status"] == "failed"
        and failed["message"] == "Indexer query failed"
        and "exception" in failed
    )
    assert get(fake_sonarr, f"/api/v3/command/{other['id']}").json()["status"] == "completed"


def test_faults_over_http_control_endpoint(fake_sonarr):
    control = f"{fake_sonarr.root_url}/__fakearr/faults"
    created = requests.post(
        control, json={"kind": "server_error", "path": "/api/v3/series", "times": 1}, timeout=5
    )
    assert created.status_code == 201 and created.json()["kind"] == "server_error"
    assert get(fake_sonarr, "/api/v3/series").status_code == 500
    assert get(fake_sonarr, "/api/v3/series").status_code == 200
    requests.post(control, json={"kind": "rate_limited", "retryAfter": 3}, timeout=5)
    assert get(fake_sonarr, "/api/v3/tag").headers["Retry-After"] == "3"
    assert requests.delete(control, timeout=5).json() == []
    assert get(fake_sonarr, "/api/v3/tag").status_code == 200
    bad = requests.post(control, json={"kind": "meteor"}, timeout=5)
    assert bad.status_code == 400
    post(fake_sonarr, "/api/v3/command", {"name": "EpisodeSearch", "episodeIds": [1]})
    advanced = requests.post(
        f"{fake_sonarr.root_url}/__fakearr/advance", json={"seconds": 30}, timeout=5
    )
    assert advanced.status_code == 200
    commands = requests.get(f"{fake_sonarr.root_url}/__fakearr/commands", timeout=5).json()
    assert commands[0]["name"] == "EpisodeSearch" and commands[0]["items"] == [1]


def test_unknown_fault_kind_is_refused(fake_sonarr):
    with pytest.raises(ValueError):
        fake_sonarr.faults.add("meteor")
    with pytest.raises(ValueError):
        fake_sonarr.faults.server_error(nth=0)


def test_accept_header_other_than_json_is_406(fake_sonarr):
    conn = http.client.HTTPConnection("127.0.0.1", fake_sonarr.port, timeout=5)
    conn.request(
        "GET",
        "/api/v3/tag",
        headers={"X-Api-Key": fake_sonarr.api_key, "Accept": "application/xml"},
    )
    assert conn.getresponse().status == 406
    conn.close()
    assert json.loads(get(fake_sonarr, "/api/v3/tag").content)


def test_stalled_commands_never_finish_and_hold_a_thread(fake_radarr):
    fake_radarr.faults.stall_commands("MoviesSearch", times=2)
    stuck = [
        post(fake_radarr, "/api/v3/command", {"name": "MoviesSearch", "movieIds": [i]}).json()["id"]
        for i in (1, 2)
    ]
    waiting = post(
        fake_radarr, "/api/v3/command", {"name": "MoviesSearch", "movieIds": [3]}
    ).json()["id"]
    fake_radarr.advance(3600)
    assert [get(fake_radarr, f"/api/v3/command/{i}").json()["status"] for i in stuck] == [
        "started",
        "started",
    ]
    # Radarr has two executor threads, both held: the third command never starts.
    assert get(fake_radarr, f"/api/v3/command/{waiting}").json()["status"] == "queued"


def test_slow_command_finishes_late(fake_sonarr):
    fake_sonarr.faults.stall_commands(delay=300)
    cid = post(fake_sonarr, "/api/v3/command", {"name": "RefreshSeries"}).json()["id"]
    fake_sonarr.advance(60)
    assert get(fake_sonarr, f"/api/v3/command/{cid}").json()["status"] == "started"
    fake_sonarr.advance(300)
    assert get(fake_sonarr, f"/api/v3/command/{cid}").json()["status"] == "completed"
