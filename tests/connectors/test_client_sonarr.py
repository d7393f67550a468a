"""SonarrClient endpoints: the shared ones, series/episodes with file merge, wanted, commands."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl, urlsplit

import pytest
from responses import matchers

from connectors.common.errors import AuthenticationError, BadResponseError, NotFoundError
from connectors.sonarr.client import SonarrClient
from connectors.sonarr.commands import episode_search, season_search, series_search

from .conftest import load_fixture

BASE = "http://arr.test:8989"
API = f"{BASE}/api/v3"


def query(call) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(call.request.url).query)


@pytest.fixture
def sonarr(make_client):
    client = make_client("sonarr", "4.0.19.2979")
    assert isinstance(client, SonarrClient)
    return client


def test_status_health_profiles(rsps, sonarr):
    rsps.get(f"{API}/system/status", json=load_fixture("sonarr", "system_status_v4"))
    rsps.get(f"{API}/health", json=load_fixture("sonarr", "health"))
    rsps.get(f"{API}/qualityprofile", json=load_fixture("sonarr", "qualityprofile"))
    assert sonarr.system_status().version == "4.0.19.2979"
    assert len(sonarr.health()) == 2
    assert [p.name for p in sonarr.quality_profiles()] == ["HD-1080p", "Any"]


def test_ping_ok_and_wrong_key_is_not_detected_by_ping(rsps, sonarr):
    rsps.get(f"{BASE}/ping", json={"status": "OK"})
    assert sonarr.ping() is None
    assert "X-Api-Key" in rsps.calls[0].request.headers


def test_ping_error_status(rsps, sonarr):
    rsps.get(f"{BASE}/ping", json={"status": "Error"})
    with pytest.raises(BadResponseError, match="'Error'"):
        sonarr.ping()


def test_ping_falls_back_to_system_status_when_missing(rsps, make_client):
    client = make_client("radarr", "3.2.2.5080")
    rsps.get(f"{BASE}/ping", status=404)
    rsps.get(f"{API}/system/status", status=401)
    with pytest.raises(AuthenticationError):
        client.ping()
    assert [urlsplit(c.request.url).path for c in rsps.calls] == ["/ping", "/api/v3/system/status"]


def test_series(rsps, sonarr):
    rsps.get(f"{API}/series", json=load_fixture("sonarr", "series"))
    assert [s.title for s in sonarr.series()] == ["The Expanse", "Nightly News"]
    assert query(rsps.calls[0]) == []


def test_series_that_is_not_a_list_is_bad_response(rsps, sonarr):
    rsps.get(f"{API}/series", json={"records": []})
    with pytest.raises(BadResponseError):
        sonarr.series()


def test_episodes_with_include_episode_file_in_one_request(rsps, sonarr):
    rsps.get(f"{API}/episode", json=load_fixture("sonarr", "episodes_with_file"))
    episodes = sonarr.episodes(12)
    assert len(rsps.calls) == 1
    assert query(rsps.calls[0]) == [("seriesId", "12"), ("includeEpisodeFile", "true")]
    assert [e.quality_cutoff_not_met for e in episodes] == [True, False, False, False]


@pytest.mark.parametrize("version", ["4.0.9.2420", "4.0.0.741", "3.0.10.1567"])
def test_episodes_before_4_0_9_2421_merge_episodefile_by_id(rsps, make_client, version):
    client = make_client("sonarr", version)
    rsps.get(f"{API}/episode", json=load_fixture("sonarr", "episodes_plain"))
    rsps.get(f"{API}/episodefile", json=load_fixture("sonarr", "episodefiles"))
    episodes = client.episodes(12)
    assert [urlsplit(c.request.url).path for c in rsps.calls] == [
        "/api/v3/episode",
        "/api/v3/episodefile",
    ]
    assert query(rsps.calls[0]) == [("seriesId", "12")]
    assert query(rsps.calls[1]) == [("seriesId", "12")]
    by_id = {e.arr_id: e for e in episodes}
    assert (by_id[101].quality_name, by_id[101].quality_cutoff_not_met) == ("HDTV-720p", True)
    assert (by_id[102].quality_name, by_id[102].quality_cutoff_not_met) == ("WEBDL-1080p", False)
    assert by_id[103].has_file is False


def test_episodes_without_any_file_skip_the_episodefile_request(rsps, make_client):
    client = make_client("sonarr", "4.0.0.741")
    rsps.get(f"{API}/episode", json=[load_fixture("sonarr", "episodes_plain")[2]])
    assert len(client.episodes(12)) == 1
    assert len(rsps.calls) == 1


def test_wanted_missing_streams_every_page_with_sort_key_and_direction(rsps, sonarr):
    rsps.get(f"{API}/wanted/missing", json=load_fixture("sonarr", "wanted_missing_page1"))
    rsps.get(f"{API}/wanted/missing", json=load_fixture("sonarr", "wanted_missing_page2"))
    sonarr.page_size = 2  # the recorded pages hold 2 records
    missing = list(sonarr.wanted_missing())
    assert [e.arr_id for e in missing] == [103, 105, 106]
    assert all(not e.has_file and not e.quality_cutoff_not_met for e in missing)
    for number, call in enumerate(rsps.calls, start=1):
        assert dict(query(call)) == {
            "monitored": "true",
            "page": str(number),
            "pageSize": "2",
            "sortKey": "episodes.airDateUtc",
            "sortDirection": "ascending",
        }


def test_wanted_missing_default_page_size_is_1000(rsps, sonarr):
    rsps.get(
        f"{API}/wanted/missing",
        json={"page": 1, "pageSize": 1000, "totalRecords": 0, "records": []},
    )
    assert list(sonarr.wanted_missing()) == []
    assert dict(query(rsps.calls[0]))["pageSize"] == "1000"


def test_wanted_missing_cut_listing_raises_instead_of_returning_part(rsps, sonarr):
    rsps.get(f"{API}/wanted/missing", json=load_fixture("sonarr", "wanted_missing_page1"))
    rsps.get(
        f"{API}/wanted/missing",
        json={**load_fixture("sonarr", "wanted_missing_page2"), "records": []},
    )
    sonarr.page_size = 2
    with pytest.raises(BadResponseError):
        list(sonarr.wanted_missing())


def test_wanted_missing_on_the_v3_app_uses_the_bare_sort_key(rsps, make_client):
    client = make_client("sonarr", "3.0.10.1567")
    rsps.get(
        f"{API}/wanted/missing",
        json={"page": 1, "pageSize": 1000, "totalRecords": 0, "records": []},
    )
    assert list(client.wanted_missing()) == []
    assert dict(query(rsps.calls[0]))["sortKey"] == "airDateUtc"


def test_wanted_cutoff_embeds_the_file(rsps, sonarr):
    rsps.get(f"{API}/wanted/cutoff", json=load_fixture("sonarr", "wanted_cutoff"))
    (episode,) = sonarr.wanted_cutoff()
    assert episode.quality_cutoff_not_met is True and episode.quality_name == "HDTV-720p"
    assert ("includeEpisodeFile", "true") in query(rsps.calls[0])


def test_queue(rsps, sonarr):
    rsps.get(f"{API}/queue/status", json=load_fixture("sonarr", "queue_status"))
    rsps.get(f"{API}/queue", json=load_fixture("sonarr", "queue"))
    assert sonarr.queue_status().total_count == 3
    items = list(sonarr.queue_items())
    assert [i.arr_id for i in items] == [9001, 9002]
    params = dict(query(rsps.calls[1]))
    assert params["sortKey"] == "timeleft" and params["sortDirection"] == "ascending"


def test_history_since_always_sends_the_date_and_sorts_oldest_first(rsps, sonarr):
    rsps.get(f"{API}/history/since", json=load_fixture("sonarr", "history_since"))
    since = datetime(2026, 11, 26, 8, 0, tzinfo=timezone(timedelta(hours=2)))
    records = sonarr.history_since(since, event_type="grabbed")
    assert query(rsps.calls[0]) == [("date", "2026-11-26T06:00:00Z"), ("eventType", "grabbed")]
    assert [r.arr_id for r in records] == [7000, 7001]


def test_history_since_needs_an_aware_datetime(sonarr):
    with pytest.raises(ValueError, match="aware"):
        sonarr.history_since(datetime(2026, 1, 1))


def test_post_command_sends_the_builder_body_and_reads_201(rsps, sonarr):
    rsps.post(
        f"{API}/command",
        json=load_fixture("sonarr", "command_queued"),
        status=201,
        match=[matchers.json_params_matcher({"name": "EpisodeSearch", "episodeIds": [101, 102]})],
    )
    status = sonarr.post_command(episode_search([101, 102, 101]))
    assert (status.arr_id, status.status) == (345, "queued")


def test_get_command_and_commands(rsps, sonarr):
    rsps.get(f"{API}/command/345", json=load_fixture("sonarr", "command_completed"))
    rsps.get(f"{API}/command", json=[load_fixture("sonarr", "command_completed")])
    assert sonarr.get_command(345).message.startswith("Episode search completed")
    assert [c.arr_id for c in sonarr.commands()] == [345]


def test_get_command_unknown_id(rsps, sonarr):
    rsps.get(f"{API}/command/9", status=404, json={"message": "NotFound"})
    with pytest.raises(NotFoundError):
        sonarr.get_command(9)


def test_command_builders():
    assert series_search(12).body == {"name": "SeriesSearch", "seriesId": 12}
    assert season_search(12, 3).body == {"name": "SeasonSearch", "seriesId": 12, "seasonNumber": 3}
    assert season_search(12, 0).name == "SeasonSearch"  # specials are season 0
    request = episode_search([101, 102, 101])
    assert request.name == "EpisodeSearch"
    assert request.body == {"name": "EpisodeSearch", "episodeIds": [101, 102]}


@pytest.mark.parametrize(
    "call",
    [
        lambda: series_search(0),
        lambda: series_search(-1),
        lambda: series_search("12"),
        lambda: series_search(True),
        lambda: season_search(12, -1),
        lambda: season_search(12, None),
        lambda: episode_search([]),
        lambda: episode_search([1, "2"]),
        lambda: episode_search("12"),
        lambda: episode_search([0]),
    ],
)
def test_command_builders_refuse_bad_ids(call):
    with pytest.raises(ValueError):
        call()


def test_wanted_drops_a_record_repeated_on_two_pages(rsps, sonarr):
    # OFFSET paging over a tied sort key (same air date) can repeat a record.
    page1 = load_fixture("sonarr", "wanted_missing_page1")
    page2 = {**load_fixture("sonarr", "wanted_missing_page2"), "records": [page1["records"][1]]}
    rsps.get(f"{API}/wanted/missing", json=page1)
    rsps.get(f"{API}/wanted/missing", json=page2)
    sonarr.page_size = 2
    assert [e.arr_id for e in sonarr.wanted_missing()] == [103, 105]
