"""Live regions in Chromium: when a poll fails (HTTP 500, the network down, signed out) the region
keeps its last content and says so in one small notice, which the next successful poll clears;
while a slow request runs the region is marked busy and its content dims. One script does it for
every region (static/js/live-regions.js): checked here on the queue page, a library bulk run's
progress, a connector's Library sync card and the log tail, under the strict CSP."""

# ruff: noqa: F811 - the tests take the imported `busy` fixture as an argument
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, Route, expect

from comradarr.logbook.models import LogRecord
from content.models import SyncRun
from tests.browser.test_accessibility import _violations
from tests.browser.test_csp import watch
from tests.browser.test_queue_layout import busy  # noqa: F401 - a queue with a running sweep
from tests.searchstate import builders
from web.models import BulkRun

REFRESH_500 = "Could not refresh (HTTP 500); retrying…"
REFRESH_NETWORK = "Could not refresh (network error); retrying…"
SIGNED_OUT = "Signed out — reload to sign in"


def _polls_to(path: str) -> Callable[[str], bool]:
    return lambda url: url.split("?")[0].endswith(path)


def _fail_then_recover(page: Page, path: str, region: str, kept: str) -> None:
    """Make the region's polls fail three ways, then let them through again."""
    matches = _polls_to(path)
    region_id = region.lstrip("#")
    notice = page.locator(f'.live-notice[data-live-for="{region_id}"]')
    expect(page.locator(region)).to_contain_text(kept)
    expect(notice).to_have_count(0)

    page.route(matches, lambda route: route.fulfill(status=500, body="Server Error"))
    expect(notice).to_have_text(REFRESH_500)
    expect(notice).to_have_attribute("role", "status")
    expect(page.locator(region)).to_contain_text(kept)  # the last content stays

    page.unroute(matches)
    page.route(matches, lambda route: route.abort("internetdisconnected"))
    expect(notice).to_have_text(REFRESH_NETWORK)
    expect(page.locator(region)).to_contain_text(kept)

    page.unroute(matches)
    page.route(matches, lambda route: route.fulfill(status=403, body="Forbidden"))
    expect(notice).to_have_text(SIGNED_OUT)
    expect(notice.get_by_role("link", name="reload to sign in")).to_have_attribute("href", page.url)
    expect(page.locator(region)).to_contain_text(kept)
    expect(notice).to_have_count(1)  # one notice, whatever happened before

    page.unroute(matches)
    expect(notice).to_have_count(0)  # the next success clears it
    expect(page.locator(region)).to_contain_text(kept)


def test_queue_page_keeps_its_content_when_a_poll_fails(logged_in_page: Page, busy):
    page = logged_in_page
    seen = watch(page)
    page.goto(reverse("queueing:queue"))
    long_name = busy.name
    _fail_then_recover(page, reverse("queueing:queue_status"), "#queue-live", long_name)
    assert not page.evaluate("window.__csp") and not seen


@pytest.mark.parametrize(
    ("theme", "status", "said"), [("light", 500, REFRESH_500), ("dark", 403, SIGNED_OUT)]
)
def test_the_notice_reads_well_in_both_themes(
    make_page, login, busy, screenshot, theme, status, said
):
    page = make_page(theme=theme)
    login(page)
    page.goto(reverse("queueing:queue"))
    matches = _polls_to(reverse("queueing:queue_status"))
    page.route(matches, lambda route: route.fulfill(status=status, body="No"))
    notice = page.locator('.live-notice[data-live-for="queue-live"]')
    expect(notice).to_have_text(said)
    # axe-core finds no serious or critical problem with the notice on the page (contrast...).
    assert _violations(page) == []
    screenshot(page, f"live-notice-queue-{theme}", full_page=False)


def test_a_slow_poll_marks_the_region_busy(logged_in_page: Page, busy):
    page = logged_in_page
    page.goto(reverse("queueing:queue"))
    held: list[Route] = []
    matches = _polls_to(reverse("queueing:queue_status"))
    page.route(matches, lambda route: held.append(route))
    region = page.locator("#queue-live")
    expect(region).to_have_attribute("aria-busy", "true", timeout=8000)
    # After a moment (not at once: quick polls must not flicker) the old content dims.
    page.wait_for_function(
        "() => getComputedStyle(document.querySelector('#global-state')).opacity < 0.6"
    )
    assert page.evaluate("getComputedStyle(document.querySelector('#queue-live')).cursor") == (
        "progress"
    )
    for route in held:
        route.continue_()
    page.unroute(matches)
    expect(page.locator("#queue-live")).not_to_have_attribute("aria-busy", "true")
    assert page.evaluate("getComputedStyle(document.querySelector('#global-state')).opacity") == (
        "1"
    )


