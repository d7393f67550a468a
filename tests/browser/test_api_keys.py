"""Settings > API keys in Chromium: create a key, copy it with the button, use it, revoke it,
all under the strict Content-Security-Policy."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.browser.test_csp import watch

pytestmark = pytest.mark.browser


def test_create_copy_use_and_revoke_a_key(make_page, login, context_permissions):
    page: Page = make_page(permissions=context_permissions)
    seen = watch(page)
    login(page)
    page.goto(reverse("apikeys:index"))
    page.get_by_label("Name").fill("Homepage")
    page.get_by_role("button", name="Create key").click()
    shown = page.locator("#new-key-value")
    expect(shown).to_contain_text("cmr_")
    raw = shown.inner_text().strip()

    page.get_by_role("button", name="Copy").click()
    expect(page.locator("#copy-key")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == raw

    status = page.request.get(reverse("api:status"), headers={"X-Api-Key": raw})
    assert status.status == 200

    page.goto(reverse("apikeys:index"))
    expect(page.locator("#new-key-value")).to_have_count(0)
    row = page.locator("#api-keys tbody tr").first
    expect(row).to_contain_text("Homepage")
    row.get_by_role("button", name="Revoke Homepage").click()
    expect(page.locator("#api-keys tbody tr").first).to_contain_text("Revoked")
    refused = page.request.get(reverse("api:status"), headers={"X-Api-Key": raw})
    assert refused.status == 401
    assert not page.evaluate("window.__csp") and not seen


@pytest.fixture
def context_permissions() -> list[str]:
    return ["clipboard-read", "clipboard-write"]
