"""Settings > API keys: create (shown once), list with last use, revoke; sign-in required."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from api import keys
from api.models import ApiKey
from tests.api.conftest import api

pytestmark = pytest.mark.django_db

INDEX = "apikeys:index"


def _shown_key(response) -> str:
    match = re.search(rb'id="new-key-value">(cmr_[A-Za-z0-9_-]+)<', response.content)
    assert match, response.content
    return match.group(1).decode()


def test_create_shows_the_key_once_and_it_works(signed_in):
    response = signed_in.post(reverse(INDEX), {"name": "Homepage", "scope": "read"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    raw = _shown_key(response)
    key = ApiKey.objects.get()
    assert key.name == "Homepage" and key.scope == "read" and key.expires_at is None
    assert api(raw).get(reverse("api:status")).status_code == 200
    again = signed_in.get(reverse(INDEX))
    assert raw.encode() not in again.content and b'id="new-key"' not in again.content
    assert key.prefix.encode() in again.content


def test_create_with_expiry_and_full_scope(signed_in):
    signed_in.post(reverse(INDEX), {"name": "Script", "scope": "full", "expires_days": "7"})
    key = ApiKey.objects.get()
    assert key.scope == "full" and key.expires_at is not None


@pytest.mark.parametrize(
    "data, field",
    [
        ({"name": "", "scope": "read"}, "name"),
        ({"name": "   ", "scope": "read"}, "name"),
        ({"name": "x" * 101, "scope": "read"}, "name"),
        ({"name": "a", "scope": "admin"}, "scope"),
        ({"name": "a", "scope": "read", "expires_days": "0"}, "expires_days"),
        ({"name": "a", "scope": "read", "expires_days": "forever"}, "expires_days"),
    ],
)
def test_bad_input_shows_field_errors_and_creates_nothing(signed_in, data, field):
    response = signed_in.post(reverse(INDEX), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert b'class="field-error"' in response.content
    assert not ApiKey.objects.exists()


def test_the_list_shows_last_use_and_revoke_works(signed_in, read_key):
    api(read_key.raw).get(reverse("api:status"), REMOTE_ADDR="192.0.2.9")
    page = signed_in.get(reverse(INDEX))
    assert b"Homepage" in page.content and b"192.0.2.9" in page.content
    assert read_key.raw.encode() not in page.content
    assert read_key.key.key_hash.encode() not in page.content
    response = signed_in.post(reverse("apikeys:revoke", args=[read_key.key.pk]))
    assert response.status_code == 302
    assert ApiKey.objects.get().is_revoked
    assert api(read_key.raw).get(reverse("api:status")).status_code == 401
    assert b"Revoked" in signed_in.get(reverse(INDEX)).content
    assert signed_in.get(reverse("apikeys:revoke", args=[read_key.key.pk])).status_code == 405
    assert signed_in.post(reverse("apikeys:revoke", args=[999999])).status_code == 404


def test_the_page_keeps_the_strict_csp_no_inline_script(signed_in):
    response = signed_in.post(reverse(INDEX), {"name": "Homepage", "scope": "read"})
    html = response.content.decode()
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert " on" + "click=" not in html
    assert "js/apikeys.js" in html and "data-copy-target" in html
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_the_settings_tabs_link_the_page(signed_in):
    assert reverse(INDEX).encode() in signed_in.get(reverse("settings")).content


def test_anonymous_is_sent_to_sign_in(client, read_key):
    assert client.get(reverse(INDEX)).status_code == 302
    assert client.post(reverse("apikeys:revoke", args=[read_key.key.pk])).status_code == 302
    assert not keys.check_key(read_key.raw).is_revoked
