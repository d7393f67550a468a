"""/api/v1/docs/ in Chromium under the strict Content-Security-Policy: paste a key,
the operations appear from the OpenAPI document, "Try it" calls the API."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from api import keys
from api.models import ApiKey
from tests.browser.test_csp import watch

pytestmark = pytest.mark.browser


def test_docs_list_every_operation_and_try_a_read(make_page, login):
    raw = keys.create_key(name="Docs", scope=ApiKey.Scope.READ).raw
    page: Page = make_page()
    seen = watch(page)
    login(page)
    response = page.goto(reverse("api:docs"))
    assert response is not None and response.status == 200
    assert "Content-Security-Policy" in {k.title(): v for k, v in response.headers.items()}
    assert raw not in page.url

    page.get_by_label("API key").fill(raw)
    page.get_by_role("button", name="Load").click()
    expect(page.locator("#apidocs-status")).to_contain_text("operations")
    expect(page.locator(".op", has_text="/api/v1/connectors/{id}/sweep")).to_be_visible()
    sweep = page.locator(".op", has_text="/api/v1/connectors/{id}/sweep")
    expect(sweep).to_contain_text("dry_run")

    status = page.locator(".op").filter(has=page.locator("code", has_text="/api/v1/status"))
    status.get_by_role("button", name="Try it").click()
    expect(status.locator("pre")).to_contain_text('"version"')
    assert not page.evaluate("window.__csp") and not seen


def test_a_wrong_key_says_so(make_page, login):
    page: Page = make_page()
    seen = watch(page)
    login(page)
    page.goto(reverse("api:docs"))
    page.get_by_label("API key").fill("cmr_not-a-key")
    page.get_by_role("button", name="Load").click()
    expect(page.locator("#apidocs-status")).to_contain_text("Could not load")
    assert not page.evaluate("window.__csp") and not seen
