"""The queue page in a browser: each entry says what it searches and links to its items."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.searchstate import builders
from tests.ui_engine.conftest import make_entry


@pytest.fixture
def queued(transactional_db):
    sonarr = builders.connector("Living room", "sonarr")
    radarr = builders.connector("Movies", "radarr")
    expanse = builders.series(sonarr, "The Expanse")
    pack = make_entry(
        sonarr,
        items=builders.episodes(expanse, 2, 13),
        command="SeasonSearch",
        season_number=2,
        priority=90,
    )
    eps = builders.episodes(expanse, 1, 3)
    make_entry(sonarr, items=eps, priority=70)
    films = [builders.movie(radarr, t, year=y) for t, y in [("Dune", 2021), ("Heat", 1995)]]
    make_entry(radarr, items=films, command="MoviesSearch", priority=60)
    return {"pack": pack, "expanse": expanse, "first": eps[0]}


def test_queue_entries_in_words_link_to_their_items(logged_in_page: Page, queued, screenshot):
    page = logged_in_page
    page.goto(reverse("queueing:queue"))
    up_next = page.locator("#up-next")
    expect(up_next).to_contain_text("The Expanse S02 (season pack, 13 episodes)")
    expect(up_next).to_contain_text("3 episodes of The Expanse: S01E01, S01E02, S01E03")
    expect(up_next).to_contain_text("2 movies: Dune (2021), Heat (1995)")
    up_next.scroll_into_view_if_needed()
    screenshot(page, "queue-entries-in-words", full_page=False)
    up_next.get_by_role("link", name="S01E01").click()
    page.wait_for_url(f"**{reverse('library:item', args=['episode', queued['first'].pk])}")
    page.go_back()
    page.locator(f"#entry-{queued['pack'].pk}").get_by_role("link", name="The Expanse").click()
    page.wait_for_url(f"**{reverse('library:series', args=[queued['expanse'].pk])}")
