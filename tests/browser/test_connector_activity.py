"""The connector page's Statistics and Sweep schedules cards in a browser."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from queueing.models import SweepSchedule
from tests.searchstate import builders
from tests.ui_engine.conftest import make_entry, make_history


@pytest.fixture
def living_room(transactional_db):
    conn = builders.connector("Living room", "sonarr", app_version="4.0.19.2979")
    show = builders.series(conn, "The Expanse")
    missing = builders.episodes(show, 1, 4)
    builders.episodes(show, 2, 2, has_file=2, quality_cutoff_not_met=True)
    make_entry(conn, items=missing[:2])
    make_history(conn, outcome="grabbed")
    make_history(conn, outcome="no_results")
    return conn


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_statistics_and_schedules_on_the_connector_page(
    make_page, login, living_room, screenshot, theme
):
    page: Page = make_page(viewport={"width": 1024, "height": 900}, color_scheme=theme)
    login(page)
    page.goto(reverse("connectors:detail", args=[living_room.pk]))
    stats = page.locator("#connector-stats")
    expect(stats).to_contain_text("4 missing")
    expect(stats).to_contain_text("2 below cutoff")
    expect(stats).to_contain_text("50 % (1 of 2 grabbed)")
    schedules = page.locator("#connector-schedules tbody tr")
    expect(schedules).to_have_count(2)  # the defaults of a new connector
    # Nothing of the two cards pokes out of the page's width at 1024 px.
    assert page.evaluate(
        "[...document.querySelectorAll('#connector-activity .card')]"
        ".every((c) => c.getBoundingClientRect().right <= document.documentElement.clientWidth)"
    )
    page.locator("#connector-activity").scroll_into_view_if_needed()
    screenshot(page, f"connector-activity-{theme}", full_page=False)

    gaps = SweepSchedule.objects.get(connector=living_room, kind="gaps")
    page.locator(f"#connector-schedule-{gaps.pk}").get_by_role("link", name="Edit").click()
    page.wait_for_url(f"**{reverse('queueing:schedule_edit', args=[gaps.pk])}")
    current = page.locator('#sidebar .nav-link[aria-current="page"]')
    expect(current).to_have_accessible_name("Schedules")
