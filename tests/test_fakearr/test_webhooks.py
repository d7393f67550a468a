"""fakearr POSTs the apps' webhook payloads (docs/arr-api.md section 6) to a configured receiver."""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.fakearr import SimConfig


@pytest.fixture
def receiver():
    received: list[tuple[dict, dict]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((dict(self.headers), json.loads(body)))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/webhooks/x/secret", received
    server.shutdown()
    server.server_close()


def test_grab_and_download_payloads_for_series(fakearr_factory, receiver):
    url, received = receiver
    arr = fakearr_factory(
        "sonarr", series=10, seed=3, config=SimConfig(grab_probability=1, unfindable_fraction=0)
    )
    arr.set_webhook(url, username="comradarr", password="pw")
    lib = arr.library
    now = arr.clock.timestamp()
    eid = next(
        e
        for e in lib.iter_episodes()
        if lib.episode_aired(e, now) and not lib.episode_file_id(e) and lib.episode_monitored(e)
    )
    arr.api.sim.post_command({"name": "EpisodeSearch", "episodeIds": [eid]})
    arr.advance(30)
    arr.advance(1000)
    assert arr.webhooks.wait(5)
    headers, grab = received[0]
    assert headers["Authorization"] == "Basic " + base64.b64encode(b"comradarr:pw").decode()
    assert grab["eventType"] == "Grab" and grab["episodes"][0]["id"] == eid
    assert {
        "series",
        "release",
        "downloadClient",
        "downloadId",
        "instanceName",
        "applicationUrl",
    } <= set(grab)
    download = received[1][1]
    assert download["eventType"] == "Download" and download["episodeFile"][
        "id"
    ] == lib.episode_file_id(eid)
    assert download["downloadId"] == grab["downloadId"] and download["isUpgrade"] is False
    arr.delete_episode_file(eid)
    arr.remove_series(lib.ep_series[eid - 1])
    assert arr.webhooks.wait(5)
    assert [p["eventType"] for _, p in received[2:]] == ["EpisodeFileDelete", "SeriesDelete"]
    assert received[2][1]["episodeFile"]["id"] == download["episodeFile"]["id"]


def test_movie_payloads_and_test_event(fakearr_factory, receiver):
    url, received = receiver
    arr = fakearr_factory(
        "radarr",
        movies=30,
        seed=4,
        config=SimConfig(grab_probability=1, unfindable_fraction=0),
        webhook_url=url,
    )
    lib = arr.library
    now = arr.clock.timestamp()
    movie = next(m for m in lib.movies.values() if not m.file_id and lib.movie_is_available(m, now))
    arr.api.sim.post_command({"name": "MoviesSearch", "movieIds": [movie.id]})
    arr.advance(1000)
    arr.delete_movie_file(movie.id)
    arr.remove_movie(movie.id)
    arr.send_test_webhook()
    assert arr.webhooks.wait(5)
    events = [p["eventType"] for _, p in received]
    assert events == ["Grab", "Download", "MovieFileDelete", "MovieDelete", "Test"]
    assert received[0][1]["remoteMovie"]["tmdbId"] == movie.tmdb_id
    assert received[1][1]["movieFile"]["id"] > 0
    assert received[4][1]["movie"]["title"] == "Test Title"
    assert all(d.status == 200 for d in arr.webhooks.deliveries)


def test_unreachable_receiver_is_recorded_not_raised(fakearr_factory):
    arr = fakearr_factory("radarr", movies=3, webhook_url="http://127.0.0.1:9/nowhere")
    arr.send_test_webhook()
    assert arr.webhooks.wait(15)
    assert arr.webhooks.deliveries[0].status is None and arr.webhooks.deliveries[0].error
