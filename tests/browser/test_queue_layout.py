"""The queue page's Connectors, Sweeps and Recent searches tables in a browser: they fit their
cards on a desktop (no cell beyond the card's edge) and turn into one card per row on a phone; the
sidebar marks the section of each engine and settings page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from queueing.models import ConnectorThrottle
from tests.browser.conftest import PHONE
from tests.searchstate import builders
from tests.ui_engine.conftest import make_history, make_sweep

TABLES = ("#sweeps", "#history", "#connectors-card")
LONG_ERROR = (
    "Sonarr answered 503 Service Unavailable for /api/v3/wanted/missing?page=3&pageSize=1000 "
    "while the sweep read its candidates; retried 3 times with backoff before giving up"
)


@pytest.fixture
def busy(transactional_db):
    """Long names, errors and titles: the worst the two tables have to hold."""
    now = timezone.now()
    long_sonarr = builders.connector("Living room Sonarr (4K, anime and documentaries)", "sonarr")
    radarr = builders.connector("Movies 4K", "radarr")
    for minutes, (conn, status, kind) in enumerate(
        [
            (long_sonarr, "running", "both"),
            (long_sonarr, "failed", "gaps"),
            (radarr, "succeeded", "upgrades"),
            (radarr, "skipped", "gaps"),
            (long_sonarr, "succeeded", "both"),
        ]
    ):
        started = now - timedelta(minutes=10 * minutes)
        make_sweep(
            conn,
            status=status,
            kind=kind,
            trigger="scheduled",
            started_at=started,
            finished_at=None if status == "running" else started + timedelta(seconds=95),
            error=LONG_ERROR if status == "failed" else "",
            found=123_456,
            queued=12_345,
            entries=321,
            skipped={"cooldown": 40_000, "not_monitored": 3},
        )
    titles = [
        {
            "kind": "episode",
            "arr_id": n,
            "title": f"The Marvelous Mrs. Maisel S0{n}E10 - "
            "A Jewish Girl Walks Into the Apollo and Nobody Laughs at All",
        }
        for n in range(1, 6)
    ]
    for outcome in ("grabbed", "no_results", "failed", "timeout", "pending", "rate_limited"):
        make_history(
            long_sonarr,
            outcome=outcome,
            command_name="EpisodeSearch",
            items=titles,
            item_count=len(titles),
            items_grabbed=2 if outcome == "grabbed" else 0,
            message=LONG_ERROR if outcome in ("failed", "timeout") else "",
            duration_seconds=None if outcome == "pending" else 1234.0,
        )
    _throttled(now)
    return long_sonarr


BACK_PRESSURE = (
    "back-pressure: the download queue holds 250 items (threshold 200) and the client reports "
    "every slot busy; dispatch resumes when it drains"
)


def _throttled(now) -> None:
    """Connectors in every dispatch state the Connectors card words: paused by the user, paused
    by Comradarr for back-pressure, waiting for a slot, disabled; long names throughout."""
    states = [
        ("Bedroom Radarr for the kids' animated films and family documentaries", "radarr", {}),
        (
            "Basement Sonarr with a very long instance name that goes on and on",
            "sonarr",
            {"paused": True, "pause_reason": BACK_PRESSURE},
        ),
        (
            "Whisparr-on-the-NAS-behind-the-reverse-proxy-in-the-garage",
            "whisparr",
            {"paused_until": now + timedelta(minutes=45), "pause_reason": BACK_PRESSURE},
        ),
        (
            "Anime Sonarr (Japanese audio, English subtitles, 1080p)",
            "sonarr",
            {"next_dispatch_at": now + timedelta(minutes=3), "back_pressure_at": now},
        ),
    ]
    for name, kind, throttle in states:
        conn = builders.connector(name, kind)
        ConnectorThrottle.objects.update_or_create(connector=conn, defaults=throttle)
    builders.connector("Disabled Radarr that nobody has switched on again", "radarr", enabled=False)


def _overflowing_cells(page: Page, card: str) -> list[str]:
    """Cells (and their contents) whose box pokes out of the card, or which hide a scrollbar."""
    return page.evaluate(
        """(selector) => {
          const card = document.querySelector(selector);
          const edge = card.getBoundingClientRect();
          const out = [];
          const wrap = card.querySelector('.table-wrap');
          if (wrap.scrollWidth > wrap.clientWidth + 1) {
            out.push(`table scrolls: ${wrap.scrollWidth} > ${wrap.clientWidth}`);
          }
          for (const el of card.querySelectorAll('th, td, td *')) {
            const box = el.getBoundingClientRect();
            if (box.width === 0 && box.height === 0) continue;  // hidden
            if (box.left < edge.left - 0.5 || box.right > edge.right + 0.5) {
              out.push(`${el.tagName} "${el.textContent.trim().slice(0, 40)}": `
                + `${box.left.toFixed(1)}..${box.right.toFixed(1)} outside `
                + `${edge.left.toFixed(1)}..${edge.right.toFixed(1)}`);
            }
          }
          return out;
        }""",
        card,
    )


@pytest.mark.parametrize("width", [1024, 1280, 1600])
def test_queue_tables_fit_their_cards_on_a_desktop(make_page, login, busy, screenshot, width):
    page = make_page(viewport={"width": width, "height": 900})
    login(page)
    page.goto(reverse("queueing:queue"))
    for card in TABLES:
        expect(page.locator(f"{card} tbody tr").first).to_be_visible()
        assert _overflowing_cells(page, card) == [], card
    # The long error and titles are cut with an ellipsis, the full text kept in their title.
    error = page.locator("#sweeps td .truncate").first
    assert error.get_attribute("title") == LONG_ERROR
    # Each badge shows its whole word ("Command failed"), never cut.
    assert (
        page.evaluate(
            "[...document.querySelectorAll('#sweeps .badge, #history .badge, #connectors-card .badge')]"
            ".filter((b) => b.scrollWidth > b.clientWidth + 1).map((b) => b.textContent)"
        )
        == []
    )
    # The phone's summary lines stay on phones: a desktop shows those facts in their columns.
    expect(page.locator("#history .sub.phone-only").first).to_be_hidden()
    # The reason a connector is not dispatching keeps its words (wrapped, never cut).
    expect(page.locator("#throttle-table")).to_contain_text(BACK_PRESSURE)
    page.locator("#sweeps").scroll_into_view_if_needed()
    screenshot(page, f"queue-sweeps-history-{width}", full_page=False)
    page.locator("#connectors-card").scroll_into_view_if_needed()
    screenshot(page, f"queue-connectors-{width}", full_page=False)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_queue_table_rows_are_cards_on_a_phone(make_page, login, busy, screenshot, theme):
    page = make_page(viewport=PHONE, color_scheme=theme)
    login(page)
    page.goto(reverse("queueing:queue"))
    for card in TABLES:
        table = page.locator(f"{card} table")
        expect(table.locator("tbody tr").first).to_be_visible()
        # The header row is left to screen readers (visually hidden): each cell says its label.
        head = table.locator("thead").bounding_box()
        assert head and head["height"] <= 1 and head["width"] <= 1, head
        rows = page.evaluate(
            """(selector) => [...document.querySelectorAll(selector + ' tbody tr')].map((tr) => {
                 const cells = [...tr.children].filter((td) => getComputedStyle(td).display !== 'none');
                 return {
                   display: getComputedStyle(tr).display,
                   stacked: cells.every((td, i) => i === 0
                     || td.getBoundingClientRect().top >= cells[i - 1].getBoundingClientRect().bottom - 1),
                   labels: cells.map((td) => [td.dataset.label,
                     getComputedStyle(td, '::before').content]),
                 };
               })""",
            card,
        )
        for row in rows:
            assert row["display"] == "block", row
            assert row["stacked"], row
            for label, before in row["labels"]:
                assert label and before == f'"{label}"', row
        assert _overflowing_cells(page, card) == [], card
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.locator("#sweeps").scroll_into_view_if_needed()
    screenshot(page, f"queue-sweeps-phone-{theme}", full_page=False)
    page.locator("#history").scroll_into_view_if_needed()
    screenshot(page, f"queue-history-phone-{theme}", full_page=False)
    page.locator("#connectors-card").scroll_into_view_if_needed()
    screenshot(page, f"queue-connectors-phone-{theme}", full_page=False)


@pytest.mark.parametrize(
    ("url_name", "section"),
    [
        ("queueing:queue", "Queue"),
        ("queueing:profiles", "Queue"),
        ("queueing:profile_add", "Queue"),
        ("queueing:schedules", "Schedules"),
        ("queueing:schedule_add", "Schedules"),
        ("settings", "Settings"),
        ("notifications:index", "Settings"),
        ("notifications:log", "Settings"),
        ("apikeys:index", "Settings"),
    ],
)
def test_sidebar_marks_the_section_of_the_page(logged_in_page: Page, busy, url_name, section):
    page = logged_in_page
    page.goto(reverse(url_name))
    current = page.locator('#sidebar .nav-link[aria-current="page"]')
    expect(current).to_have_count(1)
    expect(current).to_have_accessible_name(section)
