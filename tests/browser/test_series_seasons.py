"""The series page's Seasons card in a browser, and issue 16's walk from exhausted to queued.

"A user can find every exhausted episode of one series, reset them in one
action and watch them go through the queue described in words": the Seasons
card links the series' exhausted episodes in the content browser, one bulk
reset clears them, a sweep (the real function, the download queue read from a
fake Sonarr over HTTP) plans the season pack, and the queue page says so.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from queueing.sweep import sweep_connector
from searchstate.models import SearchRegistry
from tests.browser.conftest import PHONE
from tests.browser.test_accessibility import _violations
from tests.searchstate import builders


def exhaust(episodes, connector) -> None:
    SearchRegistry.objects.bulk_create(
        SearchRegistry(
            connector=connector, search_type="gap", episode=ep, state="exhausted", attempts=5
        )
        for ep in episodes
    )


@pytest.fixture
def expanse(transactional_db):
    sonarr = builders.connector("Living room", "sonarr")
    show = builders.series(sonarr, "The Expanse")
    builders.episodes(show, 1, 10, has_file=10)
    season_two = builders.episodes(show, 2, 10)
    builders.episodes(show, 3, 10, has_file=8)
    builders.episodes(show, 0, 2)
    exhaust(season_two, sonarr)
    andor = builders.series(sonarr, "Andor")
    exhaust(builders.episodes(andor, 1, 3), sonarr)
    return {"connector": sonarr, "show": show, "season_two": season_two}


def series_url(world) -> str:
    return reverse("library:series", args=[world["show"].pk])


def test_season_rows_say_what_the_next_sweep_does(logged_in_page: Page, expanse, screenshot):
    page = logged_in_page
    page.goto(series_url(expanse))
    rows = page.locator("#seasons tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.first).to_contain_text("Season 1")
    expect(rows.last).to_contain_text("Specials")
    two = page.locator("#season-2")
    expect(two).to_contain_text("10 exhausted")
    expect(two).to_contain_text("Nothing to search now")
    expect(page.locator("#season-3")).to_contain_text(
        "2 of 10 episodes missing, below the pack threshold (5 episodes or 50% of the season)"
    )
    expect(page.locator("#season-0")).to_contain_text("specials are never searched as a pack")
    expect(page.get_by_role("img", name="Season 3: 8 of 10 episodes have a file")).to_be_visible()
    for width in (1024, 1280):  # the table fits its card: no column is clipped
        page.set_viewport_size({"width": width, "height": 800})
        wrap = page.locator("#seasons .table-wrap")
        assert wrap.evaluate("w => w.scrollWidth - w.clientWidth") <= 0, width
        page.locator("#season-1").scroll_into_view_if_needed()
        screenshot(page, f"series-seasons-{width}", full_page=False)


def test_season_actions(logged_in_page: Page, expanse, screenshot):
    page = logged_in_page
    page.goto(series_url(expanse))
    with page.expect_navigation():
        page.get_by_role("button", name="Reset Season 2").click()
    expect(page.locator(".alert-success")).to_contain_text("Reset 10 episodes of Season 2")
    two = page.locator("#season-2")
    expect(two.locator(".season-states")).not_to_contain_text("exhausted")
    expect(two).to_contain_text(
        "Searched as a season pack: 10 of 10 episodes missing"
        " (threshold: 5 episodes or 50% of the season)"
    )
    screenshot(page, "series-season-reset", full_page=False)
    with page.expect_navigation():
        page.get_by_role("button", name="Search now Season 2").click()
    expect(page.locator(".alert-success")).to_contain_text(
        "Search queued for 10 episodes of Season 2 (as a season pack)"
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Mark exhausted Season 3").click()
    expect(page.locator(".alert-success")).to_contain_text(
        "Marked 2 episodes of Season 3 exhausted"
    )
    expect(page.locator("#season-3")).to_contain_text("2 exhausted")
    assert page.url.endswith("?season=3#seasons")


def test_series_page_passes_axe_in_both_themes_and_on_a_phone(make_page, login, expanse):
    problems = []
    for label, options in (
        ("dark", {"theme": "dark"}),
        ("light", {"theme": "light"}),
        ("phone", {"viewport": PHONE}),
    ):
        page = make_page(**options)
        login(page)
        page.goto(series_url(expanse))
        page.wait_for_load_state("networkidle")
        problems += [f"{label}: {v}" for v in _violations(page)]
        if label == "phone":
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"the series page scrolls sideways by {overflow}px on a phone"
    assert not problems, "\n".join(problems)


def test_phone_shows_season_rows_as_cards(make_page, login, expanse, screenshot):
    page = make_page(viewport=PHONE)
    login(page)
    page.goto(series_url(expanse))
    two = page.locator("#season-2")
    expect(two.get_by_role("button", name="Reset Season 2")).to_be_visible()
    two.scroll_into_view_if_needed()
    screenshot(page, "series-seasons-phone", full_page=False)


@pytest.fixture
def fake_app(expanse, fakearr_factory):
    """The connector points at a fake Sonarr: the sweep reads its download queue over HTTP."""
    arr = fakearr_factory("sonarr", series=1, episodes_per_series=2, seed=3)
    connector = expanse["connector"]
    connector.url = arr.url
    connector.api_key = arr.api_key
    connector.save()
    return arr


def test_done_when_find_every_exhausted_episode_reset_and_watch_the_queue(
    logged_in_page: Page, expanse, fake_app, screenshot
):
    page = logged_in_page
    # 1. Find them: the Seasons card links the series' exhausted episodes in the content browser.
    page.goto(series_url(expanse))
    page.locator("#seasons").get_by_role("link", name="10 exhausted").click()
    expect(page).to_have_url(re.compile(r"state=exhausted"))
    expect(page).to_have_url(re.compile(r"q=The\+Expanse"))
    expect(page.locator("#bulk-matching-count")).to_have_text("10")
    expect(page.locator("#browse-items tbody tr")).to_have_count(10)
    expect(page.locator("#browse-items")).not_to_contain_text("Andor")
    screenshot(page, "done-when-1-exhausted-episodes", full_page=False)

    # 2. Reset them in one action.
    page.locator("#bulk-all-page").check()
    expect(page.locator("#bulk-selected-count")).to_have_text("10")
    page.select_option("#bulk-action", "reset")
    with page.expect_navigation():
        page.get_by_role("button", name="Apply").last.click()
    expect(page.locator(".alert-success")).to_contain_text("Search state reset for 10 of 10")
    screenshot(page, "done-when-2-reset", full_page=False)
    states = SearchRegistry.objects.filter(episode__in=expanse["season_two"])
    assert set(states.values_list("state", flat=True)) == {"pending"}

    # 3. A sweep plans them (the download queue comes from the fake app over HTTP).
    result = sweep_connector(connector=expanse["connector"], trigger="manual")
    assert result.status == "succeeded", result.error
    packs = [e for e in result.plan.entries if e.command == "SeasonSearch"]
    assert [(e.season_number, len(e.items)) for e in packs] == [(2, 10)]

    # 4. The queue says in words what it will search, and the series page agrees.
    page.goto(reverse("queueing:queue"))
    up_next = page.locator("#up-next")
    expect(up_next).to_contain_text("The Expanse S02 (season pack, 10 episodes)")
    up_next.scroll_into_view_if_needed()
    screenshot(page, "done-when-3-queue-in-words", full_page=False)
    page.goto(series_url(expanse))
    expect(page.locator("#season-2")).to_contain_text("10 queued")
    screenshot(page, "done-when-4-series-queued", full_page=False)
    assert SearchRegistry.objects.filter(state="exhausted").count() == 3  # Andor's are untouched