def test_polls_wait_while_the_tab_is_hidden(logged_in_page: Page, busy):
    page = logged_in_page
    page.goto(reverse("queueing:queue"))
    polls: list[str] = []
    status = reverse("queueing:queue_status")
    page.on("request", lambda r: polls.append(r.url) if status in r.url else None)
    page.evaluate(
        "Object.defineProperty(document, 'hidden', {configurable: true, get: () => true})"
    )
    page.wait_for_timeout(7000)  # two turns of the 3 s poll
    assert polls == []
    page.evaluate("delete document.hidden")
    page.wait_for_timeout(3500)
    assert polls


@pytest.fixture
def bulk_run(transactional_db):
    conn = builders.connector("Living room", "sonarr")
    return BulkRun.objects.create(
        connector=conn,
        action="reset",
        params={"state": "exhausted"},
        total=40,
        done=12,
        changed=9,
        status=BulkRun.Status.RUNNING,
        started_at=timezone.now(),
    )


def test_bulk_progress_keeps_its_count_when_a_poll_fails(logged_in_page: Page, bulk_run):
    page = logged_in_page
    page.goto(reverse("library:bulk_run", args=[bulk_run.pk]))
    _fail_then_recover(
        page, reverse("library:bulk_run", args=[bulk_run.pk]), "#bulk-progress", "12 of 40"
    )


@pytest.fixture
def syncing(transactional_db):
    conn = builders.connector("Living room", "sonarr", app_version="4.0.19.2979")
    SyncRun.objects.create(
        connector=conn,
        trigger="schedule",
        kind="incremental",
        status="running",
        started_at=timezone.now() - timedelta(seconds=30),
    )
    return conn


def test_sync_card_keeps_its_facts_when_a_poll_fails(logged_in_page: Page, syncing):
    page = logged_in_page
    page.goto(reverse("connectors:detail", args=[syncing.pk]))
    region = f"#sync-status-{syncing.pk}"
    expect(page.locator(region)).to_have_attribute("hx-trigger", "every 3s")
    _fail_then_recover(
        page, reverse("content:sync_status", args=[syncing.pk]), region, "Last full sync"
    )


def test_log_tail_says_when_it_cannot_refresh(logged_in_page: Page, screenshot):
    LogRecord.objects.create(
        created=datetime.now(tz=UTC),
        level=logging.INFO,
        logger="queueing.dispatch",
        module="dispatch",
        message="search dispatched for 3 episodes",
        correlation_id="req-alpha",
        origin="GET /queue/",
    )
    page = logged_in_page
    page.goto(reverse("logs:index"))
    # The poller's row is not drawn: its notice goes to the top of the log card.
    _fail_then_recover(page, reverse("logs:tail"), "#log-tail", "")
    page.route(_polls_to(reverse("logs:tail")), lambda route: route.abort("failed"))
    notice = page.locator('.live-notice[data-live-for="log-tail"]')
    expect(notice).to_be_visible()
    expect(page.locator("#log-rows")).to_contain_text("search dispatched for 3 episodes")
    screenshot(page, "live-notice-log-tail", full_page=False)


def test_log_tail_ends_the_empty_state_when_records_arrive(logged_in_page: Page):
    page = logged_in_page
    page.goto(reverse("logs:index"))
    expect(page.locator("#log-empty")).to_contain_text("New ones appear here as they are logged")
    LogRecord.objects.create(
        created=datetime.now(tz=UTC),
        level=logging.WARNING,
        logger="queueing.dispatch",
        module="dispatch",
        message="connector paused: back-pressure",
        correlation_id="req-beta",
        origin="task queueing.dispatch",
    )
    expect(page.locator("#log-rows tr.log-row")).to_have_count(1, timeout=8000)
    expect(page.locator("#log-empty")).to_have_count(0)


def test_a_failed_action_and_a_failed_load_say_so(logged_in_page: Page, busy):
    """Not only polls: a button's request and a one-off load get their own words."""
    page = logged_in_page
    page.goto(reverse("queueing:queue"))
    pause = reverse("queueing:queue_pause")
    page.route(lambda url: url.endswith(pause), lambda route: route.fulfill(status=500, body="x"))
    page.locator("#pause-all").click()
    notice = page.locator('.live-notice[data-live-for="queue-live"]')
    expect(notice).to_have_text("Could not send (HTTP 500). Try again in a moment.")
    expect(page.locator("#global-state")).to_contain_text("Queue processing is running")
    expect(notice).to_have_count(0, timeout=8000)  # the next poll succeeds and clears it

    # The analytics tables load once: a failure says how to try again.
    page.route("**/analytics/table/**", lambda route: route.fulfill(status=502, body="x"))
    page.goto(reverse("analytics:overview"))
    table = page.locator('[data-table="most_searched"]')
    expect(table.locator(".live-notice")).to_have_text(
        "Could not load (HTTP 502). Reload the page to try again."
    )
    expect(table).to_contain_text("Loading…")  # the placeholder stays, nothing half-swapped
