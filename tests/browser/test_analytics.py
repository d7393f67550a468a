"""The analytics page in a browser: charts with and without data, range picker, table view,
dark mode; every script loaded from static files (no inline script)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.analytics import helpers


@pytest.fixture
def activity(transactional_db):
    return helpers.radarr_with_activity("Movies 4K")


def _card(page, name):
    return page.locator(f'[data-chart-card="{name}"]')


def test_charts_render_with_data(logged_in_page, activity, screenshot):
    page = logged_in_page
    page.goto(reverse("analytics:overview"))
    expect(page.locator("#sidebar .nav-link.is-active")).to_have_text("Analytics")
    searches = _card(page, "searches")
    expect(searches).to_have_attribute("data-state", "drawn")
    expect(searches.locator("canvas")).to_have_count(1)
    expect(searches.locator(".u-legend")).to_contain_text("Commands")
    expect(_card(page, "completion")).to_have_attribute("data-state", "drawn")
    # The tables load by themselves (htmx), each in its own request.
    expect(page.locator('[data-table="quality"] tbody tr').first).to_be_visible()
    expect(page.locator('[data-table="connectors"] tbody tr')).to_have_count(1)
    screenshot(page, "analytics-light")


def test_no_data_yet(logged_in_page, transactional_db, screenshot):
    page = logged_in_page
    page.goto(reverse("analytics:overview"))
    for name in ("discovery", "searches", "acquisitions", "queue", "completion", "queries"):
        card = _card(page, name)
        expect(card).to_have_attribute("data-state", "empty")
        expect(card.locator("[data-chart-empty]")).to_have_text("No data yet.")
        expect(card.locator("canvas")).to_have_count(0)
    expect(page.locator('[data-table="most_searched"] [data-table-body]')).to_have_text(
        "No data yet. It fills in as syncs, sweeps and searches run in the chosen range."
    )
    screenshot(page, "analytics-empty")


def test_range_picker_and_connector_filter(logged_in_page, activity):
    conn, _ = activity
    page = logged_in_page
    page.goto(reverse("analytics:overview"))
    expect(page.locator('button[name="range"][value="30d"]')).to_have_attribute(
        "aria-pressed", "true"
    )
    page.locator('button[name="range"][value="7d"]').click()
    page.wait_for_url("**range=7d**")
    expect(page.locator('button[name="range"][value="7d"]')).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.locator("#range-summary")).to_contain_text("by hour")
    page.locator('select[name="connector"]').select_option(str(conn.pk))
    page.wait_for_url(f"**connector={conn.pk}**")
    expect(page.locator("#range-summary")).to_contain_text("Movies 4K only")
    page.locator('input[name="start"]').fill("2026-01-01")
    page.locator('input[name="end"]').fill("2026-03-31")
    page.locator('button[name="range"][value="custom"]').click()
    page.wait_for_url("**range=custom**")
    expect(page.locator("#range-summary")).to_contain_text("by day")
    # A reversed range says what is wrong, on the page, with no chart.
    page.locator('input[name="start"]').fill("2026-04-01")
    page.locator('button[name="range"][value="custom"]').click()
    expect(page.locator("#range-error")).to_contain_text("The end date is before the start date")


def test_table_view_shows_the_same_numbers(logged_in_page, activity):
    page = logged_in_page
    page.goto(reverse("analytics:overview") + "?range=24h")
    card = _card(page, "searches")
    expect(card).to_have_attribute("data-state", "drawn")
    toggle = card.locator("[data-table-toggle]")
    toggle.click()
    expect(toggle).to_have_attribute("aria-pressed", "true")
    table = card.locator("[data-chart-table] table")
    expect(table).to_be_visible()
    expect(card.locator("[data-chart]")).to_be_hidden()
    expect(table.locator("thead th").nth(1)).to_have_text("Commands")
    counts = table.locator("tbody tr td:nth-child(2)").all_text_contents()
    assert sum(int(c) for c in counts) == 4
    toggle.click()
    expect(card.locator("[data-chart]")).to_be_visible()


def test_dark_mode_redraws_the_charts(make_page, login, activity, screenshot):
    page = make_page(color_scheme="dark")
    login(page)
    page.goto(reverse("analytics:overview"))
    card = _card(page, "searches")
    expect(card).to_have_attribute("data-state", "drawn")
    axis = card.locator(".u-axis").first
    expect(axis).to_be_visible()
    screenshot(page, "analytics-dark")
    page.locator("[data-theme-toggle]").click()
    expect(page.locator("html")).to_have_attribute("data-theme", "light")
    expect(card.locator("canvas")).to_have_count(1)  # redrawn, not duplicated
    screenshot(page, "analytics-light-after-toggle")


def test_phone_width_does_not_scroll_sideways(make_page, login, activity, screenshot):
    from tests.browser.conftest import PHONE

    page = make_page(viewport=PHONE)
    login(page)
    for url in (reverse("dashboard"), reverse("analytics:overview")):
        page.goto(url)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], url
    screenshot(page, "mobile-analytics")
