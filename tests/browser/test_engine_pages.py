"""Queue, schedules, throttle profiles and the library browser in a real browser.

Rows are made through the ORM (the live server sees them: transactional
database); nothing here talks to an *arr app.
"""

from __future__ import annotations

import importlib
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from content.models import Season
from queueing import builtin_schedules as schedules
from queueing.models import ConnectorThrottle, GlobalThrottle, SweepSchedule, ThrottleProfile
from tests.browser.conftest import PHONE
from tests.searchstate import builders
from tests.ui_engine.conftest import make_entry, make_history, make_sweep


@pytest.fixture
def engine(transactional_db):
    """Two connectors, a small library, a busy queue, sweeps and search history."""
    now = timezone.now()
    # A transactional database is flushed between tests: the presets' data migration is gone.
    presets = importlib.import_module("queueing.migrations.0005_throttle_presets").PRESETS
    for preset in presets:
        ThrottleProfile.objects.get_or_create(
            name=preset["name"], defaults={**preset, "is_preset": True}
        )
    schedules.schedules_reconcile()  # the built-in jobs, as `serve` sets them up
    sonarr = builders.connector("Living room", "sonarr", app_version="4.0.19.2979")
    radarr = builders.connector("Movies 4K", "radarr", app_version="5.14.0.9383")
    shows = []
    for title, have in (("Andor", 12), ("Severance", 5), ("The Expanse", 0), ("Slow Horses", 6)):
        show = builders.series(
            sonarr, title, year=2022, status="continuing", episode_count=12, episode_file_count=have
        )
        episodes = builders.episodes(show, 1, 6, has_file=min(have, 6))
        builders.episodes(show, 2, 6, has_file=max(0, have - 6))
        for number, files in ((1, min(have, 6)), (2, max(0, have - 6))):
            Season.objects.filter(series=show, season_number=number).update(
                episode_count=6, episode_file_count=files, missing_monitored_episodes=6 - files
            )
        shows.append((show, episodes))
    for n, title in enumerate(("Arrival", "Blade Runner 2049", "Dune", "Heat"), start=1):
        builders.movie(radarr, title, year=2010 + n, has_file=n % 2 == 0)
    severance = shows[1][1]
    expanse = shows[2][1]
    make_entry(
        sonarr,
        items=expanse,
        command="SeasonSearch",
        priority=88,
        reason="season pack: all 6 aired episodes missing",
        estimated_queries=3,
    )
    make_entry(sonarr, items=severance[5:], priority=61, reason="1 missing episode")
    make_entry(
        sonarr,
        items=shows[3][1][:0],
        priority=40,
        reason="upgrade batch",
        search_type="upgrade",
        scheduled_at=now + timedelta(hours=1),
    )
    make_entry(
        sonarr,
        items=[],
        status="dispatched",
        command="EpisodeSearch",
        dispatched_at=now - timedelta(seconds=40),
        command_arr_id=5121,
        item_count=4,
    )
    make_sweep(sonarr, kind="gaps", found=120, queued=14, entries=3)
    make_sweep(
        radarr,
        kind="upgrades",
        status="succeeded",
        started_at=now - timedelta(hours=1),
        finished_at=now - timedelta(hours=1) + timedelta(seconds=2),
        found=40,
        queued=6,
    )
    make_history(sonarr, outcome="grabbed", items_grabbed=2, item_count=3)
    make_history(sonarr, outcome="no_results", dispatched_at=now - timedelta(minutes=30))
    make_history(
        radarr,
        outcome="rate_limited",
        command_name="MoviesSearch",
        dispatched_at=now - timedelta(hours=2),
        message="429 Too Many Requests",
    )
    return {"sonarr": sonarr, "radarr": radarr, "shows": shows}


def test_queue_page_live_status_and_controls(logged_in_page: Page, engine, screenshot):
    page = logged_in_page
    page.goto(reverse("queueing:queue"))
    expect(page.locator(".topbar-title")).to_have_text("Queue")
    expect(page.locator("#count-queued")).to_have_text("3")
    expect(page.locator("#count-flight")).to_have_text("1")
    up_next = page.locator("#up-next tbody tr")
    expect(up_next).to_have_count(3)
    expect(up_next.first).to_contain_text("Season search (pack)")
    expect(page.locator("#in-flight")).to_contain_text("5121")
    expect(page.locator("#sweeps")).to_contain_text("Running")
    screenshot(page, "queue")

    # Pause everything, then resume: the live region swaps in place.
    page.locator("#pause-all").click()
    expect(page.locator("#global-state")).to_contain_text("Queue processing is paused")
    expect(page.locator("#messages")).to_contain_text("Queue processing paused.")
    assert GlobalThrottle.load().paused
    screenshot(page, "queue-paused", full_page=False)
    page.locator("#resume-all").click()
    expect(page.locator("#global-state")).to_contain_text("Queue processing is running")
    assert not GlobalThrottle.load().paused

    # Pause one connector.
    sonarr = engine["sonarr"]
    row = page.locator(f"#throttle-{sonarr.pk}")
    row.get_by_role("button", name="Pause Living room").click()
    expect(page.locator(f"#throttle-{sonarr.pk}")).to_contain_text("Paused")
    assert ConnectorThrottle.objects.get(connector=sonarr).paused
    page.locator(f"#throttle-{sonarr.pk}").get_by_role("button", name="Resume Living room").click()
    # Resumed: waiting only for its command in flight (max 1 in flight on moderate).
    expect(page.locator(f"#throttle-{sonarr.pk}")).to_contain_text("commands in flight")

    # The running sweep finishes: the page shows it without a reload.
    from queueing.models import SweepRun

    SweepRun.objects.filter(status="running").update(status="succeeded", finished_at=timezone.now())
    expect(page.locator("#sweeps")).not_to_contain_text("Running", timeout=8000)

    # Remove one entry; clear the rest after confirming.
    page.locator("#up-next tbody tr").last.get_by_role("button", name="Remove").click()
    expect(page.locator("#up-next tbody tr")).to_have_count(2)
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#clear-queue").click()
    expect(page.locator("#up-next")).to_contain_text("The queue is empty")
    expect(page.locator("#count-queued")).to_have_text("0")


