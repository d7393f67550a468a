"""Settings > Search behaviour and Security in Chromium, under the strict CSP (issue 15):
editing a weight re-ranks the live example; a session signed in elsewhere is listed and
signed out from here."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.browser.test_csp import watch
from tests.searchstate import builders

pytestmark = pytest.mark.browser

PHONE_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


@pytest.fixture
def library(transactional_db):
    sonarr = builders.connector("Sonarr")
    show = builders.series(sonarr, "Severance")
    builders.episode(show, 1, aired=builders.NOW.replace(year=2016))
    radarr = builders.connector("Radarr", kind="radarr")
    builders.movie(radarr, "Heat", has_file=True, quality_cutoff_not_met=True)


def test_editing_a_weight_reorders_the_example(make_page, login, library, screenshot):
    page: Page = make_page()
    seen = watch(page)
    login(page)
    page.goto(reverse("settings_search"))
    first = page.locator("#ranking-table .ranking-row").first
    expect(first.locator(".ranking-label")).to_have_text("Severance S01E01")
    expect(page.locator("#ranking-table")).to_contain_text("Heat")

    page.get_by_label("Upgrade base", exact=True).fill("5000")
    page.get_by_label("Upgrade base", exact=True).blur()
    expect(first.locator(".ranking-label")).to_have_text("Heat")
    expect(first).to_contain_text("base +5000")
    screenshot(page, "settings-search-preview")

    # A value out of range explains itself in the example instead of ranking.
    page.get_by_label("Recency half-life (days)").fill("0")
    page.get_by_label("Recency half-life (days)").blur()
    expect(page.locator("#ranking-preview-invalid")).to_contain_text("lowest value is 1")

    page.get_by_label("Recency half-life (days)").fill("365")
    with page.expect_navigation():
        page.get_by_role("button", name="Save weights").click()
    expect(page.locator("#messages")).to_contain_text("Priority weights saved")
    expect(page.get_by_label("Upgrade base", exact=True)).to_have_value(re.compile(r"^5000(\.0)?$"))
    assert not page.evaluate("window.__csp") and not seen


def test_a_session_elsewhere_is_listed_and_signed_out(make_page, login, screenshot):
    phone: Page = make_page(user_agent=PHONE_UA, viewport={"width": 375, "height": 740})
    login(phone)
    desk: Page = make_page()
    seen = watch(desk)
    login(desk)

    desk.goto(reverse("settings_security"))
    rows = desk.locator("#session-list .session-row")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("This browser")
    phone_row = rows.filter(has_text="Safari on iPhone")
    expect(phone_row).to_have_count(1)
    screenshot(desk, "settings-security-sessions")

    with desk.expect_navigation():
        phone_row.get_by_role("button", name=re.compile("^Sign out Safari on iPhone")).click()
    expect(desk.locator("#messages")).to_contain_text("Session signed out")
    expect(desk.locator("#session-list .session-row")).to_have_count(1)

    phone.goto(reverse("dashboard"))
    assert phone.url.split("?")[0].endswith(reverse("login"))
    assert not desk.evaluate("window.__csp") and not seen
