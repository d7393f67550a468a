"""Settings > Backups in Chromium: create a backup, follow it live (htmx polling), see it listed,
under the strict Content-Security-Policy."""

from __future__ import annotations

import threading

import pytest
from django.urls import reverse
from django.utils.module_loading import import_string
from playwright.sync_api import Page, expect

from tests.browser.test_csp import watch

pytestmark = pytest.mark.browser


@pytest.fixture
def worker(monkeypatch, tmp_path, settings):
    """A stand-in for the task cluster: each enqueued task runs in a thread, a little later."""
    settings.BACKUP_DIR = tmp_path / "backups"
    threads = []

    def enqueue(func, *args, **kwargs):
        def work():
            from django.db import connection

            try:
                import_string(func)(*args)
            finally:
                connection.close()

        thread = threading.Timer(1.0, work)
        threads.append(thread)
        thread.start()

    monkeypatch.setattr("backups.views.async_task", enqueue)
    yield
    for thread in threads:
        thread.join(60)


def test_create_a_backup_and_see_it_listed(make_page, login, worker, screenshot):
    page: Page = make_page()
    seen = watch(page)
    login(page)
    page.goto(reverse("backups:index"))
    expect(page.locator(".tabs .is-active")).to_have_text("Backups")
    expect(page.get_by_text("No backup yet")).to_be_visible()

    page.get_by_role("button", name="Create backup").click()
    status = page.locator("#backup-run")
    expect(status).to_contain_text("Running")  # the htmx partial, polling
    expect(status).to_contain_text("Done", timeout=30_000)
    expect(status).to_contain_text("comradarr-backup-")
    row = page.locator("#backups-table tbody tr").first
    expect(row).to_contain_text("comradarr-backup-")  # joined the list without a reload
    expect(row).to_contain_text("0.1.0")
    expect(row.get_by_role("link", name="Download")).to_be_visible()
    screenshot(page, "settings-backups")

    page.reload()
    expect(page.locator("#backups-table tbody tr")).to_have_count(1)
    assert not page.evaluate("window.__csp") and not seen
