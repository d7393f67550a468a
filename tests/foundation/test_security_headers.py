"""Security headers on every kind of response; HSTS only in production over HTTPS."""

from __future__ import annotations

import subprocess

import pytest
from django.urls import reverse

from tests.foundation.conftest import REPO, clean_env, manage_py

EXPECTED = {
    "X-Frame-Options": "SAMEORIGIN",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
HSTS = "Strict-Transport-Security"


def _assert_headers(response) -> None:
    for name, value in EXPECTED.items():
        assert response.get(name) == value, (name, response.status_code)
    _assert_strict_csp(response.get("Content-Security-Policy", ""))


def _assert_strict_csp(policy: str) -> None:
    """Issue 9, point 9: no inline script, no eval, styles from our origin (plus admin's hash)."""
    directives = dict(
        (part.split()[0], part.split()[1:]) for part in policy.split(";") if part.strip()
    )
    assert directives["script-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'self'"]
    styles = directives["style-src"]
    assert styles[0] == "'self'"
    assert all(source.startswith("'sha256-") for source in styles[1:])
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_no_template_has_inline_script_style_or_handler():
    """Everything the CSP would block: <script> without src, <style>, style="", on*=""."""
    import re

    patterns = {
        "inline script": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
        "style block": re.compile(r"<style\b", re.I),
        "style attribute": re.compile(r"\sstyle\s*=", re.I),
        "event handler": re.compile(r"\son[a-z]+\s*=", re.I),
        "javascript: URL": re.compile(r"javascript:", re.I),
    }
    found = []
    for template in sorted((REPO / "templates").rglob("*.html")):
        text = re.sub(
            r"{#.*?#}|{% comment %}.*?{% endcomment %}", "", template.read_text(), flags=re.S
        )
        for what, pattern in patterns.items():
            if pattern.search(text):
                found.append(f"{template.relative_to(REPO)}: {what}")
    assert not found, found


def test_admin_inline_style_hash_matches_djangos_template():
    """The one inline block allowed (admin change list without actions) is allowed by hash."""
    from comradarr import csp

    assert len(csp.admin_style_hashes()) == 1
    assert csp.admin_style_hashes()[0] in csp.policy()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/login/",  # a page
        "/",  # a redirect to the login page
        "/health",  # JSON
        "/no-such-page/",  # 404
        "/admin/",  # the Django admin (a redirect to our login)
        "/static/css/app.css",  # a static file (whitenoise answers before the views)
        "/static/vendor/htmx.min.js",
    ],
)
def test_every_response_carries_the_headers(client, path):
    _assert_headers(client.get(path))


@pytest.mark.django_db
def test_signed_in_pages_and_admin_carry_the_headers(admin_client):
    for path in (reverse("dashboard"), "/admin/", reverse("settings")):
        response = admin_client.get(path)
        assert response.status_code == 200, path
        _assert_headers(response)


@pytest.mark.django_db
def test_csrf_failure_carries_the_headers():
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(reverse("login"), {"username": "x"})
    assert response.status_code == 403
    _assert_headers(response)


@pytest.mark.django_db
def test_hsts_in_production_over_https(client, settings):
    settings.DEBUG = False
    response = client.get(reverse("login"), secure=True)
    assert response[HSTS].startswith("max-age=31536000")


@pytest.mark.django_db
def test_no_hsts_over_plain_http(client, settings):
    """HSTS on plain HTTP is ignored by browsers and would lie about the setup."""
    settings.DEBUG = False
    assert HSTS not in client.get(reverse("login"))
    assert HSTS not in client.get("/health")


@pytest.mark.django_db
def test_no_hsts_in_debug_even_over_https(client, settings):
    settings.DEBUG = True
    response = client.get(reverse("login"), secure=True)
    assert HSTS not in response
    _assert_headers(response)


@pytest.mark.parametrize(("debug", "seconds"), [("false", "31536000"), ("true", "0")])
def test_production_settings_enable_hsts_only_outside_debug(tmp_path, debug, seconds):
    """The real settings module (not the test one): one year, or off with DEBUG."""
    code = "from django.conf import settings; print(settings.SECURE_HSTS_SECONDS)"
    result = subprocess.run(
        [*manage_py(), "shell", "--no-imports", "-c", code],
        env=clean_env(COMRADARR_DATA_DIR=str(tmp_path), DEBUG=debug),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == seconds


PROXY = "10.0.0.2"


@pytest.fixture
def behind_proxy(settings):
    settings.DEBUG = False
    settings.TRUSTED_PROXIES = [PROXY]


@pytest.mark.django_db
def test_trusted_proxy_https_gets_hsts(client, behind_proxy):
    response = client.get(
        reverse("login"), REMOTE_ADDR=PROXY, headers={"X-Forwarded-Proto": "https"}
    )
    assert response[HSTS].startswith("max-age=")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("peer", "proto"),
    [
        ("203.0.113.9", "https"),  # anyone can send the header
        ("127.0.0.1", "https"),  # loopback is not trusted unless listed
        (PROXY, "ftp"),  # junk from the proxy
        (PROXY, "https, http"),  # the proxy's own (last) entry says http
    ],
)
def test_forwarded_proto_is_not_believed_otherwise(client, behind_proxy, peer, proto):
    response = client.get(reverse("login"), REMOTE_ADDR=peer, headers={"X-Forwarded-Proto": proto})
    assert HSTS not in response


def _login_post(peer: str, proto: str | None, origin: str):
    """A browser's sign-in POST (CSRF enforced) as it reaches the app."""
    from django.test import Client

    browser = Client(enforce_csrf_checks=True, REMOTE_ADDR=peer, HTTP_HOST="testserver")
    headers = {"X-Forwarded-Proto": proto} if proto else {}
    page = browser.get(reverse("login"), headers=headers)
    token = page.cookies["csrftoken"].value
    return browser.post(
        reverse("login"),
        {"username": "admin", "password": "wrong-password", "csrfmiddlewaretoken": token},
        headers={**headers, "Origin": origin},
    )


@pytest.mark.django_db
def test_sign_in_through_an_https_proxy_passes_the_csrf_check(behind_proxy):
    # A wrong password answers 200 with the form: the CSRF check let it through.
    assert _login_post(PROXY, "https", "https://testserver").status_code == 200
    # Without the proxy's word the https Origin does not match the http request.
    assert _login_post("203.0.113.9", "https", "https://testserver").status_code == 403
