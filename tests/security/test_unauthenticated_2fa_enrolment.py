"""Unauthenticated 2FA enrolment: no enrolment or second-factor setup route without sign-in.

The peer served its TOTP enrolment page without a session, so anyone could bind
their own authenticator to the admin. Comradarr has no second factor yet; when
one comes, its routes fall under the URL walk of test_unauthenticated_routes.py
automatically, and this module asserts by name that any such route refuses an
anonymous client in every auth mode that requires sign-in, and is never on the
open allow-list.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from comradarr.accounts.middleware import is_open_path
from tests.security.test_unauthenticated_routes import ALLOWED_OPEN, _refused
from tests.security.urlwalk import concrete_routes

pytestmark = pytest.mark.django_db

ENROLMENT = re.compile(r"2fa|two.?factor|totp|otp|mfa|webauthn|passkey|enrol|enroll|recovery")


def enrolment_routes():
    return [r for r in concrete_routes() if ENROLMENT.search(f"{r.name} {r.path}".lower())]


def test_no_enrolment_route_is_open():
    """Class: unauthenticated 2FA enrolment: never on the allow-list nor an open path."""
    for route in enrolment_routes():
        assert route.name not in ALLOWED_OPEN, route
        assert not is_open_path(route.path), route


@pytest.mark.parametrize("mode", ["full", "local_bypass"])
def test_enrolment_routes_refuse_anonymous_clients(admin_user, mode):
    """Class: unauthenticated 2FA enrolment: GET/POST/htmx from outside, refused."""
    from comradarr.accounts import services

    services.app_settings_update(auth_mode=mode, log_level="warning")
    client = Client()
    for route in enrolment_routes():
        for response in (
            client.get(route.path, REMOTE_ADDR="203.0.113.9"),
            client.post(route.path, {"code": "123456"}, REMOTE_ADDR="203.0.113.9"),
            client.post(route.path, {}, REMOTE_ADDR="203.0.113.9", headers={"HX-Request": "true"}),
        ):
            assert _refused(response, reverse("login")), (route.path, response.status_code)


def test_the_name_check_would_see_such_a_route():
    """Class: unauthenticated 2FA enrolment: the pattern matches the usual names."""
    for name in ("accounts:2fa_setup", "totp-enrol", "mfa/enroll/", "two_factor:setup"):
        assert ENROLMENT.search(name)
    assert not ENROLMENT.search("queueing:profile_add")
