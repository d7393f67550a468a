"""The dashboard with activity: cards, completion sparklines, and a feed that updates live."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.analytics import helpers


@pytest.fixture
def activity(transactional_db):
    return helpers.radarr_with_activity("Movies 4K")


def test_dashboard_cards_completion_and_live_feed(logged_in_page, activity, screenshot):
    conn, _ = activity
    page = logged_in_page
    page.goto(reverse("dashboard"))
    expect(page.locator('[data-stat="gaps"] .stat-value')).to_have_text("3")
    expect(page.locator('[data-stat="acquired"] .stat-meta')).to_have_text("2 this week")
    expect(page.locator("#completion-table tbody tr")).to_have_count(1)
    expect(page.locator("#completion-table")).to_contain_text("50.0%")
    expect(page.locator("#activity-feed .feed-line").first).to_be_visible()
    screenshot(page, "dashboard-activity-light")

    # A search finishes while the page is open: the feed shows it without a reload.
    page.evaluate("window.__notReloaded = true")
    helpers.history(conn, timezone.now(), titles=("The Newest Film",))
    line = page.locator("#activity-feed .feed-line", has_text="The Newest Film")
    expect(line).to_be_visible(timeout=12_000)
    assert page.evaluate("window.__notReloaded") is True
    href = line.locator("a").get_attribute("href")
    assert href == reverse("connectors:detail", args=[conn.pk])

    screenshot(page, "dashboard-activity-dark")
    page.locator("[data-theme-toggle]").click()
    expect(page.locator("html")).to_have_attribute("data-theme", "light")
    screenshot(page, "dashboard-activity-light")
