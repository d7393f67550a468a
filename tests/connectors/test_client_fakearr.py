"""The four clients against fakearr: real HTTP, several versions of each app.

Each client is built the way the product builds it (``build_client`` probing
system/status), with a small page size so every paged endpoint needs several
pages. What the client returns is compared with what the simulator answers to
plain requests, and a search goes queued -> started -> completed, is grabbed
into the queue, shows in history and is imported.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import requests

from connectors.common.capabilities import SHAPE_MOVIES, SHAPE_SERIES
from connectors.common.errors import (
    ArrTimeoutError,
    AuthenticationError,
    BadResponseError,
    ServerError,
    WrongKindError,
)
from connectors.radarr.commands import movies_search
from connectors.registry import build_client
from connectors.sonarr.commands import episode_search, season_search, series_search
from tests.fakearr import FakeArr, SimConfig

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SURE = SimConfig(grab_probability=1, unfindable_fraction=0)

SERIES_APPS = [
    ("sonarr", "4.0.19.2979"),
    ("sonarr", "4.0.9.2421"),
    ("sonarr", "3.0.10.1567"),
    ("whisparr_v2", None),
]
MOVIE_APPS = [
    ("radarr", "6.0.4.10291"),
    ("radarr", "5.28.0.10205"),
    ("radarr", "4.7.5.7809"),
    ("whisparr_v3", None),
    ("whisparr_v3", "3.0.0.100"),  # before Eros had /wanted: the library is filtered
]


def kind_of(arr: FakeArr) -> str:
    return "whisparr" if arr.profile.kind.startswith("whisparr") else arr.profile.kind


def raw(arr: FakeArr, path: str, params=None):
    response = requests.get(
        arr.url + path, params=params, headers={"X-Api-Key": arr.api_key}, timeout=10
    )
    response.raise_for_status()
    return response.json()


def raw_wanted_ids(arr: FakeArr, which: str, sort_key: str) -> set[int]:
    page = raw(
        arr,
        f"/api/v3/wanted/{which}",
        {"pageSize": 100_000, "sortKey": sort_key, "sortDirection": "ascending"},
    )
    return {record["id"] for record in page["records"]}


def client_for_arr(arr: FakeArr, *, page_size: int = 3):
    client = build_client(kind_of(arr), arr.url, arr.api_key, timeout=5)
    client.page_size = page_size
    client.http.sleep = lambda seconds: None
    return client


def finish(arr: FakeArr, client, command_id: int) -> None:
    """Walk a command through its states as a caller polling GET /command/{id} sees them."""
    assert client.get_command(command_id).status == "queued"
    arr.advance(1)
    assert client.get_command(command_id).status == "started"
    arr.advance(30)
    done = client.get_command(command_id)
    assert done.status == "completed" and done.is_finished
    assert done.ended is not None and done.started is not None


@pytest.mark.parametrize(("kind", "version"), SERIES_APPS)
def test_series_clients(fakearr_factory, kind, version):
    arr = fakearr_factory(
        kind, version=version, series=8, episodes_per_series=30, seed=1, now=NOW, config=SURE
    )
    client = client_for_arr(arr)
    assert client.shape == SHAPE_SERIES
    assert client.capabilities.version_text == arr.profile.version
    assert client.capabilities.include_episode_file is arr.profile.include_episode_file

    client.ping()
    status = client.system_status()
    assert (status.app_name, status.version) == (arr.profile.app_name, arr.profile.version)
    assert client.health() == []
    assert {p.arr_id for p in client.quality_profiles()} == {
        p["id"] for p in raw(arr, "/api/v3/qualityprofile")
    }

    series = client.series()
    raw_series = raw(arr, "/api/v3/series")
    assert [s.arr_id for s in series] == [s["id"] for s in raw_series]
    first = series[0]
    sent = client.http.request_count
    episodes = client.episodes(first.arr_id)
    # One request per series where includeEpisodeFile exists, else /episodefile merged in.
    assert client.http.request_count - sent == (1 if arr.profile.include_episode_file else 2)
    assert len(episodes) == first.total_episode_count
    files = {f["id"]: f for f in raw(arr, "/api/v3/episodefile", {"seriesId": first.arr_id})}
    with_file = [e for e in episodes if e.has_file]
    assert with_file, "the generated series has files"
    for episode in with_file:
        # Merged from includeEpisodeFile or from /episodefile, by version.
        expected = files[episode.episode_file_id]["quality"]["quality"]["name"]
        assert episode.quality_name == expected
    if kind == "whisparr_v2":
        assert all(e.episode_number is None and e.release_date for e in episodes)

    missing = list(client.wanted_missing())
    sort_key = client._wanted_sort_key()  # what the app version accepts
    assert {e.arr_id for e in missing} == raw_wanted_ids(arr, "missing", sort_key)
    assert len(missing) > client.page_size  # several pages were read
    cutoff = list(client.wanted_cutoff())
    assert {e.arr_id for e in cutoff} == raw_wanted_ids(arr, "cutoff", sort_key)
    assert all(e.quality_cutoff_not_met and e.has_file for e in cutoff)

    started_at = arr.now()
    ids = [e.arr_id for e in missing[:3]]
    command = client.post_command(episode_search(ids))
    assert command.name == "EpisodeSearch" and command.body["episodeIds"] == ids
    finish(arr, client, command.arr_id)
    assert any(c.arr_id == command.arr_id for c in client.commands())
    queued = list(client.queue_items())
    assert {q.episode_arr_id for q in queued} == set(ids)
    assert client.queue_status().total_count == len(ids)
    grabbed = client.history_since(started_at, event_type="grabbed")
    assert {h.episode_arr_id for h in grabbed} == set(ids)
    arr.advance(arr.config.import_delay * 2)
    assert client.queue_status().total_count == 0
    imported = client.history_since(started_at, event_type="downloadFolderImported")
    assert {h.episode_arr_id for h in imported} == set(ids)
    assert not {e.arr_id for e in client.wanted_missing()} & set(ids)

    for request in (series_search(first.arr_id), season_search(first.arr_id, 1)):
        posted = client.post_command(request)
        assert posted.name == request.name
        finish(arr, client, posted.arr_id)


@pytest.mark.parametrize(("kind", "version"), MOVIE_APPS)
def test_movie_clients(fakearr_factory, kind, version):
    arr = fakearr_factory(kind, version=version, movies=40, seed=4, now=NOW, config=SURE)
    client = client_for_arr(arr)
    assert client.shape == SHAPE_MOVIES
    assert client.capabilities.wanted_endpoints is arr.profile.wanted_endpoints

    client.ping()  # Radarr < 4 has no /ping; the client falls back to system/status
    assert client.system_status().version == arr.profile.version
    movies = client.movies()
    raw_movies = raw(arr, "/api/v3/movie")
    assert [m.arr_id for m in movies] == [m["id"] for m in raw_movies]
    by_id = {m["id"]: m for m in raw_movies}
    for movie in movies:
        assert movie.has_file is bool(by_id[movie.arr_id].get("hasFile"))
        if movie.has_file:
            assert movie.quality_name  # embedded movieFile or fetched from /moviefile
    if kind == "whisparr_v3":
        assert {m.item_type for m in movies} <= {"movie", "scene"}

    missing = list(client.wanted_missing())
    cutoff = list(client.wanted_cutoff())
    expected_missing = {m.arr_id for m in movies if m.monitored and not m.has_file and m.year}
    expected_cutoff = {
        m.arr_id for m in movies if m.monitored and m.has_file and m.quality_cutoff_not_met
    }
    if arr.profile.wanted_endpoints:
        expected_missing = raw_wanted_ids(arr, "missing", "movieMetadata.sortTitle")
        expected_cutoff = raw_wanted_ids(arr, "cutoff", "movieMetadata.sortTitle")
    assert {m.arr_id for m in missing} == expected_missing
    assert {m.arr_id for m in cutoff} == expected_cutoff
    assert missing and cutoff

    started_at = arr.now()
    ids = [m.arr_id for m in missing if m.is_available][:3]
    assert ids
    command = client.post_command(movies_search(ids))
    assert command.name == "MoviesSearch" and command.body["movieIds"] == ids
    finish(arr, client, command.arr_id)
    assert {q.movie_arr_id for q in client.queue_items()} == set(ids)
    grabbed = client.history_since(started_at, event_type="grabbed")
    assert {h.movie_arr_id for h in grabbed} == set(ids)
    arr.advance(arr.config.import_delay * 2)
    imported = client.history_since(started_at, event_type="downloadFolderImported")
    assert {h.movie_arr_id for h in imported} == set(ids)
    assert all(m.has_file for m in client.movies() if m.arr_id in ids)


def test_probing_refuses_the_wrong_kind_and_a_wrong_key(fake_radarr):
    with pytest.raises(WrongKindError, match="This is Radarr, not Sonarr"):
        build_client("sonarr", fake_radarr.url, fake_radarr.api_key)
    with pytest.raises(AuthenticationError, match="rejected the API key"):
        build_client("radarr", fake_radarr.url, "0" * 32)


def test_faults_become_typed_errors(fake_sonarr):
    client = client_for_arr(fake_sonarr)
    fake_sonarr.faults.starting()
    with pytest.raises(ServerError) as starting:
        client.series()
    assert starting.value.policy.retry_request and starting.value.status_code == 503
    assert client.http.request_count > 1  # 503 was retried before giving up
    fake_sonarr.faults.clear()
    fake_sonarr.faults.truncated("/api/v3/series")
    with pytest.raises(BadResponseError):
        client.series()
    fake_sonarr.faults.clear()
    fake_sonarr.faults.hang("/api/v3/series", delay=5)
    client.http.timeout = 0.5
    client.http.max_retries = 0
    with pytest.raises(ArrTimeoutError):
        client.series()


def test_calls_reuse_one_pooled_keep_alive_connection(fake_sonarr):
    client = client_for_arr(fake_sonarr)
    for _ in range(5):
        client.system_status()
    client.health()
    adapter = client.http.session.get_adapter(fake_sonarr.url)
    pools = adapter.poolmanager.pools
    # urllib3's RecentlyUsedContainer refuses plain iteration; keys() is its public way.
    (pool,) = [pools[key] for key in pools.keys()]  # noqa: SIM118
    assert pool.num_requests >= 6
    assert pool.num_connections == 1


@pytest.mark.parametrize(
    ("kind", "version"),
    [
        *SERIES_APPS,
        *MOVIE_APPS,
        ("sonarr", "4.0.9.2332"),
        ("radarr", "5.10.3.9178"),
        ("radarr", "5.10.4.9218"),
        ("radarr", "5.2.0.8171"),
        ("whisparr_v3", "3.0.0.100"),
    ],
)
def test_the_simulator_and_the_clients_agree_on_the_matrix(kind, version):
    """fakearr's profiles and connectors' capabilities are written independently from
    docs/arr-api.md section 7; they must agree wherever both decide something."""
    from connectors.common.capabilities import capabilities_for
    from tests.fakearr.profiles import DEFAULT_VERSIONS, AppProfile

    profile = AppProfile(kind, version or DEFAULT_VERSIONS[kind])
    caps = capabilities_for("whisparr" if kind.startswith("whisparr") else kind, profile.version)
    assert caps.shape == profile.shape
    assert caps.wanted_endpoints is profile.wanted_endpoints
    assert caps.last_search_time is profile.last_search_time
    assert caps.include_episode_file is profile.include_episode_file
    assert caps.sort_key_allow_list is profile.sort_allow_list
    assert caps.movie_statistics is profile.movie_statistics
