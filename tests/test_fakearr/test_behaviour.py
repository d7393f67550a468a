"""fakearr behaves like the real apps: auth, paging, statistics, commands, grabs and imports."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests

from tests.fakearr import FakeArr, SimConfig
from tests.fakearr.library import generate

from .helpers import get, post

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


# ------------------------------------------------------------------ auth
@pytest.mark.parametrize(
    ("kind", "version", "body"),
    [
        ("sonarr", "4.0.19.2979", b""),
        ("sonarr", "3.0.10.1567", b'{"error":"Unauthorized"}'),
        ("radarr", None, b""),
        ("whisparr_v2", None, b""),
        ("whisparr_v3", None, b""),
    ],
)
def test_wrong_or_missing_key_is_401_with_the_versions_body(fakearr_factory, kind, version, body):
    arr = fakearr_factory(kind, version=version, series=1, movies=1)
    for headers in ({}, {"X-Api-Key": "wrong"}, {"X-Api-Key": arr.api_key.upper()}):
        response = requests.get(f"{arr.url}/api/v3/system/status", headers=headers, timeout=5)
        assert response.status_code == 401
        assert response.content == body
        assert "X-Application-Version" not in response.headers
    assert requests.get(f"{arr.url}/ping", timeout=5).status_code == 200  # anonymous


def test_key_sources_in_the_apps_order(fakearr_factory):
    arr = fakearr_factory("sonarr", series=1)
    url = f"{arr.url}/api/v3/system/status"
    assert requests.get(url, params={"apikey": arr.api_key}, timeout=5).status_code == 200
    assert (
        requests.get(url, headers={"Authorization": f"Bearer {arr.api_key}"}, timeout=5).status_code
        == 200
    )
    # The query parameter wins over a correct header.
    assert (
        requests.get(
            url, params={"apikey": "bad"}, headers={"X-Api-Key": arr.api_key}, timeout=5
        ).status_code
        == 401
    )
    ok = requests.get(url, headers={"X-Api-Key": arr.api_key}, timeout=5)
    assert ok.headers["X-Application-Version"] == "4.0.19.2979"
    old = fakearr_factory("sonarr", version="3.0.10.1567", series=1)
    bearer = requests.get(
        f"{old.url}/api/v3/system/status",
        headers={"Authorization": f"Bearer {old.api_key}"},
        timeout=5,
    )
    assert bearer.status_code == 401  # the Nancy v3 app never read Bearer tokens


def test_url_base(fakearr_factory):
    arr = fakearr_factory("sonarr", series=1, url_base="/sonarr/")
    assert arr.url.endswith("/sonarr")
    assert get(arr, "/api/v3/system/status").json()["urlBase"] == "/sonarr"
    assert (
        requests.get(
            f"{arr.root_url}/api/v3/system/status", headers={"X-Api-Key": arr.api_key}, timeout=5
        ).status_code
        == 404
    )
    assert requests.get(f"{arr.url}/ping", timeout=5).json() == {"status": "OK"}


# ------------------------------------------------------------------ library
def test_generation_is_deterministic_for_a_seed():
    ts = NOW.timestamp()
    a = generate(kind="sonarr", shape="series", seed=7, now=ts, series=30, episodes_per_series=40)
    b = generate(kind="sonarr", shape="series", seed=7, now=ts, series=30, episodes_per_series=40)
    c = generate(kind="sonarr", shape="series", seed=8, now=ts, series=30, episodes_per_series=40)
    for column in (
        "ep_series",
        "ep_season",
        "ep_number",
        "ep_air",
        "ep_flags",
        "ep_file",
        "f_quality",
        "f_size",
    ):
        assert getattr(a, column) == getattr(b, column)
    assert [s.title for s in a.series.values()] == [s.title for s in b.series.values()]
    assert a.ep_air != c.ep_air
    m1 = generate(kind="radarr", shape="movies", seed=3, now=ts, movies=50)
    m2 = generate(kind="radarr", shape="movies", seed=3, now=ts, movies=50)
    assert [(m.title, m.file_id, m.file_quality, m.in_cinemas) for m in m1.movies.values()] == [
        (m.title, m.file_id, m.file_quality, m.in_cinemas) for m in m2.movies.values()
    ]


def test_library_has_every_case_discovery_needs(fakearr_factory):
    arr = fakearr_factory("sonarr", series=60, episodes_per_series=40, seed=2, now=NOW)
    series = get(arr, "/api/v3/series").json()
    assert {s["status"] for s in series} >= {"continuing", "ended"}
    assert any(not s["monitored"] for s in series)
    assert any(not season["monitored"] for s in series for season in s["seasons"])
    assert any(season["seasonNumber"] == 0 for s in series for season in s["seasons"])
    assert any("nextAiring" in s for s in series)  # unaired future episodes exist
    missing_seasons = [
        season
        for s in series
        for season in s["seasons"]
        if season["seasonNumber"] > 0
        and season["statistics"]["episodeFileCount"] == 0
        and season["statistics"]["episodeCount"] > 0
    ]
    assert missing_seasons, "some whole seasons are missing"
    cutoff = get(
        arr,
        "/api/v3/wanted/cutoff",
        {"pageSize": 1, "sortKey": "episodes.airDateUtc", "sortDirection": "ascending"},
    ).json()
    assert cutoff["totalRecords"] > 0
    profiles = get(arr, "/api/v3/qualityprofile").json()
    assert {p["upgradeAllowed"] for p in profiles} == {True, False}


def test_movies_cover_every_availability_case(fakearr_factory):
    arr = fakearr_factory("radarr", movies=120, seed=4, now=NOW)
    movies = get(arr, "/api/v3/movie").json()
    assert {m["status"] for m in movies} >= {"released", "announced", "inCinemas", "tba"}
    assert {m["minimumAvailability"] for m in movies} >= {"announced", "inCinemas", "released"}
    assert any(not m["isAvailable"] for m in movies) and any(m["isAvailable"] for m in movies)
    assert any(m.get("movieFile", {}).get("qualityCutoffNotMet") for m in movies)
    assert any(not m["monitored"] for m in movies)


def test_statistics_agree_with_the_episodes(fakearr_factory):
    arr = fakearr_factory("sonarr", series=15, episodes_per_series=30, seed=9, now=NOW)
    now = NOW
    for s in get(arr, "/api/v3/series").json():
        episodes = get(arr, "/api/v3/episode", {"seriesId": s["id"]}).json()
        for season in s["seasons"]:
            eps = [e for e in episodes if e["seasonNumber"] == season["seasonNumber"]]
            st = season["statistics"]
            aired = [
                e
                for e in eps
                if "airDateUtc" in e
                and datetime.fromisoformat(e["airDateUtc"].replace("Z", "+00:00")) <= now
            ]
            assert st["totalEpisodeCount"] == len(eps)
            assert st["episodeFileCount"] == sum(e["hasFile"] for e in eps)
            assert st["episodeCount"] == sum(
                1 for e in eps if e["hasFile"] or (e["monitored"] and e in aired)
            )
            expected_pct = (
                st["episodeFileCount"] / st["episodeCount"] * 100 if st["episodeCount"] else 0
            )
            assert st["percentOfEpisodes"] == pytest.approx(expected_pct)
            future = [
                e["airDateUtc"]
                for e in eps
                if e["monitored"] and "airDateUtc" in e and e not in aired
            ]
            assert st.get("nextAiring") == (min(future) if future else None)
        assert s["statistics"]["totalEpisodeCount"] == len(episodes)  # specials included
        assert s["statistics"]["seasonCount"] == sum(
            1 for x in s["seasons"] if x["seasonNumber"] > 0
        )


def test_include_episode_file_only_where_the_version_has_it(fakearr_factory):
    for version, embedded in (
        ("4.0.19.2979", True),
        ("4.0.9.2421", True),
        ("4.0.9.2332", False),
        ("3.0.10.1567", False),
    ):
        arr = fakearr_factory("sonarr", version=version, series=3, seed=1)
        sid = next(
            s["id"]
            for s in get(arr, "/api/v3/series").json()
            if s["statistics"]["episodeFileCount"]
        )
        episodes = get(
            arr, "/api/v3/episode", {"seriesId": sid, "includeEpisodeFile": "true"}
        ).json()
        with_file = [e for e in episodes if e["hasFile"]]
        assert all(("episodeFile" in e) == embedded for e in with_file), version


def test_episode_requires_a_filter_and_accepts_repeated_ids(fake_sonarr):
    assert get(fake_sonarr, "/api/v3/episode").status_code == 400
    assert get(fake_sonarr, "/api/v3/episode", {"seriesId": 9999}).status_code == 404
    assert get(fake_sonarr, "/api/v3/episode/999999").status_code == 404
    got = get(fake_sonarr, "/api/v3/episode", [("episodeIds", 1), ("episodeIds", 2)]).json()
    assert [e["id"] for e in got] == [1, 2]
    # ASP.NET does not split commas: "1,2" is not an int.
    assert get(fake_sonarr, "/api/v3/episode", {"episodeIds": "1,2"}).status_code == 400


# ------------------------------------------------------------------ paging and sorting
def test_paging_and_sort_direction_defaults(fakearr_factory):
    arr = fakearr_factory("sonarr", series=20, episodes_per_series=30, seed=11, now=NOW)
    everything = get(
        arr,
        "/api/v3/wanted/missing",
        {"pageSize": 100000, "sortKey": "episodes.airDateUtc", "sortDirection": "ascending"},
    ).json()
    total = everything["totalRecords"]
    assert total == len(everything["records"]) > 12
    airs = [r["airDateUtc"] for r in everything["records"]]
    assert airs == sorted(airs)
    default_page = get(arr, "/api/v3/wanted/missing").json()
    assert (
        default_page["page"] == 1
        and default_page["pageSize"] == 10
        and len(default_page["records"]) == 10
    )
    # Omitting sortDirection sorts descending (PagingResource's constructor default).
    assert default_page["sortDirection"] == "descending"
    assert [r["id"] for r in default_page["records"]] == [
        r["id"] for r in reversed(everything["records"])
    ][:10]
    # "default" means the controller's default: ascending for air date.
    assert (
        get(arr, "/api/v3/wanted/missing", {"sortDirection": "default"}).json()["sortDirection"]
        == "ascending"
    )
    pages = []
    page = 1
    while True:
        body = get(
            arr,
            "/api/v3/wanted/missing",
            {
                "page": page,
                "pageSize": 5,
                "sortKey": "episodes.airDateUtc",
                "sortDirection": "ascending",
            },
        ).json()
        assert body["totalRecords"] == total
        if not body["records"]:
            break
        pages.extend(r["id"] for r in body["records"])
        page += 1
    assert pages == [r["id"] for r in everything["records"]]
    by_title = get(
        arr,
        "/api/v3/wanted/missing",
        {
            "pageSize": 1000,
            "sortKey": "series.sortTitle",
            "sortDirection": "ascending",
            "includeSeries": "true",
        },
    ).json()
    titles = [r["series"]["sortTitle"] for r in by_title["records"]]
    assert titles == sorted(titles)


def test_unknown_sort_key_falls_back_or_fails_by_version(fakearr_factory):
    new = fakearr_factory("sonarr", series=3)
    body = get(
        new, "/api/v3/wanted/missing", {"sortKey": "nonsense", "sortDirection": "ascending"}
    ).json()
    assert body["sortKey"] == "episodes.airDateUtc"
    old = fakearr_factory("sonarr", version="3.0.10.1567", series=3)
    assert get(old, "/api/v3/wanted/missing", {"sortKey": "nonsense"}).status_code == 500
    assert get(new, "/api/v3/wanted/missing", {"sortDirection": "sideways"}).status_code == 400


def test_monitored_filter_on_wanted(fakearr_factory):
    arr = fakearr_factory("sonarr", series=40, episodes_per_series=20, seed=5, now=NOW)
    monitored = get(
        arr,
        "/api/v3/wanted/missing",
        {
            "pageSize": 100000,
            "sortKey": "episodes.airDateUtc",
            "sortDirection": "ascending",
            "includeSeries": "true",
        },
    ).json()["records"]
    unmonitored = get(
        arr,
        "/api/v3/wanted/missing",
        {
            "pageSize": 100000,
            "monitored": "false",
            "sortKey": "episodes.airDateUtc",
            "sortDirection": "ascending",
            "includeSeries": "true",
        },
    ).json()["records"]
    assert all(r["monitored"] and r["series"]["monitored"] for r in monitored)
    assert unmonitored and all(
        not (r["monitored"] and r["series"]["monitored"]) for r in unmonitored
    )
    assert all(not r["hasFile"] for r in monitored + unmonitored)


def test_radarr_wanted_needs_5_6(fakearr_factory):
    old = fakearr_factory("radarr", version="4.7.5.7809", movies=3)
    assert get(old, "/api/v3/wanted/missing").status_code == 404
    new = fakearr_factory("radarr", version="5.28.0.10205", movies=60, seed=2, now=NOW)
    body = get(
        new,
        "/api/v3/wanted/missing",
        {"pageSize": 1000, "sortKey": "movieMetadata.sortTitle", "sortDirection": "ascending"},
    ).json()
    # Radarr does not filter on availability: announced movies are listed too.
    assert any(not m["isAvailable"] for m in body["records"])
    assert [m["sortTitle"] for m in body["records"]] == sorted(
        m["sortTitle"] for m in body["records"]
    )


def test_history_since_semantics(fakearr_factory):
    arr = fakearr_factory(
        "radarr",
        movies=40,
        seed=6,
        now=NOW,
        config=SimConfig(grab_probability=1, unfindable_fraction=0),
    )
    ids = [
        m["id"]
        for m in get(arr, "/api/v3/movie").json()
        if m["monitored"] and not m.get("hasFile") and m["isAvailable"]
    ]
    post(arr, "/api/v3/command", {"name": "MoviesSearch", "movieIds": ids})
    arr.advance(30)
    cut = arr.now()
    arr.advance(1000)
    whole = get(arr, "/api/v3/history/since").json()  # no date: the whole history
    grabbed = get(
        arr, "/api/v3/history/since", {"date": "2000-01-01", "eventType": "grabbed"}
    ).json()
    assert len(grabbed) == len(ids) and {h["movieId"] for h in grabbed} == set(ids)
    assert (
        get(arr, "/api/v3/history/since", {"date": "2000-01-01", "eventType": "1"}).json()
        == grabbed
    )
    later = get(
        arr, "/api/v3/history/since", {"date": cut.isoformat().replace("+00:00", "Z")}
    ).json()
    assert {h["eventType"] for h in later} == {"downloadFolderImported"}
    assert len(whole) == len(grabbed) + len(later)
    assert get(arr, "/api/v3/history/since", {"date": "yesterday"}).status_code == 400
    paged = get(
        arr,
        "/api/v3/history",
        [("eventType", 3), ("pageSize", 1000), ("sortKey", "date"), ("sortDirection", "ascending")],
    ).json()
    assert paged["totalRecords"] == len(ids)


# ------------------------------------------------------------------ commands, grabs, imports
def test_command_lifecycle_and_message(fakearr_factory):
    arr = fakearr_factory(
        "sonarr",
        series=10,
        seed=3,
        now=NOW,
        config=SimConfig(grab_probability=1, unfindable_fraction=0),
    )
    missing = get(
        arr,
        "/api/v3/wanted/missing",
        {"pageSize": 3, "sortKey": "episodes.airDateUtc", "sortDirection": "ascending"},
    ).json()["records"]
    ids = [r["id"] for r in missing]
    response = post(arr, "/api/v3/command", {"name": "EpisodeSearch", "episodeIds": ids})
    assert response.status_code == 201
    cmd = response.json()
    assert (
        cmd["status"] == "queued"
        and cmd["body"]["episodeIds"] == ids
        and cmd["trigger"] == "manual"
    )
    assert response.headers["Location"].endswith(f"/api/v3/command/{cmd['id']}")
    # An identical command still queued is returned, not created again.
    assert (
        post(arr, "/api/v3/command", {"name": "EpisodeSearch", "episodeIds": ids}).json()["id"]
        == cmd["id"]
    )
    arr.advance(1)
    assert get(arr, f"/api/v3/command/{cmd['id']}").json()["status"] == "started"
    arr.advance(10)
    done = get(arr, f"/api/v3/command/{cmd['id']}").json()
    assert done["status"] == "completed" and done["result"] == "successful"
    assert done["message"] == "Episode search completed. 1 reports downloaded."
    assert "ended" in done and "duration" in done
    queue = get(
        arr, "/api/v3/queue", {"pageSize": 100, "sortKey": "timeleft", "sortDirection": "ascending"}
    ).json()
    assert {r["episodeId"] for r in queue["records"]} == set(ids)
    assert get(arr, "/api/v3/queue/status").json()["totalCount"] == 3
    episodes = get(arr, "/api/v3/episode", [("episodeIds", i) for i in ids]).json()
    assert all("lastSearchTime" in e and not e["hasFile"] for e in episodes)
    arr.advance(arr.config.import_delay * 2)
    episodes = get(arr, "/api/v3/episode", [("episodeIds", i) for i in ids]).json()
    assert all(e["hasFile"] for e in episodes)
    assert get(arr, "/api/v3/queue/status").json()["totalCount"] == 0
    again = get(
        arr,
        "/api/v3/wanted/missing",
        {"pageSize": 10000, "sortKey": "episodes.airDateUtc", "sortDirection": "ascending"},
    ).json()
    assert not set(ids) & {r["id"] for r in again["records"]}
    # The message is forgotten five minutes after the command ended, as the app does.
    arr.advance(400)
    old = get(arr, f"/api/v3/command/{cmd['id']}").json()
    assert "message" not in old and old["result"] == "unknown"
    assert [a.source for a in arr.acquisitions] == ["search"] * 3


def test_unknown_and_nameless_commands(fake_sonarr, fake_radarr):
    assert (
        post(fake_sonarr, "/api/v3/command", {"name": "MoviesSearch", "movieIds": [1]}).status_code
        == 500
    )
    assert (
        post(fake_radarr, "/api/v3/command", {"name": "MovieSearch", "movieIds": [1]}).status_code
        == 500
    )
    nameless = post(fake_sonarr, "/api/v3/command", {"seriesId": 1})
    assert nameless.status_code == 400 and isinstance(nameless.json(), list)
    assert (
        post(fake_sonarr, "/api/v3/command", {"name": "episodesearch", "episodeIds": [1]}).json()[
            "name"
        ]
        == "EpisodeSearch"
    )
    assert [r.name for r in fake_sonarr.commands_received] == ["EpisodeSearch"]


def test_season_pack_grabs_the_whole_season(fakearr_factory):
    cfg = SimConfig(grab_probability=0, unfindable_fraction=0, season_pack_probability=1)
    arr = fakearr_factory("sonarr", series=40, episodes_per_series=30, seed=12, now=NOW, config=cfg)
    target = None
    for s in get(arr, "/api/v3/series").json():
        for season in s["seasons"]:
            st = season["statistics"]
            if (
                s["monitored"]
                and season["seasonNumber"] > 0
                and st["episodeFileCount"] == 0
                and "nextAiring" not in st
                and st["episodeCount"] > 1
            ):
                target = (s["id"], season["seasonNumber"])
                break
        if target:
            break
    assert target
    cmd = post(
        arr,
        "/api/v3/command",
        {"name": "SeasonSearch", "seriesId": target[0], "seasonNumber": target[1]},
    ).json()
    arr.advance(60)
    assert (
        get(arr, f"/api/v3/command/{cmd['id']}").json()["message"]
        == "Season search completed. 1 reports downloaded."
    )
    queue = get(
        arr,
        "/api/v3/queue",
        {"pageSize": 1000, "sortKey": "timeleft", "sortDirection": "ascending"},
    ).json()["records"]
    assert len({q["downloadId"] for q in queue}) == 1 and len(queue) > 1
    arr.advance(1000)
    files = get(arr, "/api/v3/episodefile", {"seriesId": target[0]}).json()
    assert {f["releaseType"] for f in files if f["seasonNumber"] == target[1]} == {"seasonPack"}


def test_futile_searches_are_recorded_and_never_grab(fakearr_factory):
    arr = fakearr_factory(
        "sonarr",
        series=30,
        episodes_per_series=30,
        seed=13,
        now=NOW,
        config=SimConfig(grab_probability=1, unfindable_fraction=0),
    )
    lib = arr.library
    now = NOW.timestamp()
    unaired = next(e for e in lib.iter_episodes() if not lib.episode_aired(e, now))
    has_file = next(
        e
        for e in lib.iter_episodes()
        if lib.episode_file_id(e) and not lib.file_cutoff_not_met(lib.episode_file_id(e))
    )
    post(arr, "/api/v3/command", {"name": "EpisodeSearch", "episodeIds": [unaired, has_file]})
    arr.advance(100)
    assert arr.futile_searches() == sorted([(1, unaired, "unaired"), (1, has_file, "has_file")])
    assert arr.commands_received[0].could_not_succeed
    assert not arr.simulation.queue


def test_unavailable_movies_are_never_grabbed(fakearr_factory):
    arr = fakearr_factory(
        "radarr",
        movies=80,
        seed=14,
        now=NOW,
        config=SimConfig(grab_probability=1, unfindable_fraction=0),
    )
    unavailable = [
        m["id"]
        for m in get(arr, "/api/v3/movie").json()
        if not m["isAvailable"] and not m.get("hasFile")
    ]
    assert unavailable
    cmd = post(arr, "/api/v3/command", {"name": "MoviesSearch", "movieIds": unavailable}).json()
    arr.advance(100)
    assert (
        get(arr, f"/api/v3/command/{cmd['id']}").json()["message"]
        == f"Completed search for {len(unavailable)} movies. 0 reports downloaded."
    )
    assert {reason for _, _, reason in arr.futile_searches()} == {"unavailable"}


def test_rss_imports_what_nobody_searched(fakearr_factory):
    arr = fakearr_factory(
        "sonarr",
        series=20,
        seed=15,
        now=NOW,
        config=SimConfig(rss_interval=600, rss_probability=1, unfindable_fraction=0),
    )
    arr.advance(3600 * 3)
    assert arr.acquisitions and {a.source for a in arr.acquisitions} == {"rss"}
    assert arr.commands_received == []


def test_command_rates_are_measurable(fake_sonarr):
    for i in range(1, 6):
        post(fake_sonarr, "/api/v3/command", {"name": "EpisodeSearch", "episodeIds": [i]})
        fake_sonarr.advance(20)
    assert fake_sonarr.max_commands_in_window(60) == 3
    assert fake_sonarr.max_commands_in_window(3600) == 5


def test_mutation_hooks_show_up_in_the_api(fakearr_factory):
    arr = fakearr_factory("sonarr", series=4, seed=16, now=NOW)
    s = arr.add_series(title="Brand New Show")
    assert any(x["title"] == "Brand New Show" for x in get(arr, "/api/v3/series").json())
    eid = arr.add_episode(s.id, 1, air=NOW - timedelta(days=2))
    before = get(arr, f"/api/v3/series/{s.id}").json()["statistics"]
    arr.set_episode_file(
        eid, quality_id=4
    )  # HDTV-720p: below the HD-1080p cutoff where upgrades are on
    after = get(arr, f"/api/v3/series/{s.id}").json()["statistics"]
    assert after["episodeFileCount"] == before["episodeFileCount"] + 1
    arr.upgrade_episode_file(eid)
    assert get(arr, f"/api/v3/episode/{eid}").json()["episodeFile"]["qualityCutoffNotMet"] is False
    arr.delete_episode_file(eid)
    assert get(arr, f"/api/v3/episode/{eid}").json()["hasFile"] is False
    arr.set_monitored(False, series_id=s.id, season=1)
    assert all(
        not e["monitored"]
        for e in get(arr, "/api/v3/episode", {"seriesId": s.id, "seasonNumber": 1}).json()
    )
    arr.remove_episode(eid)
    assert get(arr, f"/api/v3/episode/{eid}").status_code == 404
    arr.remove_series(s.id)
    assert get(arr, f"/api/v3/series/{s.id}").status_code == 404
    radarr = FakeArr("radarr", movies=3, speed=0)
    m = radarr.add_movie(title="Late Addition")
    assert m.id == 4 and radarr.library.movies[4].title == "Late Addition"


def test_public_futility_and_grab_hooks(fakearr_factory):
    arr = fakearr_factory("sonarr", series=10, seed=17, now=NOW)
    lib = arr.library
    now = NOW.timestamp()
    wanted = next(
        e
        for e in lib.iter_episodes()
        if lib.episode_aired(e, now)
        and not lib.episode_file_id(e)
        and lib.episode_monitored(e)
        and lib.series[lib.ep_series[e - 1]].monitored
    )
    assert arr.futility(wanted) is None
    arr.grab([wanted])
    assert arr.futility(wanted) == "downloading"
    queue = get(arr, "/api/v3/queue", {"sortKey": "timeleft", "sortDirection": "ascending"}).json()
    assert [r["episodeId"] for r in queue["records"]] == [wanted]
    arr.advance(arr.config.import_delay * 2)
    assert arr.futility(wanted) == "has_file"
    assert arr.acquisitions[0].source == "rss" and arr.acquisitions[0].command_id is None
    assert arr.futility(10**7) == "unknown"


def test_whisparr_v2_sites_have_years_as_seasons(fake_whisparr_v2):
    series = get(fake_whisparr_v2, "/api/v3/series").json()
    years = {season["seasonNumber"] for s in series for season in s["seasons"]}
    assert all(1990 < y <= NOW.year + 10 for y in years)
    scene = get(fake_whisparr_v2, "/api/v3/episode", {"seriesId": series[0]["id"]}).json()[0]
    assert scene["releaseDate"].startswith(str(scene["seasonNumber"]))
    # No allow-list on Whisparr v2: the raw column name works, a wrong one is a 500.
    assert (
        get(
            fake_whisparr_v2,
            "/api/v3/wanted/missing",
            {"sortKey": "releaseDate", "sortDirection": "ascending"},
        ).status_code
        == 200
    )
    assert get(fake_whisparr_v2, "/api/v3/wanted/missing", {"sortKey": "bogus"}).status_code == 500


def test_command_executor_threads_limit_concurrency(fakearr_factory):
    arr = fakearr_factory("radarr", movies=10, seed=18)
    ids = [
        post(arr, "/api/v3/command", {"name": "MoviesSearch", "movieIds": [i]}).json()["id"]
        for i in range(1, 5)
    ]
    arr.advance(1)
    statuses = [get(arr, f"/api/v3/command/{i}").json()["status"] for i in ids]
    assert statuses == ["started", "started", "queued", "queued"]  # Radarr runs two at a time
    assert get(arr, f"/api/v3/command/{ids[0]}").status_code == 200
    assert (
        requests.delete(
            f"{arr.url}/api/v3/command/{ids[0]}", headers={"X-Api-Key": arr.api_key}, timeout=5
        ).status_code
        == 409
    )
    assert (
        requests.delete(
            f"{arr.url}/api/v3/command/{ids[3]}", headers={"X-Api-Key": arr.api_key}, timeout=5
        ).status_code
        == 200
    )
    arr.advance(60)
    statuses = [get(arr, f"/api/v3/command/{i}").json()["status"] for i in ids]
    assert statuses == [
        "completed",
        "completed",
        "completed",
        "queued",
    ]  # a cancelled row stays queued


def test_file_changes_from_hooks_appear_in_history_since(fakearr_factory):
    arr = fakearr_factory("sonarr", series=10, seed=19, now=NOW)
    lib = arr.library
    below = next(
        e
        for e in lib.iter_episodes()
        if lib.episode_file_id(e) and lib.file_cutoff_not_met(lib.episode_file_id(e))
    )
    arr.advance(10)
    since = arr.now().isoformat().replace("+00:00", "Z")
    arr.upgrade_episode_file(below)
    arr.delete_episode_file(below)
    events = get(arr, "/api/v3/history/since", {"date": since}).json()
    assert [(h["eventType"], h["episodeId"]) for h in events] == [
        ("episodeFileDeleted", below),
        ("downloadFolderImported", below),
        ("episodeFileDeleted", below),
    ]
    assert events[0]["qualityCutoffNotMet"] is True and events[1]["qualityCutoffNotMet"] is False
    radarr = fakearr_factory("radarr", movies=20, seed=19, now=NOW)
    movie = next(m for m in radarr.library.movies.values() if m.file_id)
    radarr.upgrade_movie_file(movie.id)
    radarr.delete_movie_file(movie.id)
    kinds = [
        h["eventType"] for h in get(radarr, "/api/v3/history/since", {"date": "2000-01-01"}).json()
    ]
    assert kinds == ["movieFileDeleted", "downloadFolderImported", "movieFileDeleted"]


def test_indexer_queries_are_counted_as_the_app_sends_them(fakearr_factory):
    """One per episode id, one per standard season, one per wanted episode of a daily season."""
    arr = fakearr_factory("sonarr", series=40, episodes_per_series=30, seed=12, now=NOW)
    lib, now = arr.library, NOW.timestamp()

    def wanted(s, season):
        return [
            e
            for e in s.episode_ids
            if lib.ep_season[e - 1] == season and arr.simulation._wants(e, now)
        ]

    def a_season(series_type):
        for s in lib.series.values():
            if s.monitored and s.series_type == series_type:
                for season, monitored in s.seasons.items():
                    if monitored and season > 0 and len(wanted(s, season)) > 1:
                        return s, season
        raise AssertionError(f"no {series_type} season with gaps")

    standard, season = a_season("standard")
    post(arr, "/api/v3/command", {"name": "SeasonSearch", "seriesId": standard.id,
                                  "seasonNumber": season})  # fmt: skip
    post(arr, "/api/v3/command", {"name": "EpisodeSearch", "episodeIds": [1, 2, 3]})
    arr.advance(120)
    assert arr.simulation.indexer_queries == {"SeasonSearch": 1, "EpisodeSearch": 3}
    daily, season = a_season("daily")
    n = len(wanted(daily, season))
    post(arr, "/api/v3/command", {"name": "SeasonSearch", "seriesId": daily.id,
                                  "seasonNumber": season})  # fmt: skip
    arr.advance(120)
    assert arr.simulation.indexer_queries["SeasonSearch"] == 1 + n
