"""Writes with a full key: each through its service; read-only keys get 403, bad input 400."""

from __future__ import annotations

import pytest
from django.urls import reverse

from connectors.models import Connector
from queueing.models import RequestQueue, SweepRun, SweepSchedule
from searchstate.models import Exclusion, PriorityOverride, SearchRegistry
from tests.api.conftest import api, assert_error

pytestmark = pytest.mark.django_db

JSON = "application/json"


@pytest.fixture
def enqueued(monkeypatch):
    calls = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda *args, **kw: calls.append((args, kw)))
    return calls


def post(key, url, body=None):
    return api(key.raw).post(url, body if body is not None else {}, content_type=JSON)


def write_urls(install) -> list[str]:
    c, s, e = install["connector"], install["schedule"], install["episode"]
    return [
        reverse("api:connector_sweep", args=[c.pk]),
        reverse("api:connector_enable", args=[c.pk]),
        reverse("api:connector_disable", args=[c.pk]),
        reverse("api:queue_clear"),
        reverse("api:search_now"),
        reverse("api:item_action", args=["episode", e.pk]),
        reverse("api:schedule_enable", args=[s.pk]),
        reverse("api:schedule_disable", args=[s.pk]),
    ]


def test_read_only_and_missing_keys_cannot_write(install, read_key, enqueued):
    for url in write_urls(install):
        assert_error(post(read_key, url), 403, "insufficient_scope")
        assert_error(api().post(url, {}, content_type=JSON), 401)
    assert Connector.objects.get(pk=install["connector"].pk).enabled
    assert RequestQueue.objects.filter(status="queued").exists() and not enqueued
    assert_error(api(read_key.raw).get(write_urls(install)[0]), 405)


def test_sweep_is_enqueued_for_a_worker(
    install, full_key, enqueued, django_capture_on_commit_callbacks
):
    connector = install["connector"]
    url = reverse("api:connector_sweep", args=[connector.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = post(full_key, url, {"kind": "gaps", "item_limit": 5})
    assert response.status_code == 202, response.content
    assert enqueued == [
        (
            ("queueing.sweep.sweep_task", connector.pk),
            {"kind": "gaps", "item_limit": 5, "trigger": "api"},
        )
    ]


def test_dry_run_plans_without_writing(install, full_key, enqueued):
    connector = install["connector"]
    runs, entries = SweepRun.objects.count(), RequestQueue.objects.count()
    response = post(
        full_key, reverse("api:connector_sweep", args=[connector.pk]), {"dry_run": True}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["dry_run"] is True and "plan" in body and "found" in body
    assert (SweepRun.objects.count(), RequestQueue.objects.count()) == (runs, entries)
    assert not enqueued


@pytest.mark.parametrize(
    "body, field",
    [
        ({"kind": "everything"}, "kind"),
        ({"item_limit": 0}, "item_limit"),
        ({"item_limit": "many"}, "item_limit"),
        ({"dry_run": "perhaps"}, "dry_run"),
    ],
)
def test_sweep_bad_input_is_400(install, full_key, enqueued, body, field):
    url = reverse("api:connector_sweep", args=[install["connector"].pk])
    assert field in assert_error(post(full_key, url, body), 400, "invalid")["details"]
    assert_error(post(full_key, reverse("api:connector_sweep", args=[999999])), 404)


def test_search_now_groups_items_by_connector(
    install, full_key, enqueued, django_capture_on_commit_callbacks
):
    episode = install["episode"]
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            full_key, reverse("api:search_now"), {"kind": "episode", "ids": [episode.pk]}
        )
    assert response.status_code == 202, response.content
    assert enqueued == [
        (
            ("queueing.sweep.sweep_task", episode.connector_id),
            {"only": [episode.pk], "force": True, "trigger": "manual"},
        )
    ]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"kind": "season", "ids": [1]}, "kind"),
        ({"kind": "episode", "ids": []}, "ids"),
        ({"kind": "episode", "ids": ["x"]}, "ids"),
        ({"kind": "episode", "ids": [999999]}, "ids"),
        ({"kind": "episode", "ids": list(range(1, 502))}, "ids"),
        ({"kind": "episode"}, "ids"),
        ({"kind": "movie", "ids": [-1]}, "ids"),
    ],
)
def test_search_now_bad_input_is_400(install, full_key, enqueued, body, field):
    error = assert_error(post(full_key, reverse("api:search_now"), body), 400, "invalid")
    assert field in error["details"]
    assert not enqueued


