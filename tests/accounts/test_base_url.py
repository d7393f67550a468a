"""Sign-in, redirects and open paths under a reverse-proxy sub-path (BASE_URL)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def sub_path(settings):
    settings.BASE_URL = "/comradarr/"
    settings.STATIC_URL = "/comradarr/static/"
    settings.SESSION_COOKIE_PATH = settings.CSRF_COOKIE_PATH = "/comradarr/"
    settings.ROOT_URLCONF = "tests.accounts.subpath_urls"


def test_urls_carry_the_prefix():
    assert reverse("login") == "/comradarr/login/"
    assert reverse("settings") == "/comradarr/settings/"


def test_protected_page_redirects_to_prefixed_login(client, admin_user):
    response = client.get("/comradarr/settings/")
    assert response["Location"] == "/comradarr/login/?next=/comradarr/settings/"


def test_sign_in_and_out_stay_under_the_prefix(client, admin_user):
    page = client.get("/comradarr/login/")
    assert 'action="/comradarr/login/"' in page.content.decode()
    response = client.post(
        "/comradarr/login/",
        {"username": "admin", "password": PASSWORD, "next": "/comradarr/settings/"},
    )
    assert response["Location"] == "/comradarr/settings/"
    assert response.cookies["sessionid"]["path"] == "/comradarr/"
    assert client.get("/comradarr/settings/").status_code == 200
    assert client.post("/comradarr/logout/")["Location"] == "/comradarr/login/"


def test_default_redirect_is_the_prefixed_dashboard(client, admin_user):
    response = client.post("/comradarr/login/", {"username": "admin", "password": PASSWORD})
    # The first-run wizard's landing decides: the dashboard, or the wizard without a connector.
    assert response["Location"] == "/comradarr/setup/start/"
    assert client.get(response["Location"])["Location"] == "/comradarr/setup/1/"


def test_open_paths_under_the_prefix(client):
    assert client.get("/comradarr/login/").status_code == 200
    assert client.get("/comradarr/health").status_code in (200, 503)
    admin_login = client.get("/comradarr/admin/login/", {"next": "/comradarr/admin/"})
    assert admin_login["Location"] == "/comradarr/login/?next=/comradarr/admin/"


def test_unprefixed_paths_are_not_open(client):
    from comradarr.accounts.middleware import is_open_path

    assert not is_open_path("/health")
    assert is_open_path("/comradarr/health")
    assert is_open_path("/comradarr/static/css/app.css")
    assert is_open_path("/comradarr/webhooks/sonarr/1")
