"""The Indexers card, the match override form, the queue page and `manage.py indexers`."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from connectors.models import IndexerApplication, IndexerLink
from tests.queueing.test_indexer_budget import NOW, refresh, world  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(client):
    user = get_user_model().objects.create_user("admin", password="correct horse battery")
    client.force_login(user)
    return client


@pytest.fixture
def spent(world):  # noqa: F811 - the fixture above
    app = world["apps"][0]
    for _ in range(30):
        world["prowlarr"].searched(app, "EpisodeSearch", {"episodeIds": [1]}, NOW.timestamp(), 0)
    refresh(world)
    return world


@pytest.fixture
def frozen(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: NOW)


def _cmd(*args) -> str:
    out = io.StringIO()
    call_command("indexers", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_command_table_names_the_binding_indexer(spent, frozen):
    text = _cmd()
    assert "Sonarr via Prowlarr / Sonarr: 15 queries left, bound by FileList" in text
    assert "FileList" in text and "*binds*" in text
    assert "Radarr via Prowlarr / Radarr" in text
    assert "Prowlarr" not in text.splitlines()[0].split(" via ")[0]


def test_command_json_and_one_connector(spent, frozen):
    (item,) = json.loads(_cmd("--connector", "sonarr", "--json"))
    assert item["queries_left"] == 15 and item["binding"] == "FileList"
    assert [r["indexer"] for r in item["indexers"]] == ["NZBgeek", "FileList"]
    (manager,) = json.loads(_cmd("--connector", "Prowlarr", "--json"))
    assert manager["mode"] == "manager" and len(manager["indexers"]) == 3


def test_command_warns_when_prowlarr_is_unreachable(spent, frozen):
    spent["prowlarr"].down = True
    refresh(spent)
    assert "WARNING Prowlarr could not be read lately" in _cmd("--connector", "Sonarr")


@pytest.mark.parametrize("name", ["nobody", "", "x" * 500, "'; DROP TABLE connectors_connector;--"])
def test_command_refuses_bad_names_with_one_line(spent, name):
    with pytest.raises(CommandError) as err:
        call_command("indexers", "--connector", name, stdout=io.StringIO(), stderr=io.StringIO())
    assert "\n" not in str(err.value).strip()


def test_connector_page_shows_the_card_with_the_binding_indexer(web, spent, frozen):
    page = web.get(reverse("connectors:detail", args=[spent["sonarr"].pk])).content.decode()
    assert 'id="indexers"' in page and "bound by" in page
    assert '<strong class="binding-indexer">FileList</strong>' in page
    page = web.get(reverse("connectors:detail", args=[spent["manager"].pk])).content.decode()
    assert 'id="indexer-table"' in page and "NZBgeek" in page
    assert "Library sync" not in page  # an indexer manager has no library
    assert "never synced, swept or searched" in page and "Library shape" not in page


def test_connector_page_shows_when_the_window_frees(web, world, frozen):  # noqa: F811
    from datetime import timedelta

    app = world["apps"][0]
    for minute in range(48):
        at = (NOW - timedelta(minutes=50 - minute)).timestamp()
        world["prowlarr"].searched(app, "EpisodeSearch", {"episodeIds": [1]}, at, 0)
    refresh(world)
    page = web.get(reverse("connectors:detail", args=[world["sonarr"].pk])).content.decode()
    assert "Searches wait for" in page and "FileList" in page and "12:13" in page


def test_queue_page_shows_the_indexer_allowance_next_to_the_profile(web, spent, frozen):
    page = web.get(reverse("queueing:queue")).content.decode()
    assert "indexers: 15 left (FileList)" in page
    assert f"throttle-{spent['manager'].pk}" not in page  # Prowlarr is no queue connector


def test_override_form_sets_none_and_back_to_auto(web, spent):
    url = reverse("queueing:indexer_link", args=[spent["sonarr"].pk])
    radarr_app = IndexerApplication.objects.get(name="Radarr")
    assert web.post(url, {"choice": str(radarr_app.pk)}).status_code == 302
    link = IndexerLink.objects.get(connector=spent["sonarr"])
    assert (link.application_id, link.source) == (radarr_app.pk, "user")
    web.post(url, {"choice": "none"})
    assert IndexerLink.objects.get(connector=spent["sonarr"]).source == "none"
    web.post(url, {"choice": "auto"})
    link = IndexerLink.objects.get(connector=spent["sonarr"])
    assert link.source == "auto" and link.application.name == "Sonarr"


@pytest.mark.parametrize("choice", ["", "999999", "-1", "<script>", "auto' OR 1=1"])
def test_override_form_refuses_bad_choices_without_a_500(web, spent, choice):
    url = reverse("queueing:indexer_link", args=[spent["sonarr"].pk])
    response = web.post(url, {"choice": choice}, follow=True)
    assert response.status_code == 200
    assert "Not saved" in response.content.decode()
    assert IndexerLink.objects.get(connector=spent["sonarr"]).source == "auto"


def test_override_form_refuses_an_indexer_manager_and_needs_sign_in(client, web, spent):
    url = reverse("queueing:indexer_link", args=[spent["manager"].pk])
    response = web.post(url, {"choice": "none"}, follow=True)
    assert "is an indexer manager" in response.content.decode()
    assert web.get(url).status_code == 405
    assert web.post(reverse("queueing:indexer_link", args=[999999]), {}).status_code == 404
    web.logout()
    assert web.post(url, {"choice": "none"}).status_code == 302
    assert not IndexerLink.objects.filter(connector=spent["manager"]).exists()