def test_item_actions_go_through_the_searchstate_services(install, full_key):
    episode = install["episode"]
    url = reverse("api:item_action", args=["episode", episode.pk])
    body = post(full_key, url, {"action": "priority", "priority": 40}).json()
    assert body["priority_override"] == 40 and PriorityOverride.of(episode) == 40
    assert post(full_key, url, {"action": "priority", "priority": None}).status_code == 200
    assert PriorityOverride.of(episode) is None
    body = post(full_key, url, {"action": "exclude", "note": "fake release"}).json()
    assert body["excluded"] and Exclusion.objects.get(episode=episode).note == "fake release"
    assert not post(full_key, url, {"action": "include"}).json()["excluded"]
    assert post(full_key, url, {"action": "exhaust"}).status_code == 200
    assert SearchRegistry.objects.filter(episode=episode, state="exhausted").exists()
    assert post(full_key, url, {"action": "reset"}).status_code == 200
    assert not SearchRegistry.objects.filter(episode=episode, state="exhausted").exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "action"),
        ({"action": "delete"}, "action"),
        ({"action": "priority"}, "priority"),
        ({"action": "priority", "priority": 101}, "priority"),
        ({"action": "priority", "priority": "high"}, "priority"),
        ({"action": "exclude", "note": "x" * 201}, "note"),
    ],
)
def test_item_action_bad_input_is_400(install, full_key, body, field):
    url = reverse("api:item_action", args=["episode", install["episode"].pk])
    assert field in assert_error(post(full_key, url, body), 400, "invalid")["details"]


def test_item_action_unknown_item_is_404(install, full_key):
    assert_error(post(full_key, "/api/v1/items/movie/999999/action", {"action": "reset"}), 404)
    assert_error(post(full_key, "/api/v1/items/season/1/action", {"action": "reset"}), 404)


def test_queue_clear_cancels_queued_entries(install, full_key):
    response = post(full_key, reverse("api:queue_clear"))
    assert response.status_code == 200 and response.json()["cancelled"] == 1
    assert not RequestQueue.objects.filter(status="queued").exists()
    bad = post(full_key, reverse("api:queue_clear"), {"connector": 999999})
    assert "connector" in assert_error(bad, 400)["details"]
    one = post(full_key, reverse("api:queue_clear"), {"connector": install["radarr"].pk})
    assert one.json() == {"connector": install["radarr"].pk, "cancelled": 0}


def test_connector_enable_disable(install, full_key):
    connector = install["connector"]
    body = post(full_key, reverse("api:connector_disable", args=[connector.pk])).json()
    assert body == {"id": connector.pk, "enabled": False}
    assert not Connector.objects.get(pk=connector.pk).enabled
    post(full_key, reverse("api:connector_enable", args=[connector.pk]))
    assert Connector.objects.get(pk=connector.pk).enabled
    assert_error(post(full_key, reverse("api:connector_enable", args=[999999])), 404)


def test_schedule_enable_disable(install, full_key):
    schedule = install["schedule"]
    body = post(full_key, reverse("api:schedule_disable", args=[schedule.pk])).json()
    assert body["enabled"] is False and not SweepSchedule.objects.get(pk=schedule.pk).enabled
    body = post(full_key, reverse("api:schedule_enable", args=[schedule.pk])).json()
    assert body["enabled"] is True and body["next_run_at"]
    assert_error(post(full_key, reverse("api:schedule_enable", args=[999999])), 404)
