"""Integration: the incremental sync's change signals against fakearr (a real HTTP server).

A no-change incremental sync makes only the cheap requests (the two /wanted
totals with one record a page, and /history/since); each signal leads to its
re-read; and after changes the mirror equals what a full sync of the same app
mirrors.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from django.utils import timezone

from content import webhooks
from content.models import SyncState
from tests.content.test_sync_fakearr import (
    FULL,
    INCR,
    connector_for,
    library_episodes,
    library_movies,
    mirror_episodes,
    mirror_movies,
    sync,
)

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

CHEAP = {"GET /api/v3/wanted/missing", "GET /api/v3/wanted/cutoff", "GET /api/v3/history/since"}


def requests_during(arr, action) -> Counter:
    before = Counter(arr.requests)
    action()
    return Counter(arr.requests) - before


def full_list(arr) -> str:
    return "GET /api/v3/movie" if arr.profile.shape == "movies" else "GET /api/v3/series"


@pytest.mark.parametrize("fixture", ["fake_radarr", "fake_sonarr", "fake_whisparr_v3"])
def test_a_no_change_hour_makes_only_the_cheap_requests(request, fixture):
    arr = request.getfixturevalue(fixture)
    connector = connector_for(arr)
    sync(connector, FULL)
    before = Counter(arr.bytes_sent)
    made = requests_during(arr, lambda: [sync(connector, INCR) for _ in range(4)])
    cheap = CHEAP | ({"GET /api/v3/movie/list"} if arr.profile.kind == "whisparr_v3" else set())
    assert set(made) == cheap and all(n == 4 for n in made.values()), made
    spent = sum((Counter(arr.bytes_sent) - before).values())
    listing = before[full_list(arr)]  # what one read of the whole list cost
    assert spent < listing, (spent, listing)


def test_radarr_signals_each_lead_to_their_reread(fake_radarr):
    arr, lib = fake_radarr, fake_radarr.library
    connector = connector_for(arr)
    sync(connector, FULL)
    at_cutoff = next(
        m for m in lib.movies.values() if m.file_id and not lib.movie_cutoff_not_met(m)
    )
    missing = [m for m in lib.movies.values() if not m.file_id and m.monitored and m.year]

    # History: a new file at the cutoff moves no total; the import names the movie,
    # and that movie alone is read.
    arr.upgrade_movie_file(at_cutoff.id)
    made = requests_during(arr, lambda: sync(connector, INCR))
    assert made[f"GET /api/v3/movie/{at_cutoff.id}"] == 1 and "GET /api/v3/movie" not in made
    assert mirror_movies(connector) == library_movies(arr)

    # Totals: a missing movie unmonitored moves /wanted/missing; the list is read.
    arr.set_movie_monitored(missing[0].id, False)
    made = requests_during(arr, lambda: sync(connector, INCR))
    assert made["GET /api/v3/movie"] == 1

    # A day since the list: it is read again, whatever the signals say.
    assert "GET /api/v3/movie" not in requests_during(arr, lambda: sync(connector, INCR))
    SyncState.objects.filter(connector=connector).update(
        library_listed_at=timezone.now() - timedelta(hours=24)
    )
    assert requests_during(arr, lambda: sync(connector, INCR))["GET /api/v3/movie"] == 1
    assert mirror_movies(connector) == library_movies(arr)


def test_whisparr_v3_count_signal(fake_whisparr_v3):
    arr, lib = fake_whisparr_v3, fake_whisparr_v3.library
    connector = connector_for(arr)
    sync(connector, FULL)
    # A movie at its cutoff is in no /wanted list: only the count tells it went.
    gone = next(m for m in lib.movies.values() if m.file_id and not lib.movie_cutoff_not_met(m))
    arr.remove_movie(gone.id)
    made = requests_during(arr, lambda: sync(connector, INCR))
    assert made["GET /api/v3/movie"] == 1
    assert mirror_movies(connector) == library_movies(arr)


class _Catcher(BaseHTTPRequestHandler):
    payloads: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        type(self).payloads.append(json.loads(body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def catcher():
    _Catcher.payloads = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Catcher)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/", _Catcher.payloads
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("fixture", ["fake_radarr", "fake_sonarr"])
def test_an_added_webhook_leads_to_the_list(request, fixture, catcher):
    arr = request.getfixturevalue(fixture)
    connector = connector_for(arr)
    sync(connector, FULL)
    url, payloads = catcher
    arr.webhooks.configure(url)
    added = arr.add_movie() if arr.profile.shape == "movies" else arr.add_series()
    assert arr.webhooks.wait()
    (payload,) = payloads
    assert payload["eventType"] in ("MovieAdded", "SeriesAdd")
    webhooks.webhook_apply(connector=connector, payload=payload)
    made = requests_during(arr, lambda: sync(connector, INCR))
    assert made[full_list(arr)] == 1
    if arr.profile.shape == "movies":
        assert added.id in mirror_movies(connector)
        assert mirror_movies(connector) == library_movies(arr)
    else:
        assert mirror_episodes(connector) == library_episodes(arr)


def test_radarr_mirror_after_changes_equals_a_full_sync(fake_radarr):
    """Each change followed by a sync, as changes come between 15-minute syncs."""
    arr, lib = fake_radarr, fake_radarr.library
    incremental = connector_for(arr, "incremental")
    sync(incremental, FULL)
    with_file = [m.id for m in lib.movies.values() if m.file_id]
    missing = [m.id for m in lib.movies.values() if not m.file_id and m.monitored and m.year]
    for change in (
        lambda: arr.delete_movie_file(with_file[0]),
        lambda: arr.upgrade_movie_file(with_file[1]),
        lambda: arr.set_movie_monitored(missing[0], False),
        lambda: arr.add_movie(),
        lambda: arr.remove_movie(missing[1]),
    ):
        change()
        sync(incremental, INCR)
    reference = connector_for(arr, "reference")
    sync(reference, FULL)
    assert mirror_movies(incremental) == mirror_movies(reference) == library_movies(arr)


def test_sonarr_mirror_after_changes_equals_a_full_sync(fake_sonarr):
    """Each change followed by a sync; several changes between two syncs can cancel out in
    the /wanted totals, which the Added webhook or the daily reconciliation then covers."""
    arr, lib = fake_sonarr, fake_sonarr.library
    incremental = connector_for(arr, "incremental")
    sync(incremental, FULL)
    episodes = [e for s in lib.series for e in lib.iter_episodes(s)]
    with_file = [e for e in episodes if lib.episode_file_id(e)]
    # What the app lists as missing (aired, monitored under a monitored series and season):
    # an unaired episode's or an unmonitored series' flag moves no total (nor, mostly, the
    # series statistics the list carries) and none of them is searched; the nightly full
    # sync reads those.
    aired_missing = [
        r["id"]
        for r in requests.get(
            f"{arr.url}/api/v3/wanted/missing",
            params={
                "pageSize": 1000,
                "sortKey": "episodes.airDateUtc",
                "sortDirection": "ascending",
            },
            headers={"X-Api-Key": arr.api_key},
            timeout=10,
        ).json()["records"]
    ]
    for change in (
        lambda: arr.delete_episode_file(with_file[0]),  # history: episodeFileDeleted
        lambda: arr.upgrade_episode_file(with_file[-1]),  # history: an import
        lambda: arr.set_episode_file(aired_missing[0]),
        lambda: arr.set_monitored(False, episode_id=aired_missing[-1]),
        lambda: arr.add_series(),
        lambda: arr.remove_series(next(iter(lib.series))),
    ):
        change()
        sync(incremental, INCR)
    reference = connector_for(arr, "reference")
    sync(reference, FULL)
    assert mirror_episodes(incremental) == mirror_episodes(reference) == library_episodes(arr)
