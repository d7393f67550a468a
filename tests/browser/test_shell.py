"""The UI shell in a real browser: login, sidebar, themes, phone drawer, logout."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from connectors.models import Connector
from tests.browser.conftest import PHONE
from web.models import SetupWizard


def _path(page: Page) -> str:
    return "/" + page.url.split("://", 1)[1].split("/", 1)[1]


def _background(page: Page) -> str:
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


def _is_dark(rgb: str) -> bool:
    red, green, blue = (int(part) for part in rgb[rgb.index("(") + 1 : -1].split(",")[:3])
    return (red + green + blue) / 3 < 100


@pytest.fixture
def connectors(transactional_db):
    health = Connector.Health
    rows = [
        ("Sonarr", Connector.Kind.SONARR, health.HEALTHY, "4.0.14.2939"),
        ("Sonarr Anime", Connector.Kind.SONARR, health.DEGRADED, "4.0.14.2939"),
        ("Radarr", Connector.Kind.RADARR, health.HEALTHY, "5.28.0.10274"),
        ("Radarr 4K", Connector.Kind.RADARR, health.OFFLINE, ""),
        ("Whisparr", Connector.Kind.WHISPARR, health.UNKNOWN, ""),
    ]
    return [
        Connector.objects.create(
            name=name,
            kind=kind,
            url=f"http://{name.lower().replace(' ', '-')}:8989",
            api_key="0123456789abcdef0123456789abcdef",
            health_status=status,
            app_version=version,
        )
        for name, kind, status, version in rows
    ]


def test_login_through_the_form_lands_on_the_dashboard(page, login, screenshot):
    # Without a connector, signing in opens the first-run wizard unless it was skipped.
    SetupWizard.objects.create(pk=SetupWizard.SINGLETON_PK, skipped_at=timezone.now())
    page.goto(reverse("dashboard"))
    expect(page).to_have_url(f"{page.url.split('/login/')[0]}/login/?next=/")
    expect(page.locator('input[name="password"]')).to_be_visible()
    screenshot(page, "login")

    login(page)

    assert _path(page) == reverse("dashboard")
    expect(page.locator("h1.topbar-title")).to_have_text("Dashboard")
    expect(page).to_have_title("Dashboard · Comradarr")
    expect(page.locator("#sidebar .nav-link.is-active")).to_have_text("Dashboard")
    expect(page.get_by_role("heading", name="Welcome to Comradarr")).to_be_visible()


def _wait_until(page: Page, condition, timeout_ms: int = 5000) -> None:
    """Poll from Python: wait_for_function evaluates a string in the page, which the CSP forbids."""
    for _ in range(timeout_ms // 50):
        if condition():
            return
        page.wait_for_timeout(50)
    assert condition()


def test_sidebar_collapses_and_remembers(logged_in_page, screenshot):
    page = logged_in_page
    sidebar = page.locator("#sidebar")
    label = page.locator("#sidebar .nav-link .nav-label").first
    expect(label).to_be_visible()
    wide = sidebar.bounding_box()["width"]

    page.locator("[data-sidebar-toggle]").click()

    expect(label).to_be_hidden()
    expect(page.locator("[data-sidebar-toggle]")).to_have_attribute("aria-expanded", "false")
    _wait_until(page, lambda: sidebar.bounding_box()["width"] < 100)
    assert sidebar.bounding_box()["width"] < wide

    page.reload()
    expect(label).to_be_hidden()
    screenshot(page, "sidebar-collapsed")
    page.locator("[data-sidebar-toggle]").click()
    expect(label).to_be_visible()
    page.reload()
    expect(label).to_be_visible()


def test_theme_toggle_switches_and_persists(logged_in_page, screenshot):
    page = logged_in_page
    assert _is_dark(_background(page))  # dark by default
    screenshot(page, "dashboard-dark")

    page.locator("[data-theme-toggle]").click()

    expect(page.locator("html")).to_have_attribute("data-theme", "light")
    _wait_until(page, lambda: _background(page) == "rgb(243, 245, 248)")
    expect(page.locator("[data-theme-toggle]")).to_have_attribute(
        "aria-label", "Switch to dark theme"
    )
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-theme", "light")
    assert not _is_dark(_background(page))
    screenshot(page, "dashboard-light")

    page.locator("[data-theme-toggle]").click()
    page.reload()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    assert _is_dark(_background(page))


@pytest.mark.parametrize("system", ["light", "dark", "no-preference"])
def test_dark_by_default_whatever_the_system_reports(make_page, login, system):
    # Browsers report "light" when the user never chose: the *arr apps' dark is the default.
    page = make_page(color_scheme=system)
    login(page)
    assert page.locator("html").get_attribute("data-theme") is None
    assert _is_dark(_background(page))
    expect(page.locator("[data-theme-toggle]")).to_have_attribute(
        "aria-label", "Switch to light theme"
    )
    page.locator("[data-theme-toggle]").click()
    assert not _is_dark(_background(page))


def test_dashboard_with_connectors(logged_in_page, connectors, screenshot):
    page = logged_in_page
    page.goto(reverse("dashboard"))  # signed in before the connectors existed: the wizard

    expect(page.locator('[data-stat="total"] .stat-value')).to_have_text("5")
    expect(page.locator('[data-stat="healthy"] .stat-value')).to_have_text("2")
    expect(page.locator('[data-stat="offline"] .stat-value')).to_have_text("1")
    expect(page.locator("table.table tbody tr")).to_have_count(5)
    expect(page.locator("table .badge-degraded")).to_have_text("Degraded")
    screenshot(page, "dashboard-connectors-dark")
    page.locator("[data-theme-toggle]").click()
    screenshot(page, "dashboard-connectors-light")


def test_phone_width_uses_a_drawer(make_page, login, connectors, screenshot):
    page = make_page(viewport=PHONE)
    login(page)
    hamburger = page.locator("[data-drawer-open]")
    nav_link = page.locator("#sidebar .nav-link").first

    expect(hamburger).to_be_visible()
    expect(nav_link).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "mobile-dashboard")

    hamburger.click()
    expect(nav_link).to_be_visible()
    expect(hamburger).to_have_attribute("aria-expanded", "true")
    page.wait_for_timeout(250)  # let the slide-in finish for the picture
    screenshot(page, "mobile-drawer", full_page=False)

    page.keyboard.press("Escape")
    expect(nav_link).to_be_hidden()

    hamburger.click()
    expect(nav_link).to_be_visible()
    page.locator(".shell-backdrop").click(position={"x": 350, "y": 400})
    expect(nav_link).to_be_hidden()


def test_logout_ends_the_session(logged_in_page, screenshot):
    page = logged_in_page

    page.locator("[data-user-menu] summary").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    screenshot(page, "user-menu", full_page=False)
    page.get_by_role("button", name="Log out").click()

    expect(page).to_have_url(re.compile(re.escape(reverse("login")) + "$"))
    page.goto(reverse("dashboard"))
    expect(page).to_have_url(re.compile(re.escape(reverse("login")) + r"\?next="))


def test_messages_can_be_dismissed(logged_in_page, settings):
    settings.ROOT_URLCONF = "tests.ui.sample_urls"
    page = logged_in_page

    page.goto("/messages/")
    alerts = page.locator("#messages .alert")
    expect(alerts).to_have_count(2)
    alerts.first.locator("[data-dismiss]").click()

    expect(alerts).to_have_count(1)
    expect(alerts.first).to_contain_text("refused")


def test_htmx_requests_carry_the_csrf_token(logged_in_page):
    page = logged_in_page
    assert page.evaluate("typeof window.htmx") == "object"
    logout_url = reverse("logout")

    page.evaluate(
        """(url) => {
            const button = document.createElement("button");
            button.id = "htmx-probe";
            button.setAttribute("hx-post", url);
            button.setAttribute("hx-swap", "none");
            document.body.appendChild(button);
            htmx.process(button);
        }""",
        logout_url,
    )
    with page.expect_request(lambda r: r.url.endswith(logout_url)) as probe:
        page.locator("#htmx-probe").click()
    request = probe.value

    assert request.headers.get("x-csrftoken")
    response = request.response()
    assert response is not None and response.status != 403


@pytest.fixture
def auth_disabled(admin_user):
    from comradarr.accounts import runtime
    from comradarr.models import AppSettings

    row = AppSettings.load()
    row.auth_mode = AppSettings.AuthMode.DISABLED
    row.save()
    runtime.apply(row)
    yield
    runtime.invalidate()


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_auth_disabled_banner_on_every_page(make_page, auth_disabled, screenshot, viewport):
    page = make_page(**({"viewport": viewport} if viewport else {}))

    page.goto(reverse("dashboard"))

    banner = page.locator("#auth-warning")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Authentication is disabled.")
    assert banner.bounding_box()["y"] == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    screenshot(page, f"auth-disabled-{'phone' if viewport else 'desktop'}")
