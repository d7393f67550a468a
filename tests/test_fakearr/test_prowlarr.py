"""The fake Prowlarr: answers held to prowlarr-v1.json, and spend that moves like Prowlarr's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import requests

from tests.contract import validate_response

START = datetime(2026, 11, 30, 8, tzinfo=UTC)


def _get(prowlarr, path, params=None, *, key=None):
    return requests.get(
        prowlarr.url + path,
        params=params,
        headers={"X-Api-Key": key or prowlarr.api_key},
        timeout=10,
    )


def _check(prowlarr, path, params=None):
    response = _get(prowlarr, path, params)
    assert response.status_code == 200, (path, response.text[:200])
    validate_response("prowlarr-v1", "GET", path, 200, response.json())
    return response.json()


@pytest.fixture
def setup(fakearr_factory, fake_prowlarr_factory):
    radarr = fakearr_factory("radarr", movies=30, seed=2, now=START)
    radarr.config.grab_probability = 1.0
    radarr.config.unfindable_fraction = 0.0
    prowlarr = fake_prowlarr_factory(clock=radarr.clock, rss_interval=900)
    geek = prowlarr.add_indexer("NZBgeek", query_limit=100, grab_limit=10)
    hourly = prowlarr.add_indexer("FileList", query_limit=5, per_hour=True, tags=(3,))
    other = prowlarr.add_indexer("Other", tags=(4,))
    app = prowlarr.add_application(radarr)
    return radarr, prowlarr, app, (geek, hourly, other)


def test_every_answer_matches_the_document(setup):
    radarr, prowlarr, _, (geek, _, _) = setup
    radarr.advance(1000)
    prowlarr.fail_indexer(geek.id, seconds=600)
    now = radarr.now()
    indexers = _check(prowlarr, "/api/v1/indexer")
    assert [i["name"] for i in indexers] == ["NZBgeek", "FileList", "Other"]
    assert _check(prowlarr, "/api/v1/system/status")["appName"] == "Prowlarr"
    _check(prowlarr, "/api/v1/health")
    assert _check(prowlarr, "/api/v1/indexerstatus")[0]["indexerId"] == geek.id
    params = {"startDate": (now - timedelta(hours=24)).isoformat(), "endDate": now.isoformat()}
    assert len(_check(prowlarr, "/api/v1/indexerstats", params)["indexers"]) == 3
    _check(prowlarr, "/api/v1/history/indexer", {"indexerId": 2, "limit": 10})
    assert _check(prowlarr, "/api/v1/applications")[0]["fields"][1]["value"] == radarr.url


def test_a_wrong_key_is_a_401_and_a_bad_date_a_400(setup):
    _, prowlarr, _, _ = setup
    assert _get(prowlarr, "/api/v1/indexer", key="nope").status_code == 401
    assert _get(prowlarr, "/api/v1/indexerstats", {"startDate": "yesterday"}).status_code == 400
    assert _get(prowlarr, "/api/v1/history/indexer", {"limit": "x"}).status_code == 400


def test_a_search_adds_one_query_per_id_on_each_indexer_the_app_has(setup):
    radarr, prowlarr, _, (geek, hourly, other) = setup
    movies = sorted(radarr.library.movies)[:3]
    requests.post(
        radarr.url + "/api/v3/command",
        json={"name": "MoviesSearch", "movieIds": movies},
        headers={"X-Api-Key": radarr.api_key},
        timeout=10,
    )
    radarr.advance(60)
    at = radarr.clock.timestamp()
    assert prowlarr.count(geek.id, ("indexerQuery",), at=at, window=86400) == 3
    assert prowlarr.count(hourly.id, ("indexerQuery",), at=at, window=86400) == 3
    assert prowlarr.count(other.id, ("indexerQuery",), at=at, window=86400) == 3  # no app tags
    # The first usable indexer by priority (lowest number first) took the grabs.
    assert prowlarr.count(geek.id, ("releaseGrabbed",), at=at, window=86400) >= 1
    assert prowlarr.count(hourly.id, ("releaseGrabbed",), at=at, window=86400) == 0


def test_tags_pick_the_indexers_and_the_limit_refuses_more(setup):
    radarr, prowlarr, app, (_, hourly, other) = setup
    app.tags, app.next_rss = (3,), None  # no RSS in this test
    for _ in range(3):
        prowlarr.searched(app, "MoviesSearch", {"movieIds": [1, 2]}, radarr.clock.timestamp(), 0)
    at = radarr.clock.timestamp()
    assert prowlarr.count(hourly.id, ("indexerQuery",), at=at, window=3600) == 5  # the limit
    assert prowlarr.refused[hourly.id] == 1
    assert prowlarr.count(other.id, ("indexerQuery",), at=at, window=3600) == 0
    assert prowlarr.max_in_window(hourly.id) == 5
    radarr.advance(3601)  # the hour slides past: room again
    prowlarr.searched(app, "MoviesSearch", {"movieIds": [1]}, radarr.clock.timestamp(), 0)
    assert prowlarr.refused[hourly.id] == 1
    assert (
        prowlarr.count(hourly.id, ("indexerQuery",), at=radarr.clock.timestamp(), window=3600) == 1
    )


def test_rss_polls_on_a_timer_and_a_failure_disables_until_disabledtill(setup):
    radarr, prowlarr, _, (geek, _, _) = setup
    radarr.advance(3600)
    prowlarr.catch_up()
    at = radarr.clock.timestamp()
    assert prowlarr.count(geek.id, ("indexerRss",), at=at, window=86400) == 4
    prowlarr.fail_indexer(geek.id, seconds=1800)
    radarr.advance(1800)
    prowlarr.catch_up()
    assert prowlarr.count(geek.id, ("indexerRss",), at=radarr.clock.timestamp(), window=86400) == 5
    status = _check(prowlarr, "/api/v1/indexerstatus")
    assert status == []  # disabledTill passed


def test_a_search_no_indexer_answers_finds_nothing(setup):
    radarr, prowlarr, _, indexers = setup
    for indexer in indexers:
        prowlarr.fail_indexer(indexer.id, seconds=3600)
    movies = sorted(radarr.library.movies)[:3]
    requests.post(
        radarr.url + "/api/v3/command",
        json={"name": "MoviesSearch", "movieIds": movies},
        headers={"X-Api-Key": radarr.api_key},
        timeout=10,
    )
    radarr.advance(60)
    assert not radarr.simulation.queue and not prowlarr.events
    assert "No indexers available" in radarr.simulation.commands[1].message
