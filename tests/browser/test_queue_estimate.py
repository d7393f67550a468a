"""The queue page in a browser: when each entry goes out, why a connector waits, and an
entry's priority opened into its parts (a <details>, no script), kept open across polls."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from queueing.models import ConnectorThrottle, RequestQueue
from searchstate.models import SearchRegistry
from tests.queueing import engine_helpers as h
from tests.searchstate import builders
from tests.ui_engine.conftest import make_entry

PARTS = {"base": 1000.0, "recency": 212.4, "attempts": -100.0, "user": 50.0}


@pytest.fixture
def queued(transactional_db):
    sonarr = builders.connector("Living room", "sonarr")
    radarr = builders.connector("Movies", "radarr")
    h.assign(sonarr, h.profile("slow", min_interval_seconds=240, interval_jitter_seconds=0))
    ConnectorThrottle.objects.update_or_create(connector=radarr, defaults={"paused": True})
    expanse = builders.series(sonarr, "The Expanse")
    first = make_entry(sonarr, items=builders.episodes(expanse, 1, 1), priority=1162)
    SearchRegistry.objects.filter(queue_entries=first).update(
        priority=1162, priority_breakdown=PARTS
    )
    make_entry(sonarr, items=builders.episodes(expanse, 2, 1), priority=900)
    film = make_entry(radarr, items=[builders.movie(radarr, "Dune", year=2021)], priority=800)
    return {"first": first, "film": film}


def test_queue_shows_estimates_and_an_expanded_priority(logged_in_page: Page, queued, screenshot):
    page = logged_in_page
    page.goto(reverse("queueing:queue"))
    up_next = page.locator("#up-next")
    expect(up_next).to_contain_text("in about 4 min")
    film_row = page.locator(f"#entry-{queued['film'].pk}")
    expect(film_row).to_contain_text("after the pause ends")
    expect(film_row).to_contain_text("Paused by the user")

    details = page.locator(f"#priority-{queued['first'].pk}")
    parts = details.locator(".priority-parts")
    expect(parts).to_be_hidden()
    details.locator("summary").click()
    expect(parts).to_be_visible()
    expect(parts).to_contain_text("Recent release")
    expect(parts).to_contain_text("+212")
    expect(parts).to_contain_text("Searches that found nothing")
    # The live region is re-rendered every few seconds: the opened breakdown stays open.
    with page.expect_response(lambda r: r.url.endswith(reverse("queueing:queue_status"))):
        pass
    page.wait_for_timeout(300)
    expect(parts).to_be_visible()
    up_next.scroll_into_view_if_needed()
    screenshot(page, "queue-estimate-and-priority", full_page=False)

    page.goto(reverse("queueing:entry_detail", args=[queued["film"].pk]))
    expect(page.locator("#entry-estimate")).to_contain_text("after the pause ends")
    assert RequestQueue.objects.filter(status="queued").count() == 3
