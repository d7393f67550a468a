"""Session and CSRF cookies: Secure on HTTPS, HttpOnly, SameSite=Lax (issue 9, point 4).

Class: session theft over plain HTTP (cookies sent back without TLS after an HTTPS sign-in).
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.security.conftest import PASSWORD

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"


def sign_in(client: Client, **extra):
    client.get(reverse("login"), **extra)
    return client.post(
        reverse("login"), {"username": settings.ADMIN_USER, "password": PASSWORD}, **extra
    )


def cookie_flags(response) -> dict[str, dict]:
    names = (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME)
    return {name: response.cookies[name] for name in names if name in response.cookies}


def assert_flags(cookies: dict, *, secure: bool) -> None:
    assert set(cookies) == {settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME}
    for name, morsel in cookies.items():
        assert bool(morsel["secure"]) is secure, name
        assert morsel["httponly"], name
        assert morsel["samesite"] == "Lax", name


def test_direct_https_sign_in_sets_secure_cookies(admin_user):
    """Class: session theft over plain HTTP: HTTPS sign-in, Secure cookies."""
    response = sign_in(Client(), secure=True)
    assert response.status_code == 302
    assert_flags(cookie_flags(response), secure=True)


def test_https_reported_by_a_trusted_proxy_sets_secure_cookies(admin_user, settings):
    """Class: session theft over plain HTTP: TLS ended at a trusted proxy."""
    settings.TRUSTED_PROXIES = [PROXY]
    headers = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_PROTO": "https"}
    client = Client()
    response = sign_in(client, **headers)
    assert response.status_code == 302, response.content[:300]
    assert_flags(cookie_flags(response), secure=True)


def test_forwarded_proto_from_an_untrusted_peer_changes_nothing(admin_user, settings):
    """Class: auth bypass via trusted headers: X-Forwarded-Proto only from TRUSTED_PROXIES."""
    settings.TRUSTED_PROXIES = [PROXY]
    response = sign_in(Client(), REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 302
    assert_flags(cookie_flags(response), secure=False)


def test_plain_http_keeps_httponly_and_lax(admin_user):
    """Class: session theft: HttpOnly and SameSite=Lax on plain HTTP too."""
    response = sign_in(Client())
    assert_flags(cookie_flags(response), secure=False)


def test_secure_cookies_setting_forces_the_flag(admin_user, settings):
    """Class: session theft over plain HTTP: SECURE_COOKIES forces Secure."""
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    response = sign_in(Client())
    assert_flags(cookie_flags(response), secure=True)


def test_secure_cookies_is_read_from_the_environment():
    """Class: session theft over plain HTTP: the setting comes from SECURE_COOKIES."""
    import os
    import subprocess
    import sys

    code = (
        "from django.conf import settings; "
        "print(settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE)"
    )
    env = {**os.environ, "SECURE_COOKIES": "true", "DJANGO_SETTINGS_MODULE": "tests.settings"}
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert out.stdout.split() == ["True", "True"]
