"""The library's poster view in a real browser, with posters proxied from a fake Sonarr."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from connectors.models import Connector
from searchstate.models import SearchRegistry
from tests.browser.conftest import PHONE
from tests.searchstate import builders
from web import artwork
from web.models import LibraryPreference

#: tests/fakearr/covers.py draws posters 120 pixels wide (the placeholder is 200).
POSTER_WIDTH = 120


@pytest.fixture
def library(transactional_db, fakearr_factory, settings, tmp_path):
    settings.ARTWORK_CACHE_DIR = tmp_path / "artwork"
    artwork.default_cache.cache_clear()
    artwork.forget_down()
    arr = fakearr_factory("sonarr", series=3, episodes_per_series=2, seed=4)
    sonarr = Connector.objects.create(
        name="Living room",
        kind="sonarr",
        url=arr.url,
        api_key=arr.api_key,
        app_version="4.0.19.2979",
        health_status=Connector.Health.HEALTHY,
    )
    shows = [
        builders.series(sonarr, title, arr_id=n, year=2010 + n)
        for n, title in ((1, "The Expanse"), (2, "Andor"), (3, "Severance"))
    ]
    episodes = [ep for show in shows for ep in builders.episodes(show, 1, 2)]
    for ep in episodes[:4]:
        SearchRegistry.objects.create(
            connector=sonarr, search_type="gap", episode=ep, state="exhausted", attempts=3
        )
    yield {"arr": arr, "connector": sonarr, "shows": shows, "episodes": episodes}
    artwork.default_cache.cache_clear()
    artwork.forget_down()


def poster_widths(page: Page) -> list[int]:
    return page.eval_on_selector_all(
        "#browse-posters img.poster-img", "imgs => imgs.map(i => i.complete ? i.naturalWidth : -1)"
    )


def test_poster_view_shows_real_posters_and_is_remembered(
    logged_in_page: Page, library, screenshot
):
    page = logged_in_page
    page.goto(reverse("library:list") + "?type=episodes")
    expect(page.locator("#browse-items tbody tr")).to_have_count(6)
    with page.expect_navigation():
        page.get_by_role("button", name="Posters").click()
    expect(page.locator("#browse-posters .poster-card")).to_have_count(6)
    expect(page).to_have_url(re.compile(r"type=episodes"))
    expect(page.locator("#view-posters")).to_have_attribute("aria-pressed", "true")
    page.wait_for_function(
        "n => [...document.querySelectorAll('#browse-posters img.poster-img')]"
        ".every(i => i.complete && i.naturalWidth === n)",
        arg=POSTER_WIDTH,
    )
    assert poster_widths(page) == [POSTER_WIDTH] * 6
    assert all(
        img.get_attribute("loading") == "lazy" for img in page.locator("img.poster-img").all()
    )
    # Each series' poster was asked of the app once; the page's other requests hit the cache.
    arr = library["arr"]
    assert sum(arr.requests[f"GET /api/v3/mediacover/{n}/poster.jpg"] for n in (1, 2, 3)) == 3
    screenshot(page, "library-poster-view", full_page=False)

    page.reload()
    expect(page.locator("#browse-posters .poster-card")).to_have_count(6)
    page.goto(reverse("library:list") + "?type=episodes&state=exhausted")
    expect(page.locator("#browse-posters .poster-card")).to_have_count(4)
    assert LibraryPreference.objects.get().view == "posters"

    # Sorting and the series list keep the poster view.
    page.get_by_role("link", name=re.compile("^Attempts")).click()
    expect(page).to_have_url(re.compile(r"sort=attempts"))
    expect(page.locator("#browse-posters .poster-card")).to_have_count(4)
    page.goto(reverse("library:list"))
    expect(page.locator("#browse-posters .poster-card")).to_have_count(3)

    with page.expect_navigation():
        page.get_by_role("button", name="Table").click()
    expect(page.locator("#browse-posters")).to_have_count(0)
    page.reload()
    expect(page.locator("#browse-posters")).to_have_count(0)
    assert LibraryPreference.objects.get().view == "table"


def test_bulk_selection_in_the_poster_view(logged_in_page: Page, library, screenshot):
    page = logged_in_page
    page.goto(reverse("library:list") + "?type=episodes&state=exhausted")
    with page.expect_navigation():
        page.get_by_role("button", name="Posters").click()
    expect(page.locator("#browse-posters .poster-card")).to_have_count(4)
    expect(page.locator("#bulk-matching-count")).to_have_text("4")
    page.locator("#bulk-all-page").check()
    expect(page.locator("#bulk-selected-count")).to_have_text("4")
    page.get_by_role("checkbox", name="Select The Expanse S01E01").uncheck()
    expect(page.locator("#bulk-selected-count")).to_have_text("3")
    expect(page.locator("#bulk-all-page")).not_to_be_checked()
    page.select_option("#bulk-action", "reset")
    screenshot(page, "library-poster-view-bulk-selection", full_page=False)
    with page.expect_navigation():
        page.get_by_role("button", name="Apply").last.click()
    expect(page.locator(".alert-success")).to_contain_text("Search state reset for 3 of 3")
    expect(page.locator("#browse-posters .poster-card")).to_have_count(1)
    left = SearchRegistry.objects.filter(state="exhausted").values_list("episode_id", flat=True)
    assert list(left) == [library["episodes"][0].pk]


def test_series_page_shows_poster_and_fanart(logged_in_page: Page, library, screenshot):
    page = logged_in_page
    show = library["shows"][0]
    page.goto(reverse("library:series", args=[show.pk]))
    poster = page.get_by_role("img", name="Poster of The Expanse")
    expect(poster).to_be_visible()
    page.wait_for_function(
        "() => { const f = document.querySelector('.artwork-fanart');"
        " const p = document.querySelector('.artwork-poster');"
        " return f.complete && p.complete && f.naturalWidth === 320 && p.naturalWidth === 120; }"
    )
    screenshot(page, "library-series-artwork", full_page=False)


def test_filters_keep_the_poster_view_and_the_switch_follows_them(
    make_page, login, admin_user, library, screenshot
):
    LibraryPreference.objects.create(user=admin_user, view="posters")
    page = make_page(theme="light", viewport=PHONE)
    login(page)
    page.goto(reverse("library:list") + "?type=episodes")
    expect(page.locator("#browse-posters .poster-card")).to_have_count(6)
    page.select_option("#browse-state", "exhausted")  # htmx swaps the results
    expect(page).to_have_url(re.compile(r"state=exhausted"))
    expect(page.locator("#browse-posters .poster-card")).to_have_count(4)
    expect(page.locator("#view-toggle input[name=next]")).to_have_value(
        re.compile(r"state=exhausted")
    )
    page.locator("#browse-posters img.poster-img").first.scroll_into_view_if_needed()
    page.wait_for_function(
        "n => { const i = document.querySelector('#browse-posters img.poster-img');"
        " return i.complete && i.naturalWidth === n; }",
        arg=POSTER_WIDTH,
    )
    screenshot(page, "library-poster-view-phone-light", full_page=False)
    with page.expect_navigation():
        page.get_by_role("button", name="Table").click()
    expect(page).to_have_url(re.compile(r"state=exhausted"))
    expect(page.locator("#browse-items tbody tr")).to_have_count(4)
