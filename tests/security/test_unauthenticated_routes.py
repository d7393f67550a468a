"""Unauthenticated routes: every URL needs sign-in, except an explicit allow-list.

The peer's settings endpoint answered without a session with every *arr API key.
Here the walk resolves EVERY pattern of the URLconf (tests/security/urlwalk.py),
so a route added later is covered without editing this file.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.security.urlwalk import concrete_routes

pytestmark = pytest.mark.django_db

# Open on purpose, each for a reason:
ALLOWED_OPEN = {
    "health",  # load balancers and Docker's HEALTHCHECK; says only ok/degraded/down
    "content_webhook",  # the *arr apps call it; authenticated by its own secret
    "content_webhook_basic",  # the same, secret in Basic auth
    "login",  # where everyone signs in
    "admin:login",  # only redirects to ours
}

ROUTES = concrete_routes()


def _refused(response, login_url: str) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    if response.status_code == 302:
        return response["Location"].startswith(login_url)
    # htmx: a full-page redirect to the login page.
    return response.status_code == 204 and response.get("HX-Redirect", "").startswith(login_url)


@pytest.mark.parametrize("route", [r for r in ROUTES if r.name not in ALLOWED_OPEN], ids=str)
def test_every_route_refuses_an_anonymous_client(route, admin_user, connector):
    """Class: unauthenticated routes (settings and API keys served without sign-in)."""
    client = Client()
    login_url = reverse("login")
    attempts = {
        "GET": client.get(route.path),
        "POST": client.post(route.path, {"api_key": "x", "auth_mode": "disabled"}),
        "htmx GET": client.get(route.path, headers={"HX-Request": "true"}),
        "htmx POST": client.post(route.path, {}, headers={"HX-Request": "true"}),
    }
    for label, response in attempts.items():
        assert _refused(response, login_url), (route.path, label, response.status_code)
        assert connector.api_key.encode() not in response.content


def test_the_allow_list_is_exactly_the_open_routes():
    """Class: unauthenticated routes: every name on the allow-list exists, nothing else is open."""
    names = {route.name for route in ROUTES}
    assert names >= ALLOWED_OPEN


def test_static_files_are_open_and_hold_no_secret(client, connector):
    """Class: unauthenticated routes: static files are open, and they are only files."""
    from django.conf import settings

    response = client.get(settings.STATIC_URL + "css/app.css")
    assert response.status_code == 200
    assert connector.api_key.encode() not in b"".join(response.streaming_content)


def test_open_routes_leak_nothing(client, connector):
    """Class: unauthenticated routes: what the open routes answer holds no secret or detail."""
    health = client.get(reverse("health"))
    assert set(health.json()) == {"status"}
    for path in (reverse("login"), reverse("admin:login")):
        response = client.get(path)
        assert connector.api_key.encode() not in response.content
    webhook = client.post(
        reverse("content_webhook", args=[connector.pk, "wrong-secret"]),
        "{}",
        content_type="application/json",
    )
    assert webhook.status_code in (401, 403, 404)
