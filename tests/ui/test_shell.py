"""The base layout: title, user menu, messages, warning banner, footer, assets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.staticfiles import finders
from django.template import engines
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def dashboard_html(admin_client) -> str:
    return admin_client.get(reverse("dashboard")).content.decode()


def _render_base(user, **context) -> str:
    request = RequestFactory().get("/")
    request.user = user
    request.resolver_match = None
    return render_to_string("base.html", context, request=request)


def test_page_title_sets_tab_and_heading(dashboard_html):
    assert "<title>Dashboard · Comradarr</title>" in dashboard_html
    assert re.search(r'<h1 class="topbar-title">\s*Dashboard\s*</h1>', dashboard_html)


def test_title_defaults_to_the_app_name(admin_user):
    html = _render_base(admin_user)

    assert "<title>Comradarr · Comradarr</title>" in html
    assert re.search(r'<h1 class="topbar-title">\s*Comradarr\s*</h1>', html)


def test_logout_is_a_post_form_with_csrf(dashboard_html):
    form = re.search(r'<form method="post" action="([^"]+)">(.*?)</form>', dashboard_html, re.S)

    assert form is not None
    assert form.group(1) == reverse("logout")
    assert 'name="csrfmiddlewaretoken"' in form.group(2)
    assert "Log out" in form.group(2)


def test_user_menu_names_the_user(dashboard_html, admin_user):
    assert f"Signed in as <strong>{admin_user.get_username()}</strong>" in dashboard_html


def test_csrf_token_is_available_to_htmx(dashboard_html):
    assert re.search(r'<meta name="csrf-token" content="[A-Za-z0-9]{32,}">', dashboard_html)


def test_footer_shows_the_version(dashboard_html):
    assert f"v{django_settings.COMRADARR_VERSION}" in dashboard_html


def test_no_auth_warning_by_default(dashboard_html):
    assert 'id="auth-warning"' not in dashboard_html


def test_auth_warning_banner_when_flag_set(admin_user):
    html = _render_base(admin_user, auth_warning=True)

    assert 'id="auth-warning"' in html
    assert 'role="alert"' in html
    assert "Authentication is disabled." in html


def test_auth_warning_banner_shows_a_given_message_escaped(admin_user):
    html = _render_base(admin_user, auth_warning="Set by <script>env</script>")

    assert "Set by &lt;script&gt;env&lt;/script&gt;" in html
    assert "<script>env" not in html


def test_auth_warning_survives_a_replaced_body(admin_user):
    """Standalone pages (login) replace the body block; the warning stays."""
    template = engines["django"].from_string(
        '{% extends "base.html" %}{% block body %}<main>standalone</main>{% endblock %}'
    )
    request = RequestFactory().get("/")
    request.user = admin_user
    html = template.render({"auth_warning": True}, request)

    assert "standalone" in html
    assert 'id="auth-warning"' in html
    assert 'class="sidebar"' not in html


def test_messages_are_dismissible_alerts_and_escaped(settings, admin_client):
    settings.ROOT_URLCONF = "tests.ui.sample_urls"

    html = admin_client.get("/messages/").content.decode()

    assert 'class="alert alert-success"' in html
    assert 'class="alert alert-error"' in html
    assert html.count("data-dismiss") == 2
    assert "Sonarr &lt;b&gt;refused&lt;/b&gt; the API key." in html
    # Shown once, then gone.
    assert "Connector saved." not in admin_client.get("/settings/").content.decode()


def test_every_static_asset_exists(dashboard_html):
    static_url = django_settings.STATIC_URL
    paths = re.findall(rf'(?:href|src)="{re.escape(static_url)}([^"?]+)"', dashboard_html)

    assert {"css/app.css", "js/app.js", "js/theme-init.js", "vendor/htmx.min.js"} <= set(paths)
    for path in paths:
        assert finders.find(path), path


def test_no_external_resources(dashboard_html):
    """The app must work offline: no CDN scripts, styles or fonts."""
    assert not re.search(r'(?:href|src)="(?:https?:)?//', dashboard_html)


def test_anonymous_user_has_no_user_menu():
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    request.resolver_match = None
    html = render_to_string("base.html", {}, request=request)

    assert "data-user-menu" not in html
    assert "Log out" not in html


def test_vendored_htmx_is_recorded():
    readme = finders.find("vendor/README.md")
    htmx = finders.find("vendor/htmx.min.js")

    assert htmx and readme
    text = Path(readme).read_text(encoding="utf-8")
    assert "htmx.org" in text and "0BSD" in text
    source = Path(htmx).read_text(encoding="utf-8")
    assert source.startswith("var htmx=")
    version = re.search(r'version:"([0-9.]+)"', source).group(1)
    assert f"| {version} |" in text
