"""Settings > General, Database and About in a real browser: a new time zone shows at once,
"Prune now" is followed until the worker finished it, About shows what runs."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils.module_loading import import_string
from django_q.models import OrmQ
from django_q.signing import SignedPackage
from playwright.sync_api import Page, expect

from comradarr.accounts import runtime
from comradarr.models import AppSettings, MaintenanceRun


@pytest.fixture(autouse=True)
def fresh_runtime():
    runtime.invalidate()
    yield
    runtime.invalidate()


def run_queued_tasks() -> None:
    """What a django-q worker does with each queued task."""
    for row in OrmQ.objects.all():
        task = SignedPackage.loads(row.payload)
        import_string(task["func"])(*task["args"], **task["kwargs"])
        row.delete()


def test_general_database_and_about(logged_in_page: Page, screenshot):
    page = logged_in_page
    page.goto(reverse("settings"))
    expect(page.locator("#time-now")).to_contain_text("(UTC)")

    # The time zone field is a searchable list; a wrong name is refused with the rest kept.
    page.get_by_label("Display name").fill("Den server")
    page.get_by_label("Time zone").fill("Mars/Olympus")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#error-time_zone")).to_contain_text("is not a time zone")
    expect(page.get_by_label("Display name")).to_have_value("Den server")
    assert page.locator("datalist#time-zones option[value='Asia/Kolkata']").count() == 1

    page.get_by_label("Time zone").fill("Asia/Kolkata")
    page.get_by_label("Public URL").fill("https://comradarr.example.com")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".messages")).to_contain_text("Settings saved.")
    # No restart: the very next page shows its times in the new zone.
    expect(page.locator("#time-now")).to_contain_text(re.compile(r"\d\d:\d\d IST \(Asia/Kolkata\)"))
    expect(page).to_have_title(re.compile(r"· Den server$"))
    assert AppSettings.objects.get().time_zone == "Asia/Kolkata"
    screenshot(page, "settings-general")

    page.locator(".tabs").get_by_role("link", name="Database").click()
    expect(page).to_have_url(re.compile(r"/settings/database/$"))
    expect(page.locator("#db-kind")).to_contain_text("Embedded")
    expect(page.locator("#database-tables")).to_contain_text("content_episode")
    page.get_by_role("button", name="Prune now").click()
    expect(page.locator("#maintenance-status")).to_have_text("Queued")
    expect(page.get_by_role("button", name="Prune now")).to_be_disabled()
    screenshot(page, "settings-database-queued", full_page=False)
    # A worker picks the task up; the card, polling, shows the result without a reload.
    run_queued_tasks()
    expect(page.locator("#maintenance-status")).to_have_text("Succeeded", timeout=10_000)
    expect(page.locator("#maintenance-pruned")).to_contain_text("expired sessions")
    expect(page.get_by_role("button", name="Prune now")).to_be_enabled()
    assert MaintenanceRun.objects.get().status == "succeeded"
    # Its finishing time is shown in the zone chosen above.
    expect(page.locator("#maintenance-latest")).to_contain_text("IST")
    screenshot(page, "settings-database")

    page.locator(".tabs").get_by_role("link", name="About").click()
    expect(page).to_have_url(re.compile(r"/settings/about/$"))
    expect(page.locator("#about-postgresql")).to_contain_text("embedded")
    expect(page.locator("#update-status")).to_contain_text("The update check is off")
    expect(page.locator("#about-memory")).to_be_visible()
    screenshot(page, "settings-about")
