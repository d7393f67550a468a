"""Browser-test fixtures: Playwright (sync API) driving Debian's Chromium.

Every test in tests/browser/ is marked `browser`. Fixtures, for your tests:

  browser          session-scoped Chromium (headless, /usr/bin/chromium or $COMRADARR_CHROMIUM).
                   Missing Chromium skips the tests, except under CI=true where it fails them.
  make_page        factory: make_page(**context_options) -> a Page in a fresh browser context
                   (own cookies and localStorage). Options are Playwright's new_context() ones,
                   e.g. viewport={"width": 375, "height": 740}, color_scheme="dark".
                   Its base_url is the live server, so page.goto(reverse("dashboard")) works.
  page             make_page() with the desktop defaults (1280x800, light colour scheme).
  admin_user       the single superuser; its password is admin_user.raw_password
                   (ADMIN_USERNAME / ADMIN_PASSWORD below).
  login            login(page, user=admin_user) -> fills in the real login form and waits until
                   the browser has left the login page.
  logged_in_page   `page`, already logged in as admin_user, showing the dashboard.
  screenshot       screenshot(page, name, full_page=True) -> Path: a PNG in
                   artifacts/screenshots/<name>.png (gitignored). A failing test also leaves
                   artifacts/screenshots/failed-<test name>.png of each page it opened.

Pages record uncaught JavaScript errors; a test whose page threw one fails at teardown,
so a broken script anywhere in the UI cannot go unnoticed. Tests get a transactional database
(pytest-django's live_server needs it): rows you create are committed and visible to the server.

Example:

    def test_connectors_list(logged_in_page, screenshot):
        page = logged_in_page
        page.goto(reverse("connectors:list"))
        expect(page.get_by_role("heading", name="Connectors")).to_be_visible()
        screenshot(page, "connectors-list")
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import Browser, Error, Page, sync_playwright

# Playwright's sync API runs an asyncio event loop in the test thread, so
# Django sees a "running event loop" and refuses synchronous ORM calls from
# fixtures and tests (SynchronousOnlyOperation). Nothing here is actually
# async: the loop belongs to Playwright, and the ORM calls are ordinary
# blocking ones, so the guard is safe to turn off for browser tests.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path(os.environ.get("COMRADARR_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}
ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "browser-test-Pa55word!"
# Generous for a loaded CI machine, short enough that a hang fails quickly.
TIMEOUT_MS = 10_000

SCREENSHOTS = Path(settings.BASE_DIR) / "artifacts" / "screenshots"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call):
    # Keep each phase's report on the item, so fixtures can tell a failed test at teardown.
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


def _safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")[:120]


@pytest.fixture
def make_page(browser: Browser, live_server, request) -> Iterator[Callable[..., Page]]:
    contexts = []
    pages: list[Page] = []
    js_errors: list[str] = []

    def make(*, theme: str | None = None, **context_options) -> Page:
        """``theme``: "light" or "dark" as if the user had chosen it with the toggle."""
        options = {"viewport": DESKTOP, "color_scheme": "light", "base_url": live_server.url}
        options.update(context_options)
        context = browser.new_context(**options)
        if theme is not None:
            assert theme in ("light", "dark")
            context.add_init_script(f"localStorage.setItem('comradarr-theme', '{theme}')")
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        new_page = context.new_page()
        new_page.on("pageerror", lambda error: js_errors.append(str(error)))
        pages.append(new_page)
        return new_page

    yield make

    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for index, failed_page in enumerate(pages):
            suffix = f"-{index}" if index else ""
            path = SCREENSHOTS / f"failed-{_safe_name(request.node.name)}{suffix}.png"
            # A page the test closed cannot be captured; the failure is reported anyway.
            with contextlib.suppress(Error):
                failed_page.screenshot(path=str(path), full_page=True)
    for context in contexts:
        context.close()
    if js_errors:
        pytest.fail("JavaScript errors on the page:\n" + "\n".join(js_errors))


@pytest.fixture
def page(make_page) -> Page:
    return make_page()


@pytest.fixture
def admin_user(transactional_db):
    """The single Comradarr user (a superuser), with a known password."""
    user = get_user_model().objects.create_superuser(
        username=ADMIN_USERNAME, email="", password=ADMIN_PASSWORD
    )
    user.raw_password = ADMIN_PASSWORD
    return user


@pytest.fixture
def login(admin_user) -> Callable[..., None]:
    def log_in(page: Page, user=None) -> None:
        user = user or admin_user
        page.goto(reverse("login"))
        form = page.locator("form").filter(has=page.locator('input[name="password"]'))
        form.locator('input[name="username"]').fill(user.get_username())
        form.locator('input[name="password"]').fill(user.raw_password)
        login_path = reverse("login")
        with page.expect_navigation():
            form.locator('[type="submit"]').click()
        if page.url.split("?")[0].endswith(login_path):
            raise AssertionError(f"login as {user.get_username()!r} failed: still on {page.url}")

    return log_in


@pytest.fixture
def logged_in_page(page: Page, login) -> Page:
    login(page)
    return page


@pytest.fixture
def screenshot() -> Callable[[Page, str], Path]:
    def take(page: Page, name: str, *, full_page: bool = True) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{_safe_name(name)}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take
