"""The schedule builder and the 7-day timeline in a browser: no cron typed."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from queueing.models import SweepSchedule
from tests.searchstate import builders


@pytest.fixture
def sonarr(transactional_db):
    connector = builders.connector("Living room", "sonarr")
    SweepSchedule.objects.filter(connector=connector).delete()
    return connector


def test_weekdays_at_0230_without_typing_cron(logged_in_page: Page, sonarr, screenshot):
    page = logged_in_page
    page.goto(reverse("queueing:schedule_add"))
    cron_field = page.locator("#id_cron")
    # A new schedule starts as "every hour, on the hour" in the builder: no cron to read.
    expect(page.get_by_label("Every few hours")).to_be_checked()
    expect(cron_field).to_be_hidden()
    page.get_by_label("Weekly, on chosen days").check()
    expect(cron_field).to_be_hidden()
    expect(page.get_by_label("Mon", exact=True)).to_be_visible()
    page.locator("#id_at_time").fill("02:30")
    for day in ("Mon", "Tue", "Wed", "Thu", "Fri"):
        page.get_by_label(day, exact=True).check()
    preview = page.locator("#cron-preview")
    expect(preview).to_contain_text("Monday through Friday")
    expect(preview).to_contain_text("30 2 * * 1-5")
    screenshot(page, "schedule-builder-weekdays", full_page=False)
    # "Custom" shows the expression the builder wrote, still editable by hand.
    page.get_by_label("Custom (cron expression)").check()
    expect(cron_field).to_be_visible()
    expect(cron_field).to_have_value("30 2 * * 1-5")
    page.get_by_label("Weekly, on chosen days").check()
    page.get_by_role("button", name="Add schedule").click()
    page.wait_for_url(f"**{reverse('queueing:schedules')}")
    expect(page.locator("#sweep-schedules")).to_contain_text("Monday through Friday")
    assert SweepSchedule.objects.get(connector=sonarr).cron == "30 2 * * 1-5"
    timeline = page.locator("#schedule-timeline")
    expect(timeline).to_contain_text("Living room")
    timeline.scroll_into_view_if_needed()
    screenshot(page, "schedule-timeline", full_page=False)


@pytest.mark.parametrize(
    ("cron", "mode", "visible", "hidden"),
    [
        ("*/15 * * * *", "Every few minutes", "#id_every_minutes", "#id_at_time"),
        ("20 */6 * * *", "Every few hours", "#id_at_minute", "#id_cron"),
        ("5 3 * * *", "Daily", "#id_at_time", "#id_day_of_month"),
        ("30 2 * * 1-5", "Weekly, on chosen days", "#id_weekdays_0", "#id_cron"),
        ("0 4 15 * *", "Monthly", "#id_day_of_month", "#id_every_hours"),
        ("0 0 1,15 * *", "Custom (cron expression)", "#id_cron", "#id_at_time"),
    ],
)
def test_each_mode_round_trips_through_the_edit_page(
    logged_in_page: Page, sonarr, cron, mode, visible, hidden
):
    schedule = SweepSchedule.objects.create(connector=sonarr, kind="gaps", cron=cron)
    page = logged_in_page
    page.goto(reverse("queueing:schedule_edit", args=[schedule.pk]))
    expect(page.get_by_label(mode, exact=True)).to_be_checked()
    expect(page.locator(visible)).to_be_visible()
    expect(page.locator(hidden)).to_be_hidden()
    page.get_by_role("button", name="Save schedule").click()
    page.wait_for_url(f"**{reverse('queueing:schedules')}")
    schedule.refresh_from_db()
    assert schedule.cron == cron  # saved unchanged through the builder
