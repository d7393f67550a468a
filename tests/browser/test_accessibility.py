"""axe-core on every page, in both themes and at phone width: no serious or critical violation.

axe is loaded from the vendored copy (tests/browser/vendor/axe-core) with
``page.evaluate``, so the page keeps its strict Content-Security-Policy while
it is checked. Rules: WCAG 2.x A and AA (contrast included).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from queueing.models import SweepSchedule, ThrottleProfile
from tests.browser.conftest import PHONE
from tests.ui_engine.conftest import make_small_world

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
BLOCKING = ("serious", "critical")
#: Static pages (URL name, args); the world fixture's ids are filled in below.
PAGES = [
    ("dashboard", ()),
    ("connectors:list", ()),
    ("connectors:add", ()),
    ("connectors:detail", ("sonarr",)),
    ("connectors:edit", ("sonarr",)),
    ("library:list", ()),
    ("library:series", ("series",)),
    ("library:item", ("episode", "episode")),
    ("library:item", ("movie", "movie")),
    ("queueing:queue", ()),
    ("queueing:entry_detail", ("entry",)),
    ("queueing:schedules", ()),
    ("queueing:schedule_add", ()),
    ("queueing:schedule_edit", ("schedule",)),
    ("queueing:profiles", ()),
    ("queueing:profile_edit", ("profile",)),
    ("analytics:overview", ()),
    ("settings", ()),
    ("settings_search", ()),
    ("settings_security", ()),
    ("settings_database", ()),
    ("settings_about", ()),
    ("backups:index", ()),
    ("logs:index", ()),
    ("notifications:index", ()),
    ("notifications:add", ()),
    ("notifications:log", ()),
    ("apikeys:index", ()),
    ("memory", ()),
]
#: Pages that differ by a query parameter only (URL name, query).
QUERY_PAGES = [
    ("library:list", "?view=posters"),
    ("library:list", "?view=posters&type=episodes"),
]


@pytest.fixture
def world(transactional_db):
    world = make_small_world()
    sonarr = world["sonarr_obj"]
    return {
        **world,
        # Created here: a transactional test starts from empty tables (no seeded presets).
        "schedule": SweepSchedule.objects.create(
            connector=sonarr, kind="gaps", cron="0 * * * *"
        ).pk,
        "profile": ThrottleProfile.objects.create(name="Gentle").pk,
    }


def _url(name: str, args: tuple, world: dict) -> str:
    return reverse(name, args=[world.get(a, a) for a in args])


def _violations(page: Page) -> list[str]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE)
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {
                runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
            });
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' :: ' + n.failureSummary),
            }));
        }"""
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"])
        for v in result
        if v["impact"] in BLOCKING
    ]


def _check_all(page: Page, world: dict, label: str) -> None:
    problems = []
    urls = [_url(name, args, world) for name, args in PAGES]
    urls += [reverse(name) + query for name, query in QUERY_PAGES]
    for url in urls:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        problems += [f"{label} {url}: {v}" for v in _violations(page)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_every_page_in_each_theme(make_page, login, world, theme):
    page = make_page(theme=theme)
    login(page)
    _check_all(page, world, theme)


def test_every_page_at_phone_width(make_page, login, world):
    page = make_page(viewport=PHONE)
    login(page)
    _check_all(page, world, "phone")


def test_the_sign_in_page(make_page):
    for theme in ("dark", "light"):
        page = make_page(theme=theme)
        page.goto(reverse("login"))
        assert not _violations(page), theme