def test_entry_priority_form(logged_in_page: Page, engine, screenshot):
    page = logged_in_page
    page.goto(reverse("queueing:queue"))
    page.locator("#up-next tbody tr").first.get_by_role("link", name="Edit").click()
    expect(page.locator(".topbar-title")).to_have_text(re.compile(r"Queue entry #\d+"))
    field = page.get_by_label("Priority")
    field.fill("99999")
    page.get_by_role("button", name="Save priority").click()
    expect(page.locator("#error-priority")).to_contain_text("The largest value is 10000.")
    expect(page.get_by_label("Priority")).to_have_value("99999")
    page.get_by_label("Priority").fill("500")
    page.get_by_role("button", name="Save priority").click()
    expect(page.locator("#messages")).to_contain_text("set to 500")
    screenshot(page, "queue-entry", full_page=False)


@pytest.mark.parametrize("scheme", ["dark"])
def test_queue_dark_and_phone(make_page, login, engine, screenshot, scheme):
    page = make_page(theme=scheme)
    login(page)
    page.goto(reverse("queueing:queue"))
    expect(page.locator("#up-next tbody tr")).to_have_count(3)
    screenshot(page, "queue-dark")
    phone = make_page(viewport=PHONE)
    login(phone)
    phone.goto(reverse("queueing:queue"))
    expect(phone.locator("#up-next tbody tr")).to_have_count(3)
    screenshot(phone, "queue-phone")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways on a phone ({width}px)"


def test_schedules_form_invalid_then_valid_cron(logged_in_page: Page, engine, screenshot):
    page = logged_in_page
    page.goto(reverse("queueing:schedules"))
    expect(page.locator("#sweep-schedules")).to_contain_text("Living room")
    expect(page.locator("#builtin-jobs")).to_contain_text("Dispatch search commands")
    screenshot(page, "schedules")

    page.get_by_role("link", name="Add sweep schedule").click()
    page.get_by_label("Connector").select_option(label="Movies 4K")
    page.get_by_label("Sweep").select_option("upgrades")
    page.get_by_label("Custom (cron expression)").check()  # typed by hand, not built
    cron = page.get_by_label("Cron expression", exact=True)
    cron.fill("every night")
    expect(page.locator("#cron-preview")).to_contain_text("must have 5 fields")
    page.get_by_role("button", name="Add schedule").click()
    expect(page.locator("#error-cron")).to_contain_text("must have 5 fields")
    expect(page.get_by_label("Cron expression", exact=True)).to_have_value("every night")
    screenshot(page, "schedules-form-invalid", full_page=False)

    page.get_by_label("Cron expression", exact=True).fill("30 2 * * 1-5")
    expect(page.locator("#cron-preview")).to_contain_text("At 02:30, Monday through Friday")
    expect(page.locator("#cron-preview li")).to_have_count(3)
    page.get_by_label("Item limit").fill("200")
    screenshot(page, "schedules-form-valid", full_page=False)
    page.get_by_role("button", name="Add schedule").click()
    expect(page.locator("#messages")).to_contain_text("Sweep schedule added.")
    assert SweepSchedule.objects.filter(cron="30 2 * * 1-5", item_limit=200).exists()

    # The enable switch flips in place.
    schedule = SweepSchedule.objects.get(cron="30 2 * * 1-5")
    switch = page.locator(f"#schedule-{schedule.pk}").get_by_role("switch")
    switch.click()
    expect(page.locator(f"#schedule-{schedule.pk}").get_by_role("switch")).to_have_attribute(
        "aria-checked", "false"
    )


def test_schedules_dark_and_phone(make_page, login, engine, screenshot):
    page = make_page(color_scheme="dark")
    login(page)
    page.goto(reverse("queueing:schedules"))
    expect(page.locator("#sweep-schedules tbody tr")).to_have_count(4)
    screenshot(page, "schedules-dark")
    phone = make_page(viewport=PHONE)
    login(phone)
    phone.goto(reverse("queueing:schedules"))
    expect(phone.locator("#sweep-schedules tbody tr")).to_have_count(4)
    screenshot(phone, "schedules-phone")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways on a phone ({width}px)"
    phone.goto(reverse("queueing:profiles"))
    screenshot(phone, "profiles-phone")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways on a phone ({width}px)"


