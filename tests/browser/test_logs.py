"""Settings > Logs in Chromium: follow a record's correlation id to everything of its
request, and watch a new record of that request arrive through the live tail, under
the strict Content-Security-Policy."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from comradarr import logs
from comradarr.logbook.handler import DatabaseHandler
from comradarr.logbook.models import LogRecord
from comradarr.logs import CorrelationFilter, RedactingFilter
from tests.browser.test_csp import watch

pytestmark = pytest.mark.browser


def _stored(message: str, correlation: str, origin: str = "GET /queue/") -> None:
    LogRecord.objects.create(
        created=datetime.now(tz=UTC),
        level=logging.INFO,
        logger="queueing.dispatch",
        module="dispatch",
        message=message,
        correlation_id=correlation,
        origin=origin,
    )


def _log_through_the_handler(message: str, correlation: str) -> None:
    """A record logged the way the app logs it, written by the real handler."""
    handler = DatabaseHandler(keep=1000, threaded=False)
    handler.addFilter(CorrelationFilter())
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("queueing.dispatch")
    logger.addHandler(handler)
    previous_level, logger.level = logger.level, logging.INFO
    token = logs.correlation_id.set(correlation)
    try:
        logger.info(message)
    finally:
        logs.correlation_id.reset(token)
        logger.removeHandler(handler)
        logger.level = previous_level
    handler.write_pending()
    handler.close()


def test_filter_by_correlation_id_and_see_a_new_record_arrive(logged_in_page, screenshot):
    page: Page = logged_in_page
    seen = watch(page)
    _stored("search dispatched for 3 episodes", "req-alpha")
    _stored("connector health checked", "req-beta", origin="task connectors.health.check")
    _stored("command 812 queued", "req-alpha")

    page.goto(reverse("logs:index"))
    rows = page.locator("#log-rows tr.log-row")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("command 812 queued")

    # The id links to every record of that request, and only those.
    rows.first.locator("a.log-correlation").click()
    expect(page).to_have_url(f"{reverse('logs:index')}?correlation=req-alpha", timeout=5000)
    expect(page.get_by_label("Correlation id")).to_have_value("req-alpha")
    expect(rows).to_have_count(2)
    expect(page.locator("#log-rows")).not_to_contain_text("connector health checked")

    # Lines logged by the same request afterwards arrive through the live tail; others do not.
    _log_through_the_handler("command 812 completed: 2 grabbed", "req-alpha")
    _log_through_the_handler("unrelated line", "req-gamma")
    expect(rows.first).to_contain_text("command 812 completed: 2 grabbed", timeout=10000)
    expect(rows).to_have_count(3)
    expect(page.locator("#log-rows")).not_to_contain_text("unrelated line")
    screenshot(page, "settings-logs-correlation-live-tail")

    # A bad filter value is explained on the page, not a server error.
    page.goto(f"{reverse('logs:index')}?level=loud&before=x")
    expect(page.locator("#log-filter-error")).to_be_visible()
    expect(page.locator("#error-before")).to_contain_text("whole number")
    assert not page.evaluate("window.__csp") and not seen
