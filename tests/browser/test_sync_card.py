"""The connector page's "Library sync" card is styled (facts, health summary, run badges)
in the light and the dark theme."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from content.models import SyncRun, SyncState
from tests.searchstate import builders


@pytest.fixture
def failing_sync(transactional_db):
    conn = builders.connector("Living room", "sonarr", app_version="4.0.19.2979")
    show = builders.series(conn, "The Expanse")
    builders.episodes(show, 1, 3)
    now = timezone.now()
    SyncState.objects.update_or_create(
        connector=conn,
        defaults={
            "last_success_at": now - timedelta(hours=2),
            "last_full_sync_at": now - timedelta(days=1),
            "last_error": "Sonarr answered 503 Service Unavailable",
            "consecutive_failures": 3,
        },
    )
    for minutes, status in ((1, "running"), (30, "failed"), (90, "succeeded"), (200, "skipped")):
        started = now - timedelta(minutes=minutes)
        SyncRun.objects.create(
            connector=conn,
            trigger="schedule",
            kind="incremental",
            status=status,
            started_at=started,
            finished_at=None if status == "running" else started + timedelta(seconds=40),
            error="HTTP 503" if status == "failed" else "",
        )
    return conn


def _css(page: Page, selector: str, prop: str) -> str:
    return page.locator(selector).first.evaluate(
        f"(el) => getComputedStyle(el).getPropertyValue({prop!r})"
    )


def _var(page: Page, name: str) -> str:
    """A theme colour as the browser resolves it (rgb(...)), via a probe element."""
    return _colour(page, f"var({name})")


def _colour(page: Page, expression: str) -> str:
    """Any CSS colour expression as the browser resolves it."""
    return page.evaluate(
        """(expr) => { const p = document.createElement('span');
        p.style.color = expr; document.body.append(p);
        const c = getComputedStyle(p).color; p.remove(); return c; }""",
        expression,
    )


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_library_sync_card_is_styled(make_page, login, failing_sync, screenshot, theme):
    page = make_page(theme=theme)
    login(page)
    page.goto(reverse("connectors:detail", args=[failing_sync.pk]))
    card = page.locator(f"#sync-status-{failing_sync.pk}")
    expect(card.get_by_role("heading", name="Library sync")).to_be_visible()
    # The chosen theme is on: its page background says which one.
    assert _var(page, "--bg") == {"light": "rgb(243, 245, 248)", "dark": "rgb(20, 22, 27)"}[theme]
    # Facts: tiles in a grid, labels small and muted.
    assert _css(page, ".facts", "display") == "grid"
    assert _css(page, ".facts > div", "border-top-style") == "solid"
    assert _css(page, ".facts dt", "text-transform") == "uppercase"
    assert _css(page, ".facts dt", "color") == _var(page, "--text-muted")
    # The failure verdict: a bar in the unhealthy colour.
    summary = ".health-summary.level-unhealthy"
    expect(page.locator(summary)).to_contain_text("3 times in a row")
    assert _css(page, summary, "border-left-width") == "4px"
    assert _css(page, summary, "border-left-color") == _var(page, "--unhealthy")
    # Run badges in their status colours.
    for status, colour in (
        ("running", "--info"),
        ("failed", "--danger"),
        ("succeeded", "--success"),
        ("skipped", "--text-muted"),
    ):
        # The light theme darkens badge text for contrast (static/css/app.css, .badge).
        expected = (
            _colour(page, f"color-mix(in srgb, var({colour}) 78%, #000000)")
            if theme == "light"
            else _var(page, colour)
        )
        assert _css(page, f".badge-sync-{status}", "color") == expected, status
    # The body is padded although the card is flush (its runs table reaches the edges).
    assert _css(page, ".sync-card > .card-body", "padding-left") == "20px"
    summary_el = card.locator("summary")
    summary_el.click()
    expect(card.locator("details")).to_have_attribute("open", "")
    background = _css(page, ".facts > div", "background-color")
    assert background == _var(page, "--surface-2")
    card.scroll_into_view_if_needed()
    screenshot(page, f"connector-sync-card-{theme}")
