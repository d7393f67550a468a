"""The content browser in a browser: state filter and sort in the URL (back button), bulk reset."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from searchstate.models import SearchRegistry
from tests.searchstate import builders


@pytest.fixture
def library(transactional_db):
    sonarr = builders.connector("Living room", "sonarr")
    expanse = builders.series(sonarr, "The Expanse")
    episodes = builders.episodes(expanse, 1, 6)
    for index, ep in enumerate(episodes[:4]):
        SearchRegistry.objects.create(
            connector=sonarr, search_type="gap", episode=ep, state="exhausted", attempts=10 - index
        )
    other = builders.series(sonarr, "Andor")
    builders.episodes(other, 1, 2)
    return {"connector": sonarr, "exhausted": episodes[:4]}


def test_state_filter_and_sort_live_in_the_url(logged_in_page: Page, library, screenshot):
    page = logged_in_page
    page.goto(reverse("library:list") + "?type=episodes")
    expect(page.locator("#browse-items tbody tr")).to_have_count(8)
    page.select_option("#browse-state", "exhausted")
    expect(page.locator("#browse-items tbody tr")).to_have_count(4)
    expect(page).to_have_url(re.compile(r"state=exhausted"))
    page.get_by_role("link", name="Attempts").click()
    expect(page).to_have_url(re.compile(r"sort=attempts"))
    first = page.locator("#browse-items tbody tr").first
    expect(first).to_contain_text("The Expanse S01E01")
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("Attempts")
    screenshot(page, "content-browser-exhausted-by-attempts", full_page=False)
    page.go_back()
    expect(page).not_to_have_url(re.compile(r"sort=attempts"))
    expect(page.locator("#browse-items tbody tr")).to_have_count(4)


def test_bulk_reset_of_every_exhausted_episode(logged_in_page: Page, library, screenshot):
    page = logged_in_page
    page.goto(reverse("library:list") + "?type=episodes&state=exhausted&q=expanse")
    expect(page.locator("#bulk-matching-count")).to_have_text("4")
    page.keyboard.press("Tab")
    page.locator("#bulk-all-page").focus()
    page.keyboard.press("Space")
    expect(page.locator("#bulk-selected-count")).to_have_text("4")
    page.locator("input[data-bulk-row]").first.uncheck()
    expect(page.locator("#bulk-selected-count")).to_have_text("3")
    page.check("#bulk-scope-matching")
    page.select_option("#bulk-action", "reset")
    screenshot(page, "content-browser-bulk-selection", full_page=False)
    with page.expect_navigation():
        page.get_by_role("button", name="Apply").last.click()
    expect(page.locator(".alert-success")).to_contain_text("Search state reset for 4 of 4")
    expect(page.locator("#browse-items")).to_have_count(0)
    states = set(
        SearchRegistry.objects.filter(episode__in=library["exhausted"]).values_list(
            "state", flat=True
        )
    )
    assert states == {"pending"}
