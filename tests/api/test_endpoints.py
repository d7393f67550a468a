"""Every /api/v1 endpoint with read-only and full keys; writes go through the services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from api.models import ApiKey
from queueing.models import ConnectorThrottle, GlobalThrottle, RequestQueue
from searchstate.models import SearchHistory
from tests.api.conftest import API_KEY, WEBHOOK_SECRET, api, assert_error
from tests.ui_engine.conftest import make_entry, make_history

pytestmark = pytest.mark.django_db

READS = [
    "api:status",
    "api:connectors",
    "api:queue",
    "api:history",
    "api:sweeps",
    "api:syncs",
    "api:schedules",
    "api:throttle_profiles",
    "api:schema",
]


@pytest.fixture
def enqueued(monkeypatch):
    calls = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda *args, **kw: calls.append(args))
    return calls


@pytest.mark.parametrize("name", READS)
def test_every_read_answers_both_scopes_and_refuses_no_key(name, install, read_key, full_key):
    url = reverse(name)
    for raw in (read_key.raw, full_key.raw):
        assert api(raw).get(url).status_code == 200, (name, raw)
    assert_error(api().get(url), 401)


def test_status(install, read_key):
    body = api(read_key.raw).get(reverse("api:status")).json()
    assert body["version"] and body["database"]["status"] == "ok"
    assert body["queue"] == {"paused": False, "queued": 1, "in_flight": 0}
    assert {c["name"] for c in body["connectors"]} == {"Sonarr main", "Radarr"}
    assert body["workers"]["status"] in ("ok", "missing", "unknown")


def test_connectors_list_and_detail_hold_no_key_material(install, read_key):
    client = api(read_key.raw)
    body = client.get(reverse("api:connectors")).json()
    assert [c["name"] for c in body["results"]] == ["Sonarr main", "Radarr"]
    assert body["next_cursor"] is None
    one = client.get(reverse("api:connector", args=[install["connector"].pk])).json()
    assert one["kind"] == "sonarr" and "api_key" not in one
    assert_error(client.get(reverse("api:connector", args=[999999])), 404, "not_found")


def test_queue_lists_live_entries_soonest_first(install, read_key):
    connector = install["connector"]
    now = timezone.now()
    later = make_entry(connector, scheduled_at=now + timedelta(hours=1))
    make_entry(connector, status="done")
    body = api(read_key.raw).get(reverse("api:queue")).json()
    assert [e["id"] for e in body["results"]] == [install["entry"].pk, later.pk]
    assert body["results"][0]["connector_name"] == "Sonarr main"
    assert "payload" not in body["results"][0]


def test_keyset_pages_cover_every_row_once_while_rows_change(connector, read_key):
    base = timezone.now() - timedelta(days=1)
    for i in range(7):
        make_history(connector, dispatched_at=base + timedelta(minutes=i % 3))  # ties on time
    client = api(read_key.raw)
    first = client.get(reverse("api:history"), {"limit": 3}).json()
    assert len(first["results"]) == 3 and first["next_cursor"]
    # A newer row arrives and an already-seen one goes while the client pages on.
    make_history(connector, dispatched_at=timezone.now())
    SearchHistory.objects.filter(pk=first["results"][0]["id"]).delete()
    seen = [r["id"] for r in first["results"]]
    cursor = first["next_cursor"]
    while cursor:
        page = client.get(reverse("api:history"), {"limit": 3, "cursor": cursor}).json()
        seen += [r["id"] for r in page["results"]]
        cursor = page["next_cursor"]
    originals = list(
        SearchHistory.objects.filter(dispatched_at__lt=base + timedelta(hours=1))
        .order_by("-dispatched_at", "-id")
        .values_list("id", flat=True)
    )
    assert seen[1:] == originals  # every original row once, newest first, none twice
    assert len(seen) == len(set(seen)) == 7


@pytest.mark.parametrize(
    "params, field",
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "501"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"cursor": "not-base64!"}, "cursor"),
        ({"cursor": "W10"}, "cursor"),  # []
        ({"cursor": "WyJ4IiwgMV0"}, "cursor"),  # ["x", 1]: not a time
        ({"cursor": "W1tdLCBbXV0"}, "cursor"),  # [[], []]
    ],
)
def test_bad_paging_values_are_400_per_field(connector, read_key, params, field):
    make_history(connector)
    error = assert_error(api(read_key.raw).get(reverse("api:history"), params), 400, "invalid")
    assert field in error["details"]


@pytest.mark.parametrize("scope", ["global", "connector"])
def test_pause_and_resume_call_the_queue_controls(install, full_key, scope):
    connector = install["connector"]
    client = api(full_key.raw)
    body = {} if scope == "global" else {"connector": connector.pk}
    response = client.post(reverse("api:queue_pause"), body, content_type="application/json")
    assert response.status_code == 200 and response.json()["paused"] is True
    if scope == "global":
        assert GlobalThrottle.load().paused
    else:
        assert ConnectorThrottle.objects.get(connector=connector).paused
        assert not GlobalThrottle.load().paused
    response = client.post(reverse("api:queue_resume"), body, content_type="application/json")
    assert response.json()["paused"] is False


def test_pause_refuses_an_unknown_connector_per_field(full_key, connector):
    response = api(full_key.raw).post(
        reverse("api:queue_pause"), {"connector": 999999}, content_type="application/json"
    )
    assert "connector" in assert_error(response, 400, "invalid")["details"]
    response = api(full_key.raw).post(
        reverse("api:queue_pause"), "{not json", content_type="application/json"
    )
    assert_error(response, 400, "parse_error")
    assert not GlobalThrottle.load().paused


def test_sync_goes_through_the_content_service(
    connector, full_key, read_key, enqueued, django_capture_on_commit_callbacks
):
    url = reverse("api:connector_sync", args=[connector.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = api(full_key.raw).post(url, {"kind": "full"}, content_type="application/json")
    assert response.status_code == 202
    assert enqueued == [("content.tasks.sync_connector", connector.pk, "full", "manual")]
    assert_error(api(read_key.raw).post(url), 403)
    bad = api(full_key.raw).post(url, {"kind": "everything"}, content_type="application/json")
    assert "kind" in assert_error(bad, 400)["details"]
    missing = reverse("api:connector_sync", args=[999999])
    assert_error(api(full_key.raw).post(missing), 404)
    assert len(enqueued) == 1


def test_writes_refuse_get_and_reads_refuse_post(full_key):
    assert_error(api(full_key.raw).get(reverse("api:queue_pause")), 405)
    assert_error(api(full_key.raw).post(reverse("api:history")), 405)


def test_the_schema_documents_every_endpoint(read_key):
    response = api(read_key.raw).get(reverse("api:schema"))
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {
        "/api/v1/status",
        "/api/v1/connectors",
        "/api/v1/connectors/{id}",
        "/api/v1/connectors/{id}/sync",
        "/api/v1/connectors/{id}/library",
        "/api/v1/queue",
        "/api/v1/queue/pause",
        "/api/v1/queue/resume",
        "/api/v1/history",
        "/api/v1/items/{kind}/{id}",
        "/api/v1/items/{kind}/{id}/action",
        "/api/v1/items/search",
        "/api/v1/connectors/{id}/sweep",
        "/api/v1/connectors/{id}/enable",
        "/api/v1/connectors/{id}/disable",
        "/api/v1/queue/clear",
        "/api/v1/schedules/{id}/enable",
        "/api/v1/schedules/{id}/disable",
        "/api/v1/sweeps",
        "/api/v1/syncs",
        "/api/v1/schedules",
        "/api/v1/throttle-profiles",
        "/api/v1/analytics/summary",
        "/api/v1/analytics/series",
    }


def test_no_response_ever_holds_a_secret(install, read_key, full_key):
    """Class: secrets in responses: connector keys, webhook secrets, API keys and their hashes."""
    make_entry(install["connector"], status="dispatched")
    secrets_ = [API_KEY, WEBHOOK_SECRET, "r" * 32, read_key.raw, full_key.raw]
    secrets_ += list(ApiKey.objects.values_list("key_hash", flat=True))
    client = api(full_key.raw)
    responses = [client.get(reverse(name)) for name in READS]
    responses.append(client.get(reverse("api:connector", args=[install["connector"].pk])))
    responses.append(client.get(reverse("api:item", args=["episode", install["episode"].pk])))
    responses.append(client.post(reverse("api:queue_pause"), {}, content_type="application/json"))
    responses.append(api(read_key.raw).post(reverse("api:queue_resume")))
    for response in responses:
        for secret in secrets_:
            assert secret.encode() not in response.content, response.request["PATH_INFO"]
    assert RequestQueue.objects.exists()


def test_an_unexpected_error_is_a_500_in_the_error_shape(monkeypatch, read_key):
    def boom(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("api.views.health.check_database", boom)
    from django.test import Client

    client = Client(raise_request_exception=False, headers={"X-Api-Key": read_key.raw})
    response = client.get(reverse("api:status"))
    error = assert_error(response, 500, "server_error")
    assert "secret internals" not in response.content.decode() and error


def test_the_schema_is_valid_openapi_and_names_both_headers(read_key):
    from openapi_spec_validator import validate

    document = api(read_key.raw).get(reverse("api:schema")).json()
    validate(document)
    assert document["paths"]["/api/v1/queue"]["get"]["security"] == [
        {"ApiKeyHeader": []},
        {"BearerKey": []},
    ]


def test_an_unknown_api_path_is_a_404_in_the_error_shape_after_the_key_check(read_key, full_key):
    assert_error(api().get("/api/v1/library/1"), 401)
    error = assert_error(api(read_key.raw).get("/api/v1/library/1"), 404, "not_found")
    assert "/api/v1/library/1" in error["message"]
    assert_error(api(full_key.raw).delete("/api/v2/status"), 404)


@pytest.mark.parametrize("value", [2**70, -1, "abc", [1], {"id": 1}, True, 1.5])
def test_hostile_connector_values_are_400_never_500(connector, full_key, value):
    response = api(full_key.raw).post(
        reverse("api:queue_pause"), {"connector": value}, content_type="application/json"
    )
    assert "connector" in assert_error(response, 400, "invalid")["details"]
    assert not GlobalThrottle.load().paused


def test_hostile_ids_and_cursors_are_answered_cleanly(connector, full_key):
    client = api(full_key.raw)
    assert_error(client.get(f"/api/v1/connectors/{2**70}"), 404)
    assert_error(client.post(f"/api/v1/connectors/{2**70}/sync"), 404)
    import base64
    import json

    for values in ([2**70, 2**70], ["2026-13-45T99:00:00", 1], ["\x00", 1], [1e308, 1]):
        cursor = base64.urlsafe_b64encode(json.dumps(values).encode()).decode()
        response = client.get(reverse("api:history"), {"cursor": cursor})
        assert response.status_code in (200, 400), (values, response.content)
        assert b"Traceback" not in response.content


def test_status_counts_gaps_upgrades_and_grabs_today(connector, read_key):
    from django.core.cache import cache

    from api.summary import CACHE_KEY
    from tests.searchstate import builders

    radarr = connector.__class__.objects.create(
        name="Radarr", kind="radarr", url="http://127.0.0.1:2", api_key="r" * 32
    )
    show = builders.series(connector, "Severance")
    builders.episodes(show, 1, 4, has_file=1)  # aired by default: 3 gaps
    builders.movie(radarr, "Heat", is_available=True)
    builders.movie(radarr, "Ran", has_file=True, quality_cutoff_not_met=True)
    make_history(connector, outcome="grabbed", items_grabbed=2, dispatched_at=timezone.now())
    make_history(
        connector,
        outcome="grabbed",
        items_grabbed=5,
        dispatched_at=timezone.now() - timedelta(days=2),
    )
    cache.delete(CACHE_KEY)
    body = api(read_key.raw).get(reverse("api:status")).json()["library"]
    assert body["gaps"] == {"episodes": 3, "movies": 1}
    assert body["upgrades"] == {"episodes": 0, "movies": 1}
    assert body["grabbed_today"] == 2
    cache.delete(CACHE_KEY)


def test_the_readme_homepage_widget_reads_fields_the_status_has(install, read_key):
    """The README's Homepage example: every mapped field exists in /api/v1/status."""
    import re
    from pathlib import Path

    import yaml

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    block = re.search(r"```yaml\n(- Comradarr:.*?)```", readme, re.DOTALL).group(1)
    widget = yaml.safe_load(block)[0]["Comradarr"]["widget"]
    assert widget["url"].endswith("/api/v1/status") and "X-Api-Key" in widget["headers"]
    body = api(read_key.raw).get(reverse("api:status")).json()
    for mapping in widget["mappings"]:
        value, field = body, mapping["field"]
        while isinstance(field, dict):
            ((name, field),) = field.items()
            value = value[name]
        assert isinstance(value[field], int), mapping
