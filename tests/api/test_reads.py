"""One item with its search state, why and history; sweep and sync runs; schedules; profiles."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from content.models import SyncRun
from searchstate import services as search_services
from tests.api.conftest import api, assert_error
from tests.ui_engine.conftest import make_history, make_sweep

pytestmark = pytest.mark.django_db

LISTS = ["api:sweeps", "api:syncs", "api:schedules", "api:throttle_profiles"]


@pytest.mark.parametrize("name", LISTS)
def test_lists_answer_both_scopes_and_refuse_no_key(name, install, read_key, full_key):
    url = reverse(name)
    for raw in (read_key.raw, full_key.raw):
        response = api(raw).get(url)
        assert response.status_code == 200, response.content
        assert set(response.json()) == {"results", "next_cursor"}
    assert_error(api().get(url), 401, "not_authenticated")


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("params", [{"limit": "0"}, {"cursor": "garbage!"}, {"limit": "x"}])
def test_lists_refuse_bad_paging_with_400(name, install, read_key, params):
    error = assert_error(api(read_key.raw).get(reverse(name), params), 400, "invalid")
    assert set(error["details"]) <= {"limit", "cursor"} and error["details"]


@pytest.mark.parametrize("bad", ["x", "-1", "1.5", "9" * 40])
def test_connector_filter_is_checked(install, read_key, bad):
    error = assert_error(api(read_key.raw).get(reverse("api:sweeps"), {"connector": bad}), 400)
    assert "connector" in error["details"]


def test_sweeps_newest_first_paged_and_filtered(install, read_key):
    connector, radarr = install["connector"], install["radarr"]
    now = timezone.now()
    older = make_sweep(connector, started_at=now - timedelta(hours=2), dry_run=True)
    other = make_sweep(radarr, started_at=now - timedelta(hours=1))
    client = api(read_key.raw)
    first = client.get(reverse("api:sweeps"), {"limit": 2}).json()
    assert first["results"][1]["id"] == other.pk and first["next_cursor"]
    rest = client.get(reverse("api:sweeps"), {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [r["id"] for r in rest["results"]] == [older.pk] and rest["next_cursor"] is None
    assert rest["results"][0]["dry_run"] is True
    only = client.get(reverse("api:sweeps"), {"connector": radarr.pk}).json()
    assert [r["id"] for r in only["results"]] == [other.pk]


def test_syncs_list_their_counts(install, read_key):
    run = SyncRun.objects.create(
        connector=install["connector"],
        trigger="manual",
        kind="full",
        started_at=timezone.now(),
        status="ok",
        added=12,
    )
    body = api(read_key.raw).get(reverse("api:syncs")).json()
    assert body["results"][0]["id"] == run.pk and body["results"][0]["added"] == 12


def test_schedules_and_profiles(install, read_key):
    client = api(read_key.raw)
    schedules = client.get(reverse("api:schedules")).json()["results"]
    mine = next(s for s in schedules if s["id"] == install["schedule"].pk)
    assert mine["cron"] and mine["description"] and mine["enabled"] is True
    profiles = client.get(reverse("api:throttle_profiles")).json()["results"]
    assert profiles and {"daily_budget", "batch_size", "name"} <= set(profiles[0])


def test_item_with_search_state_why_and_history(install, read_key):
    episode = install["episode"]
    connector = install["connector"]
    make_history(connector, items=[{"kind": "episode", "arr_id": episode.arr_id, "title": "x"}])
    search_services.item_exclude(target=episode, note="bad release")
    body = api(read_key.raw).get(reverse("api:item", args=["episode", episode.pk])).json()
    assert body["id"] == episode.pk and body["kind"] == "episode"
    assert body["excluded"] is True and body["exclusion_note"] == "bad release"
    assert body["why"]["reason"] == "cutoff_met" and body["why"]["detail"]  # it has its file
    assert len(body["history"]) >= 1
    assert isinstance(body["search_state"], list)


def test_movie_item(install, read_key):
    movie = install["movie"]
    body = api(read_key.raw).get(reverse("api:item", args=["movie", movie.pk])).json()
    assert body["kind"] == "movie" and body["why"]["reason"]
    assert body["excluded"] is False and body["history"] == []


@pytest.mark.parametrize("kind, pk", [("episode", 999999), ("movie", 999999), ("season", 1)])
def test_unknown_items_are_404(install, read_key, kind, pk):
    assert_error(api(read_key.raw).get(f"/api/v1/items/{kind}/{pk}"), 404, "not_found")


def test_item_needs_a_key(install):
    assert_error(api().get(reverse("api:item", args=["movie", install["movie"].pk])), 401)


def test_docs_page_is_static_and_loads_its_script(client, admin_user):
    assert client.get(reverse("api:docs")).status_code == 302  # sign in first
    client.force_login(admin_user)
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "js/apidocs.js" in html and reverse("api:schema") in html
    assert "<script>" not in html and "cdn" not in html.lower()
    assert client.post(reverse("api:docs")).status_code == 405
