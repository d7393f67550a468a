"""Setup page re-opening: once an admin exists, nothing re-creates it or resets its password.

The peer's first-run setup page stayed reachable and let anyone create a new
admin over an existing install. Comradarr has no setup page: the account comes
from `ensure_admin` (run by `serve`), which never touches an existing password
unless `--reset-password` is given on the server's command line.
"""

from __future__ import annotations

import io
import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from comradarr.models import AppSettings
from tests.security.conftest import PASSWORD
from tests.security.urlwalk import concrete_routes

pytestmark = pytest.mark.django_db
SETUP_WORDS = re.compile(r"setup|install|onboard|first.?run|wizard|register|signup|initiali[sz]e")


def test_ensure_admin_never_resets_an_existing_password(admin_user, settings):
    """Class: setup page re-opening: a later start with another ADMIN_PASS changes nothing."""
    settings.ADMIN_PASS = "a-different-Passw0rd-from-env"
    for _ in range(2):
        call_command("ensure_admin", stdout=io.StringIO())
    admin_user.refresh_from_db()
    assert admin_user.check_password(PASSWORD)
    assert get_user_model().objects.count() == 1


def test_ensure_admin_in_disabled_mode_keeps_the_password(admin_user, settings):
    """Class: setup page re-opening: disabled sign-in does not make the account resettable."""
    AppSettings.load()
    AppSettings.objects.filter(pk=1).update(auth_mode="disabled")
    settings.ADMIN_PASS = ""
    call_command("ensure_admin", stdout=io.StringIO())
    admin_user.refresh_from_db()
    assert admin_user.check_password(PASSWORD)


def test_no_route_is_a_setup_page():
    """Class: setup page re-opening: no URL name or path looks like a setup/registration page,
    except the first-run wizard, which is a signed-in page about connectors (below)."""
    suspicious = [
        r.path
        for r in concrete_routes()
        if SETUP_WORDS.search(f"{r.name} {r.path}".lower()) and not r.name.startswith("setup:")
    ]
    # The throttle-profile and schedule "add" pages are not setup pages; nothing else may match.
    assert suspicious == []


@pytest.mark.django_db
def test_the_first_run_wizard_is_closed_to_anonymous_visitors(admin_user):
    """Class: setup page re-opening: the wizard (connector, pace, schedules, first sync) only
    opens after sign-in, for GET and POST alike, and never offers an account form."""
    from django.test import Client

    anonymous = Client()
    wizard = [r for r in concrete_routes() if r.name.startswith("setup:")]
    assert len(wizard) >= 4
    for route in wizard:
        for method in (anonymous.get, anonymous.post):
            response = method(route.path, {"username": "x", "password": "y", "password1": "y"})
            assert response.status_code == 302, route.path
            assert response["Location"].startswith(reverse("login")), route.path
    assert get_user_model().objects.count() == 1
    assert admin_user.check_password(PASSWORD)


@pytest.mark.parametrize("mode", ["full", "local_bypass", "disabled"])
def test_no_route_creates_or_resets_the_admin(admin_user, mode):
    """Class: setup page re-opening: POSTing account-shaped data to every route, in every auth
    mode, leaves exactly one account with its password."""
    AppSettings.load()
    AppSettings.objects.filter(pk=1).update(auth_mode=mode)
    from comradarr.accounts import runtime

    runtime.invalidate()
    client = Client()
    hostile = {
        "username": settings.ADMIN_USER,
        "password": "pwned-Passw0rd-123",
        "password1": "pwned-Passw0rd-123",
        "password2": "pwned-Passw0rd-123",
        "new_password1": "pwned-Passw0rd-123",
        "new_password2": "pwned-Passw0rd-123",
        "is_superuser": "on",
        "usable_password": "true",
    }
    for route in concrete_routes():
        if route.name in ("logout", "admin:logout"):
            continue
        response = client.post(route.path, hostile, REMOTE_ADDR="192.168.1.50")
        assert response.status_code != 500, route.path
    users = list(get_user_model().objects.all())
    assert [u.username for u in users] == [settings.ADMIN_USER]
    users[0].refresh_from_db()
    assert users[0].check_password(PASSWORD)
