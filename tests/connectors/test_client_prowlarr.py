"""Prowlarr: mapper, client requests held to its OpenAPI document, and its place as a
connector that is never a library (never synced, swept, browsed or searched)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
import responses

from connectors import health
from connectors.common.errors import BadResponseError
from connectors.models import Connector
from connectors.prowlarr import mapper
from connectors.prowlarr.types import PER_DAY, PER_HOUR, Application, Indexer
from connectors.registry import KINDS, build_client, library_kinds
from tests.contract import request_problems, validate_response

from .conftest import API_KEY, load_fixture

BASE = "http://prowlarr.test:9696"
SPEC = "prowlarr-v1"
ROUTES = {
    "/ping": {"status": "OK"},
    "/api/v1/system/status": "system_status",
    "/api/v1/health": "health",
    "/api/v1/indexer": "indexers",
    "/api/v1/indexerstatus": "indexerstatus",
    "/api/v1/indexerstats": "indexerstats",
    "/api/v1/applications": "applications",
    "/api/v1/history/indexer": "history_indexer",
}


def _answer(request):
    path = urlsplit(request.url).path
    if path not in ROUTES:
        return 404, {}, json.dumps({"message": "NotFound"})
    body = ROUTES[path]
    body = load_fixture("prowlarr", body) if isinstance(body, str) else body
    return 200, {"Content-Type": "application/json"}, json.dumps(body)


@pytest.fixture
def prowlarr():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add_callback("GET", re.compile(re.escape(BASE) + r"/.*"), callback=_answer)
        yield rsps


def test_fixtures_conform_to_the_openapi_document():
    for path, name in ROUTES.items():
        if isinstance(name, str):
            validate_response(SPEC, "GET", path, 200, load_fixture("prowlarr", name))


def test_every_request_is_declared_by_the_openapi_document(prowlarr):
    client = build_client("prowlarr", BASE, API_KEY, version="2.3.6.5217")
    now = datetime(2026, 11, 30, 12, tzinfo=UTC)
    client.ping()
    client.system_status()
    client.health()
    client.indexers()
    client.indexer_statuses()
    client.indexer_stats(now - timedelta(hours=24), now)
    client.indexer_events(1, limit=120)
    client.applications()
    assert len(prowlarr.calls) == 8
    problems = []
    for call in prowlarr.calls:
        assert call.response.status_code == 200, call.request.url
        problems += request_problems(SPEC, call.request.method, call.request.url)
    assert not problems, "\n".join(problems)


def test_indexer_limits_come_from_the_nested_base_settings():
    first, second, third = mapper.map_indexers(load_fixture("prowlarr", "indexers"))
    assert (first.query_limit, first.grab_limit, first.limits_unit) == (100, 20, PER_DAY)
    assert (second.query_limit, second.grab_limit, second.limits_unit) == (50, None, PER_HOUR)
    assert second.window == timedelta(hours=1) and second.tags == (3,)
    assert (third.enabled, third.query_limit, third.limits_unit) == (False, None, PER_DAY)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ([], (None, None, PER_DAY)),
        ([{"name": "baseSettings.queryLimit", "value": 0}], (None, None, PER_DAY)),
        ([{"name": "baseSettings.queryLimit", "value": -5}], (None, None, PER_DAY)),
        ([{"name": "baseSettings.queryLimit", "value": "lots"}], (None, None, PER_DAY)),
        ([{"name": "baseSettings.limitsUnit", "value": "hour"}], (None, None, PER_HOUR)),
        ([{"name": "baseSettings.limitsUnit", "value": 7}], (None, None, PER_DAY)),
        ("not a list", (None, None, PER_DAY)),
    ],
)
def test_odd_limit_values_mean_no_limit_and_prowlarrs_default_unit(fields, expected):
    indexer = mapper.map_indexer({"id": 4, "name": "x", "enable": True, "fields": fields})
    assert (indexer.query_limit, indexer.grab_limit, indexer.limits_unit) == expected


def test_stats_count_searches_and_rss_like_prowlarr():
    stats = {
        s.indexer_id: s for s in mapper.map_indexer_stats(load_fixture("prowlarr", "indexerstats"))
    }
    assert stats[1].counted_queries == 42 and stats[1].grabs == 4
    with pytest.raises(BadResponseError):
        mapper.map_indexer_stats([])


def test_statuses_events_and_applications_are_typed():
    (status,) = mapper.map_indexer_statuses(load_fixture("prowlarr", "indexerstatus"))
    assert status.indexer_id == 2 and status.disabled_till == datetime(
        2026, 11, 30, 12, 30, tzinfo=UTC
    )
    events = mapper.map_indexer_events(load_fixture("prowlarr", "history_indexer"))
    assert [e.event_type for e in events] == ["indexerQuery", "releaseGrabbed", "indexerRss"]
    sonarr, radarr = mapper.map_applications(load_fixture("prowlarr", "applications"))
    assert sonarr.base_url == "http://sonarr:8989/" and sonarr.tags == ()
    assert radarr.tags == (3,) and radarr.sync_level == "addOnly"


def test_an_application_gets_every_indexer_without_tags_else_those_sharing_one():
    tagged = Indexer(1, "a", True, "usenet", 25, (3,), 100, None, PER_DAY)
    untagged = Indexer(2, "b", True, "usenet", 25, (), 100, None, PER_DAY)
    every = Application(1, "Sonarr", "Sonarr", "http://s", "fullSync", ())
    only_3 = Application(2, "Radarr", "Radarr", "http://r", "fullSync", (3, 9))
    assert every.handles(tagged) and every.handles(untagged)
    assert only_3.handles(tagged) and not only_3.handles(untagged)


# ---------------------------------------------------------------- not a library


def test_the_registry_lists_prowlarr_as_an_indexer_manager_not_a_library():
    assert "prowlarr" in KINDS and KINDS["prowlarr"].api_prefix == "/api/v1"
    assert "prowlarr" not in library_kinds()
    assert set(library_kinds()) == {"sonarr", "radarr", "whisparr"}


@pytest.mark.django_db
def test_a_prowlarr_connector_is_not_usable_for_the_engine_and_not_listed_as_a_library():
    prowlarr = Connector.objects.create(name="Prowlarr", kind="prowlarr", url=BASE, api_key=API_KEY)
    sonarr = Connector.objects.create(
        name="Sonarr", kind="sonarr", url="http://sonarr:8989", api_key=API_KEY
    )
    assert not prowlarr.shape.mirrored and not prowlarr.is_library
    assert not prowlarr.is_usable and sonarr.is_usable
    assert list(Connector.objects.libraries()) == [sonarr]
    assert list(Connector.objects.indexer_managers()) == [prowlarr]
    # No sweep schedules are created for it (queueing's receiver asks the same decision).
    assert not prowlarr.sweep_schedules.exists() and sonarr.sweep_schedules.exists()


@pytest.mark.django_db
def test_sync_skips_prowlarr_without_calling_it():
    from content.sync.runner import connector_sync

    prowlarr = Connector.objects.create(name="Prowlarr", kind="prowlarr", url=BASE, api_key=API_KEY)
    with responses.RequestsMock() as rsps:  # any request would fail the test
        assert connector_sync(connector=prowlarr) is None
        assert not rsps.calls


def test_connection_test_shows_the_version_and_the_indexer_count(prowlarr):
    result = health.probe(kind="prowlarr", url=BASE, api_key=API_KEY, interactive=True)
    assert result.ok, result.error
    assert (result.app_name, result.version) == ("Prowlarr", "2.3.6.5217")
    assert result.facts == (("Indexers", "3 (2 enabled)"),)


def test_a_sonarr_url_entered_as_prowlarr_is_refused(prowlarr):
    with responses.RequestsMock() as rsps:
        rsps.add("GET", "http://sonarr.test:8989/ping", json={"status": "OK"})
        rsps.add(
            "GET",
            "http://sonarr.test:8989/api/v1/system/status",
            json={"appName": "Sonarr", "version": "4.0.19.2979"},
        )
        result = health.probe(
            kind="prowlarr", url="http://sonarr.test:8989", api_key=API_KEY, interactive=True
        )
    assert not result.ok and result.error_field == "kind"