def test_profiles_edit(logged_in_page: Page, engine, screenshot):
    page = logged_in_page
    page.goto(reverse("queueing:profiles"))
    expect(page.locator("#budget-rule")).to_contain_text("a season pack 1 (one query per indexer")
    screenshot(page, "profiles")

    page.get_by_role("link", name="Edit moderate").click()
    page.get_by_label("Daily budget (estimated queries)").fill("0")
    page.get_by_label("Commands per hour").fill("-3")
    page.get_by_role("button", name="Save profile").click()
    expect(page.locator("#error-daily_budget")).to_contain_text("The smallest value is 1.")
    expect(page.locator("#error-commands_per_hour")).to_contain_text("The smallest value is 1.")
    screenshot(page, "profiles-edit-errors", full_page=False)
    page.get_by_label("Daily budget (estimated queries)").fill("150")
    page.get_by_label("Commands per hour").fill("12")
    page.get_by_role("button", name="Save profile").click()
    expect(page.locator("#messages")).to_contain_text("Profile “moderate” saved.")
    moderate = ThrottleProfile.objects.get(name="moderate")
    assert (moderate.daily_budget, moderate.commands_per_hour) == (150, 12)

    # Assign the aggressive preset to the Radarr connector.
    radarr = engine["radarr"]
    page.locator(f"#id_c{radarr.pk}-profile").select_option(label="aggressive")
    page.locator(f"#id_c{radarr.pk}-profile").locator("xpath=..").get_by_role(
        "button", name="Assign"
    ).click()
    expect(page.locator("#messages")).to_contain_text("Movies 4K now uses “aggressive”.")


def test_profiles_dark(make_page, login, engine, screenshot):
    page = make_page(color_scheme="dark")
    login(page)
    page.goto(reverse("queueing:profiles"))
    expect(page.locator("#profiles-table")).to_contain_text("aggressive")
    screenshot(page, "profiles-dark")


def test_content_browse_and_item_why(logged_in_page: Page, engine, screenshot):
    page = logged_in_page
    page.goto(reverse("library:list"))
    expect(page.locator(".browse-table")).to_contain_text("Severance")
    screenshot(page, "content-list")

    page.get_by_label("Search titles").fill("expan")
    expect(page.locator(".browse-table tbody tr")).to_have_count(1)
    expect(page.locator(".browse-table")).to_contain_text("The Expanse")
    expect(page).to_have_url(re.compile(r"q=expan"))

    page.get_by_role("link", name="The Expanse").click()
    expect(page.locator(".topbar-title")).to_have_text("The Expanse")
    screenshot(page, "content-series")
    page.get_by_role("link", name="Episode 2", exact=True).click()
    why = page.locator("#why")
    expect(why).to_contain_text("Already queued or being searched")
    expect(page.locator("main")).to_contain_text("Covered by queue entry")
    screenshot(page, "content-item")

    # A Severance episode with a file: nothing to search.
    page.goto(reverse("library:list") + "?filter=missing")
    expect(page.locator(".browse-table")).not_to_contain_text("Andor")
    severance = engine["shows"][1][1]
    page.goto(reverse("library:item", args=["episode", severance[0].pk]))
    expect(page.locator("#why")).to_contain_text("cutoff")
    page.get_by_label("Priority override").fill("500")
    page.get_by_role("button", name="Save priority").click()
    expect(page.locator("#error-priority")).to_contain_text("The highest priority is 100.")
    page.get_by_label("Priority override").fill("30")
    page.get_by_role("button", name="Save priority").click()
    expect(page.locator("#messages")).to_contain_text("Priority set to 30.")
    page.get_by_role("button", name="Exclude").click()
    expect(page.locator("#why")).to_contain_text("Quality cutoff already met")
    expect(page.get_by_role("button", name="Include again")).to_be_visible()


def test_content_dark_and_phone(make_page, login, engine, screenshot):
    page = make_page(color_scheme="dark")
    login(page)
    page.goto(reverse("library:list"))
    expect(page.locator(".browse-table")).to_contain_text("Andor")
    screenshot(page, "content-list-dark")
    page.get_by_role("link", name=re.compile("Movies 4K")).click()
    expect(page.locator(".browse-table")).to_contain_text("Blade Runner 2049")
    screenshot(page, "content-movies-dark")
    expanse = engine["shows"][2][1]
    page.goto(reverse("library:item", args=["episode", expanse[0].pk]))
    screenshot(page, "content-item-dark")
    phone = make_page(viewport=PHONE)
    login(phone)
    phone.goto(reverse("library:list"))
    screenshot(phone, "content-list-phone")
    phone.goto(reverse("library:item", args=["episode", expanse[0].pk]))
    screenshot(phone, "content-item-phone")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways on a phone ({width}px)"
