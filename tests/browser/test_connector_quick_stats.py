"""The connector list in a browser: quick stats per row and a working "Sync now"."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_q.models import OrmQ
from playwright.sync_api import Page, expect

from tests.searchstate import builders
from tests.ui_engine.conftest import make_entry, make_history


@pytest.fixture
def listed(transactional_db):
    conn = builders.connector("Living room", "sonarr", app_version="4.0.19.2979")
    show = builders.series(conn, "The Expanse")
    missing = builders.episodes(show, 1, 4)
    builders.episodes(show, 2, 2, has_file=2, quality_cutoff_not_met=True)
    make_entry(conn, items=missing[:2])
    make_history(conn, outcome="grabbed")
    make_history(conn, outcome="no_results")
    builders.connector("Demo Radarr", "radarr", instance_name="Radarr")
    return conn


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_quick_stats_and_sync_now(make_page, login, listed, screenshot, theme):
    page: Page = make_page(theme=theme)
    login(page)
    page.goto(reverse("connectors:list"))
    row = page.locator(f"#connector-{listed.pk}")
    stats = row.locator(".quick-stats")
    expect(stats).to_contain_text("4 gaps")
    expect(stats).to_contain_text("2 upgrades")
    expect(stats).to_contain_text("1 queued")
    expect(stats).to_contain_text("50 % success")
    expect(stats).to_contain_text("never synced")
    screenshot(page, f"connectors-list-quick-stats-{theme}", full_page=False)
    # The wider row still fits a 1280 px window: its actions are not clipped.
    button = row.get_by_role("button", name="Sync now")
    box = button.bounding_box()
    assert box and box["x"] + box["width"] <= 1280, box
    assert page.evaluate(
        "document.querySelector('.connectors-table').parentElement.scrollWidth"
    ) <= (page.evaluate("document.querySelector('.connectors-table').parentElement.clientWidth"))

    before = OrmQ.objects.count()
    with page.expect_navigation():
        row.get_by_role("button", name="Sync now").click()
    assert page.url.endswith(reverse("connectors:list"))
    expect(page.locator("#messages")).to_contain_text("Incremental sync of “Living room” queued.")
    assert OrmQ.objects.count() == before + 1  # enqueued for the worker, not run in the request
