"""The first-run wizard in a real browser, against a fakearr Sonarr: sign in, connect, pick a
pace, fix a bad schedule, watch the first sync finish, land on the dashboard."""

from __future__ import annotations

import importlib
import re

import pytest
from playwright.sync_api import Page, expect

from connectors.models import Connector
from content.models import SyncRun
from content.tasks import sync_connector
from queueing.models import ConnectorThrottle, SweepSchedule
from tests.browser.test_connectors import fill_form
from tests.browser.test_csp import watch
from web.models import SetupWizard


def no_csp_violation(page: Page, seen: list[str]) -> None:
    """The strict policy holds on this step (no inline script, style or handler refused)."""
    assert not page.evaluate("window.__csp") and not seen, (page.url, seen)


@pytest.fixture
def presets(transactional_db):
    """The throttle presets as the migrations seed them: an earlier transactional test's
    flush empties every table, so a live-server test seeds them again itself."""
    from django.apps import apps

    for name in ("0005_throttle_presets", "0010_balanced_default_preset"):
        migration = importlib.import_module(f"queueing.migrations.{name}")
        seed = getattr(migration, "create_presets", None) or migration.add_balanced
        seed(apps, None)


def test_first_run_from_sign_in_to_the_dashboard(
    page: Page, login, fake_sonarr, screenshot, presets
):
    seen = watch(page)
    login(page)
    expect(page).to_have_url(re.compile(r"/setup/1/$"))
    expect(
        page.get_by_role("heading", name="Step 1: connect Sonarr, Radarr or Whisparr")
    ).to_be_visible()
    expect(page.locator('[aria-current="step"]')).to_contain_text("Connect an app")
    expect(page.get_by_label("Sync now")).to_be_checked()

    # Step 1: the connectors app's own form and connection test.
    fill_form(page, kind="sonarr", name="Living room", url=fake_sonarr.url, api_key="0" * 32)
    page.get_by_role("button", name="Test connection").click()
    expect(page.locator("#test-result")).to_contain_text("API key")  # refused, said where
    page.get_by_label("API key").fill(fake_sonarr.api_key)
    page.get_by_role("button", name="Test connection").click()
    expect(page.locator("#test-result")).to_contain_text(
        f"Connected to Sonarr {fake_sonarr.profile.version}"
    )
    screenshot(page, "setup-1-connector")
    no_csp_violation(page, seen)
    assert not Connector.objects.exists()
    page.get_by_role("button", name="Save and continue").click()

    # Step 2: the pace, explained.
    expect(page).to_have_url(re.compile(r"/setup/2/$"))
    expect(page.locator("main")).to_contain_text("fills the gaps in your library sooner")
    expect(page.locator(".pace-options .kind-option")).to_have_count(4)
    expect(page.get_by_role("radio", name=re.compile("^Balanced"))).to_be_checked()  # the default
    page.get_by_role("radio", name=re.compile("^Conservative")).check()
    screenshot(page, "setup-2-pace")
    no_csp_violation(page, seen)
    page.get_by_role("button", name="Use this pace and continue").click()
    conn = Connector.objects.get()
    assert ConnectorThrottle.objects.get(connector=conn).profile.name == "conservative"

    # Step 3: defaults pre-filled; a bad cron is refused with what was typed kept.
    expect(page).to_have_url(re.compile(r"/setup/3/$"))
    gaps_cron = page.locator("#id_gaps-cron")
    expect(gaps_cron).to_have_value("0 * * * *")
    expect(page.locator("#id_upgrades-cron")).to_have_value("0 */6 * * *")
    gaps_cron.fill("every night")
    page.locator("#id_upgrades-timezone").fill("Europe/Berlin")
    page.get_by_role("button", name="Save schedules and continue").click()
    expect(page.locator("#schedule-gaps .errorlist")).to_be_visible()
    expect(page.locator("#id_upgrades-timezone")).to_have_value("Europe/Berlin")
    screenshot(page, "setup-3-schedules-error")
    no_csp_violation(page, seen)
    page.locator("#id_gaps-cron").fill("30 2 * * *")
    page.get_by_role("button", name="Save schedules and continue").click()
    expect(page).to_have_url(re.compile(r"/setup/4/$"))
    gaps = SweepSchedule.objects.get(connector=conn, kind="gaps")
    assert (gaps.cron, SweepSchedule.objects.get(connector=conn, kind="upgrades").timezone) == (
        "30 2 * * *",
        "Europe/Berlin",
    )

    # Step 4: "Sync now" queued the first sync when the connector was saved; a worker runs it
    # (here: the test itself, as no cluster runs beside the live server), the page follows.
    expect(page.locator("#setup-progress")).to_contain_text("Queued")
    expect(page.get_by_role("heading", name="Library sync")).to_be_visible()
    sync_connector(conn.pk, SyncRun.Kind.FULL, SyncRun.Trigger.MANUAL)
    expect(page.locator("#sync-done")).to_contain_text("Done: the first sync read", timeout=15_000)
    card = page.locator(f"#sync-status-{conn.pk}")  # content's card, kept fresh
    expect(card.locator(".badge-sync-succeeded")).to_be_visible()
    mirrored = f"{conn.series.count()} series, {conn.episodes.count()} episodes"
    assert conn.series.count() == 12
    expect(card).to_contain_text(mirrored)
    screenshot(page, "setup-4-sync-done")
    no_csp_violation(page, seen)
    page.get_by_role("button", name="Go to the dashboard").click()
    expect(page).to_have_url(re.compile(r"/$"))
    assert SetupWizard.load().finished_at is not None

    # Never again: signing in next time goes to the dashboard.
    page.context.clear_cookies()
    login(page)
    expect(page).to_have_url(re.compile(r"/$"))


def test_skip_setup_is_remembered(page: Page, login, screenshot):
    login(page)
    expect(page).to_have_url(re.compile(r"/setup/1/$"))
    page.get_by_role("button", name="Skip setup").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator(".messages")).to_contain_text("Setup skipped")
    page.context.clear_cookies()
    login(page)
    expect(page).to_have_url(re.compile(r"/$"))
    assert not Connector.objects.exists()


def test_resume_after_leaving_at_step_2(page: Page, login, fake_radarr):
    login(page)
    fill_form(page, kind="radarr", name="Movies", url=fake_radarr.url, api_key=fake_radarr.api_key)
    page.get_by_label("Sync now").uncheck()
    page.get_by_role("button", name="Save and continue").click()
    expect(page).to_have_url(re.compile(r"/setup/2/$"))
    page.context.clear_cookies()  # gone before choosing a pace
    login(page)
    expect(page).to_have_url(re.compile(r"/setup/2/$"))
    expect(page.locator('[aria-current="step"]')).to_contain_text("Search pace")
