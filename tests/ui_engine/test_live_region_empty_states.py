"""Every live region (a part of a page htmx polls or loads) says, when it has nothing to show,
what will appear there and how to get it; each is checked as htmx asks for it."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from comradarr.logbook.models import LogRecord
from tests.searchstate import builders
from web.models import BulkRun

HTMX = {"HTTP_HX_REQUEST": "true"}


def _get(web, url: str, **params) -> str:
    response = web.get(url, params, **HTMX)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def test_queue_regions_say_what_fills_them(web):
    body = _get(web, reverse("queueing:queue_status"))
    assert "No connectors yet: each one's dispatch state and allowance left show here." in body
    assert f'<a href="{reverse("connectors:add")}">Add a connector</a> to start.' in body
    assert "A search the dispatcher sends shows here until the app finishes it." in body
    assert "The queue is empty. Sweeps fill it on their" in body
    assert "“Search now” on an item in the library adds one at once." in body
    assert f'No sweep yet. <a href="{reverse("queueing:schedules")}">Schedules</a>' in body
    assert "No search sent yet. Each search the dispatcher sends shows here" in body


def test_maintenance_card_without_a_run(web):
    body = _get(web, reverse("settings_maintenance_status"))
    assert (
        "No maintenance run recorded yet. The daily schedule runs one; "
        "the buttons above start one now."
    ) in body


def test_sync_card_without_a_run(web):
    conn = builders.connector("Living room", "sonarr")
    body = _get(web, reverse("content:sync_status", args=[conn.pk]))
    assert "No sync yet. “Sync now” queues one; the schedule runs them too." in body


@pytest.mark.parametrize(("done", "waiting"), [(0, True), (3, False)])
def test_bulk_progress_before_the_worker_starts(web, done, waiting):
    conn = builders.connector("Living room", "sonarr")
    run = BulkRun.objects.create(
        connector=conn,
        action="reset",
        total=40,
        done=done,
        status=BulkRun.Status.RUNNING,
        started_at=timezone.now(),
    )
    body = _get(web, reverse("library:bulk_run", args=[run.pk]))
    assert f"{done} of 40 items processed" in body
    text = "Waiting for a background worker: the count goes up here as it works through the items."
    assert (text in body) is waiting


def test_log_list_without_records_then_the_tail_ends_it(web):
    body = _get(web, reverse("logs:index"))
    assert "No log records yet. New ones appear here as they are logged." in body
    # Filtered: the same promise, about matching records.
    body = _get(web, reverse("logs:index"), q="nothing like this")
    assert "No log records match these filters yet. New ones appear here" in body
    # The tail's answer without records leaves the empty state; with records it removes it.
    assert 'id="log-empty"' not in _get(web, reverse("logs:tail"), after=0)
    LogRecord.objects.create(
        created=datetime.now(tz=UTC),
        level=logging.INFO,
        logger="queueing.dispatch",
        module="dispatch",
        message="search dispatched",
    )
    body = _get(web, reverse("logs:tail"), after=0)
    assert '<template><p id="log-empty" hx-swap-oob="delete"></p></template>' in body


def test_paged_log_list_promises_no_live_records(web):
    body = _get(web, reverse("logs:index"), before=1)
    assert "No log records yet." in body
    assert "New ones appear here" not in body


def test_analytics_table_without_data(web):
    body = _get(web, reverse("analytics:table", args=["most_searched"]))
    assert "No data yet. It fills in as syncs, sweeps and searches run in the chosen range." in body


def test_activity_feed_without_activity(web):
    body = _get(web, reverse("analytics:feed"))
    assert "No activity yet: syncs, sweeps, searches and acquisitions show up here." in body


def test_cron_preview_without_an_expression(web):
    body = _get(web, reverse("queueing:schedule_preview"), cron="  ", timezone="UTC")
    assert (
        "Type a cron expression or use the builder: it shows here in words with its next runs."
        in body
    )
