"""Secrets in HTML: no page, fragment or admin screen carries a connector's API key.

The peer rendered every *arr API key into its settings page. Here every route of
the URLconf (tests/security/urlwalk.py) is rendered signed in, with every real id
of a populated install, and every admin changelist, add and change form too.
"""

from __future__ import annotations

import contextlib

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from tests.security.conftest import API_KEY, WEBHOOK_SECRET, candidate_paths
from tests.security.urlwalk import concrete_routes

pytestmark = pytest.mark.django_db

# Pages whose purpose is to hand the webhook URL (which contains its secret) to
# the user, to paste into the *arr app: the connector page and its sync fragment
# (which the first-run wizard's last step shows too, refreshed with its progress).
SHOWS_WEBHOOK_URL = {"connectors:detail", "content:sync_status", "setup:sync_progress"}
SKIPPED = {"logout", "admin:logout", "health"}  # signs out / JSON probe (tested elsewhere)


def _secrets_in(body: bytes, *, webhook_allowed: bool) -> list[str]:
    found = []
    if API_KEY.encode() in body or API_KEY[-12:].encode() in body:
        found.append("api key")
    if not webhook_allowed and WEBHOOK_SECRET.encode() in body:
        found.append("webhook secret")
    return found


def test_no_page_or_fragment_shows_a_secret(signed_in, install):
    """Class: secrets in HTML (API keys rendered into pages)."""
    rendered, leaks = 0, []
    for route in concrete_routes():
        if route.name.startswith("admin:") or route.name in SKIPPED:
            continue
        if route.name in ("content_webhook", "content_webhook_basic"):
            continue
        for path in candidate_paths(route, install):
            for headers in ({}, {"HX-Request": "true"}):
                response = signed_in.get(path, headers=headers)
                assert response.status_code != 500, path
                if response.status_code == 200:
                    rendered += 1
                found = _secrets_in(
                    response.content, webhook_allowed=route.name in SHOWS_WEBHOOK_URL
                )
                if found:
                    leaks.append((path, found))
    assert not leaks
    assert rendered > 40  # the walk really rendered the pages, not only 404s


def test_the_masked_key_is_all_the_connector_page_shows(signed_in, install):
    """Class: secrets in HTML: the key is masked to its last 4 characters."""
    body = signed_in.get(reverse("connectors:detail", args=[install["connector"].pk])).content
    edit = signed_in.get(reverse("connectors:edit", args=[install["connector"].pk])).content
    for html in (body, edit):
        assert API_KEY.encode() not in html
    assert API_KEY[-4:].encode() in body


def test_no_admin_screen_shows_a_secret(signed_in, install):
    """Class: secrets in HTML: every admin changelist, add form and change form."""
    screens = 0
    for model in admin.site._registry:
        opts = model._meta
        urls = []
        for view in ("changelist", "add"):
            with contextlib.suppress(NoReverseMatch):
                urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}"))
        for obj in model._default_manager.all()[:3]:
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk]))
        for url in urls:
            response = signed_in.get(url, follow=True)
            assert response.status_code in (200, 403), (url, response.status_code)
            screens += response.status_code == 200
            assert not _secrets_in(response.content, webhook_allowed=False), url
    assert screens > 30
