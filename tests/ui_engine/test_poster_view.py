"""The library list's poster view: the Table / Posters switch, remembered per user, and its cards."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from searchstate.models import SearchRegistry
from tests.searchstate import builders
from web.models import LibraryPreference

pytestmark = pytest.mark.django_db
LIST = reverse("library:list")


@pytest.fixture
def shows(sonarr):
    expanse = builders.series(sonarr, "The Expanse", year=2015)
    eps = builders.episodes(expanse, 1, 3)
    SearchRegistry.objects.create(
        connector=sonarr, search_type="gap", episode=eps[0], state="exhausted", attempts=4
    )
    builders.series(sonarr, "Andor", year=2022)
    return expanse


def toggle(web, view, next_url):
    return web.post(reverse("library:view"), {"view": view, "next": next_url})


def test_the_switch_is_remembered_for_the_user_and_returns_to_the_page(web, sonarr, shows):
    body = web.get(LIST).content.decode()
    assert 'id="browse-posters"' not in body and 'aria-pressed="true">Table' not in body
    assert re.search(r'id="view-table" aria-pressed="true"', body)
    back = f"{LIST}?connector={sonarr.pk}&type=episodes&view=table"
    response = toggle(web, "posters", back)
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?connector={sonarr.pk}&type=episodes"  # view= dropped
    user = get_user_model().objects.get(username="admin")
    assert LibraryPreference.objects.get(user=user).view == "posters"
    body = web.get(response["Location"]).content.decode()
    assert 'id="browse-posters"' in body and 'id="view-posters" aria-pressed="true"' in body


def test_the_choice_survives_a_new_session(client, sonarr, shows):
    user = get_user_model().objects.create_user("admin", password="x" * 20)
    LibraryPreference.objects.create(user=user, view="posters")
    client.force_login(user)
    assert 'id="browse-posters"' in client.get(LIST).content.decode()


def test_the_url_parameter_wins_without_changing_the_choice(web, sonarr, shows):
    toggle(web, "posters", LIST)
    body = web.get(LIST, {"view": "table", "type": "episodes"}).content.decode()
    assert 'id="browse-items"' in body and 'id="browse-posters"' not in body
    # The filter form carries it, so htmx requests keep the page's view.
    assert '<input type="hidden" name="view" value="table">' in body
    assert LibraryPreference.objects.get().view == "posters"
    assert 'id="browse-posters"' in web.get(LIST, {"view": "bogus"}).content.decode()


def test_episode_cards_show_the_series_poster_lazily_with_state_and_checkbox(web, sonarr, shows):
    body = web.get(LIST, {"view": "posters", "type": "episodes"}).content.decode()
    poster = reverse("library:artwork", args=["series", shows.pk, "poster"])
    assert body.count(f'src="{poster}"') == 3
    assert body.count('loading="lazy"') == 3  # one a card (Andor has no episodes)
    assert body.count("data-bulk-row") == 3 and 'id="bulk-all-page"' in body
    assert 'data-state="exhausted"' in body and "The Expanse S01E01" in body
    assert 'aria-label="Sort by"' in body


def test_series_and_movie_cards(web, sonarr, radarr, shows):
    body = web.get(LIST, {"view": "posters", "connector": sonarr.pk}).content.decode()
    assert reverse("library:artwork", args=["series", shows.pk, "poster"]) in body
    assert "Andor" in body and "data-bulk-row" not in body  # series have no bulk actions
    dune = builders.movie(radarr, "Dune", year=2021)
    body = web.get(LIST, {"view": "posters", "connector": radarr.pk}).content.decode()
    assert reverse("library:artwork", args=["movie", dune.pk, "poster"]) in body
    assert "2021" in body and body.count("data-bulk-row") == 1


def test_sort_and_pages_keep_the_view(web, sonarr, shows):
    body = web.get(LIST, {"view": "posters", "type": "episodes", "sort": "attempts"}).content
    assert b"view=posters" in body and b"sort=attempts" in body


def test_poster_view_queries_stay_fixed(web, sonarr, shows, django_assert_num_queries):
    # The table's own count (tests/ui_engine/test_browse.py): the poster view adds no query.
    toggle(web, "posters", LIST)
    web.get(LIST, {"type": "episodes"})
    with django_assert_num_queries(7):
        web.get(LIST, {"type": "episodes"})
    for n in range(6):
        builders.episodes(builders.series(sonarr, f"Show {n}"), 1, 6)
    with django_assert_num_queries(7):
        body = web.get(LIST, {"type": "episodes"}).content.decode()
    assert body.count("data-bulk-row") == 39


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/library/", "//evil.example/", "/admin/", "", "javascript:alert(1)"],
)
def test_a_hostile_or_foreign_next_goes_to_the_list(web, next_url):
    response = toggle(web, "posters", next_url)
    assert response.status_code == 302 and response["Location"] == LIST


def test_an_unknown_view_changes_nothing_and_get_is_refused(web):
    assert toggle(web, "grid", LIST).status_code == 302
    assert not LibraryPreference.objects.exists()
    assert web.get(reverse("library:view")).status_code == 405


def test_the_switch_needs_a_login(client):
    response = client.post(reverse("library:view"), {"view": "posters"})
    assert response.status_code == 302 and "login" in response["Location"]
