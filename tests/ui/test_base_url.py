"""Every link, redirect, form target and static path works under BASE_URL.

The real comradarr/urls.py is executed again as a fresh module while the
settings say BASE_URL=/comradarr/, and made the ROOT_URLCONF for the test; the
`settings` fixture puts everything back (and clears the URL caches) afterwards.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from html.parser import HTMLParser

import pytest
from django.urls import reverse

import comradarr.urls

PREFIX = "/comradarr/"
MODULE = "tests.ui._urls_under_base_url"

pytestmark = pytest.mark.django_db


@pytest.fixture
def under_prefix(settings):
    settings.BASE_URL = PREFIX
    settings.STATIC_URL = PREFIX + "static/"
    settings.SESSION_COOKIE_PATH = PREFIX
    settings.CSRF_COOKIE_PATH = PREFIX
    spec = importlib.util.spec_from_file_location(MODULE, comradarr.urls.__file__)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.modules[MODULE] = module
    settings.ROOT_URLCONF = MODULE
    yield
    sys.modules.pop(MODULE, None)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in {"href", "src", "action"} and value is not None:
                self.urls.append(value)


def _urls(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.urls


def test_reverse_is_prefixed(under_prefix):
    assert reverse("dashboard") == PREFIX
    assert reverse("login") == PREFIX + "login/"


def test_anonymous_redirect_keeps_the_prefix(under_prefix, client):
    response = client.get(PREFIX)

    assert response.status_code == 302
    assert response["Location"] == f"{PREFIX}login/?next={PREFIX}"


def test_nothing_is_served_outside_the_prefix(under_prefix, admin_client):
    assert admin_client.get("/").status_code == 404


def test_every_url_on_the_dashboard_is_under_the_prefix(under_prefix, admin_client):
    response = admin_client.get(PREFIX)

    assert response.status_code == 200
    urls = [u for u in _urls(response.content.decode()) if not u.startswith("#")]
    assert urls, "the page should link somewhere"
    outside = [u for u in urls if not u.startswith(PREFIX)]
    assert outside == []
    assert PREFIX + "static/css/app.css" in urls
    assert PREFIX + "static/vendor/htmx.min.js" in urls


def test_sidebar_links_resolve_under_the_prefix(under_prefix, admin_client):
    html = admin_client.get(PREFIX).content.decode()
    sidebar = html.split('id="sidebar"', 1)[1].split("</nav>", 1)[0]

    for href in re.findall(r'class="nav-link[^"]*" href="([^"]+)"', sidebar):
        assert href.startswith(PREFIX)
        assert admin_client.get(href).status_code in {200, 302}


def test_static_files_are_served_under_the_prefix(under_prefix, client):
    response = client.get(PREFIX + "static/css/app.css")

    assert response.status_code == 200
    assert b"--accent" in b"".join(response.streaming_content)
