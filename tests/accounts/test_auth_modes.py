"""Authentication modes: full, local network bypass, disabled; open paths; the admin."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from comradarr.accounts.context_processors import DISABLED_WARNING
from comradarr.accounts.middleware import is_open_path

pytestmark = pytest.mark.django_db


def get(client, ip, xff=None, path=None):
    extra = {"REMOTE_ADDR": ip}
    if xff is not None:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return client.get(path or reverse("settings"), **extra)


def is_let_in(response) -> bool:
    return response.status_code == 200


def redirected_to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


# full ---------------------------------------------------------------------------------


@pytest.mark.parametrize("ip", ["127.0.0.1", "192.168.1.20", "203.0.113.5"])
def test_full_mode_requires_login_from_everywhere(client, admin_user, ip):
    assert redirected_to_login(get(client, ip))


def test_full_mode_lets_signed_in_user_in(client, admin_user):
    client.force_login(admin_user)
    assert is_let_in(get(client, "203.0.113.5"))


def test_htmx_request_gets_a_full_page_redirect(client, admin_user):
    response = client.get(reverse("settings"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("login")


def test_open_paths_need_no_login(client, admin_user):
    assert client.get(reverse("login")).status_code == 200
    assert client.get("/health").status_code in (200, 503)
    # The webhook prefix is open (its views check their own secret): not sent to login.
    assert not redirected_to_login(client.get("/webhooks/sonarr/abc"))


@pytest.mark.parametrize(
    ("path", "open_"),
    [
        ("/login/", True),
        ("/health", True),
        ("/health/", True),
        ("/webhooks/x", True),
        ("/static/css/app.css", True),
        ("/", False),
        ("/settings/", False),
        ("/admin/", False),
        ("/healthz", False),
        ("/login/../settings/", False),
        ("/webhooks", False),
        ("/admin/login/", True),
        ("/admin/logout/", False),
    ],
)
def test_is_open_path(path, open_):
    assert is_open_path(path) is open_


# local_bypass ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ip", ["127.0.0.1", "192.168.1.20", "10.4.0.9", "172.20.0.3", "::1", "fd00::5"]
)
def test_local_bypass_lets_local_clients_in_as_admin(client, admin_user, set_auth_mode, ip):
    set_auth_mode("local_bypass")
    response = get(client, ip)
    assert is_let_in(response)
    assert response.context["user"] == admin_user
    # No session was created: the bypass is decided again on every request.
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("ip", ["203.0.113.5", "8.8.8.8", "100.64.1.1", "2001:db8::1"])
def test_local_bypass_requires_login_from_public_addresses(client, admin_user, set_auth_mode, ip):
    set_auth_mode("local_bypass")
    assert redirected_to_login(get(client, ip))


@pytest.mark.parametrize("spoofed", ["127.0.0.1", "192.168.0.1", "10.0.0.1, 127.0.0.1"])
def test_local_bypass_ignores_spoofed_forwarded_for(
    client, admin_user, set_auth_mode, settings, spoofed
):
    settings.TRUSTED_PROXIES = []
    set_auth_mode("local_bypass")
    assert redirected_to_login(get(client, "203.0.113.5", xff=spoofed))


def test_local_bypass_ignores_spoofing_through_an_untrusted_proxy(
    client, admin_user, set_auth_mode, settings
):
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    set_auth_mode("local_bypass")
    assert redirected_to_login(get(client, "203.0.113.5", xff="127.0.0.1"))


def test_local_bypass_honours_forwarded_for_from_trusted_proxy(
    client, admin_user, set_auth_mode, settings
):
    settings.TRUSTED_PROXIES = ["172.18.0.2"]
    set_auth_mode("local_bypass")
    # The proxy itself is local, but the client it forwards for is not.
    assert redirected_to_login(get(client, "172.18.0.2", xff="203.0.113.5"))
    # A local client behind the proxy is let in.
    assert is_let_in(get(client, "172.18.0.2", xff="192.168.1.44"))
    # A public client prepending a local address does not get through.
    assert redirected_to_login(get(client, "172.18.0.2", xff="127.0.0.1, 203.0.113.5"))


def test_local_bypass_without_admin_account_falls_back_to_login(client, set_auth_mode):
    set_auth_mode("local_bypass")
    assert redirected_to_login(get(client, "127.0.0.1"))


def test_local_bypass_shows_no_banner(client, admin_user, set_auth_mode):
    set_auth_mode("local_bypass")
    response = get(client, "127.0.0.1")
    assert response.context["auth_warning"] == ""
    assert 'id="auth-warning"' not in response.content.decode()


# disabled ----------------------------------------------------------------------------


@pytest.mark.parametrize("ip", ["127.0.0.1", "203.0.113.5", "2001:db8::1"])
def test_disabled_lets_everyone_in_as_admin(client, admin_user, set_auth_mode, ip):
    set_auth_mode("disabled")
    response = get(client, ip)
    assert is_let_in(response)
    assert response.context["user"] == admin_user


def test_disabled_shows_the_warning_banner(client, admin_user, set_auth_mode):
    set_auth_mode("disabled")
    response = get(client, "203.0.113.5")
    assert response.context["auth_warning"] == DISABLED_WARNING
    body = response.content.decode()
    assert 'id="auth-warning"' in body
    assert DISABLED_WARNING in body


def test_full_mode_has_no_banner(client, admin_user):
    client.force_login(admin_user)
    response = get(client, "203.0.113.5")
    assert response.context["auth_warning"] == ""
    assert 'id="auth-warning"' not in response.content.decode()


def test_logout_in_disabled_mode_goes_to_the_dashboard(client, admin_user, set_auth_mode):
    set_auth_mode("disabled")
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("setup:start")  # the wizard, or the dashboard


def test_turning_auth_back_on_applies_to_the_next_request(client, admin_user, set_auth_mode):
    set_auth_mode("disabled")
    assert is_let_in(get(client, "203.0.113.5"))
    set_auth_mode("full")
    assert redirected_to_login(get(client, "203.0.113.5"))


# the Django admin --------------------------------------------------------------------


def test_admin_requires_our_login(client, admin_user):
    response = client.get(reverse("admin:index"))
    assert redirected_to_login(response)


def test_admin_login_page_redirects_to_ours_keeping_next(client, admin_user):
    response = client.get(reverse("admin:login"), {"next": "/admin/comradarr/"})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/admin/comradarr/"


def test_admin_works_when_signed_in(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("admin:index")).status_code == 200
    response = client.get(reverse("admin:comradarr_appsettings_changelist"))
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200


def test_admin_reachable_in_disabled_mode(client, admin_user, set_auth_mode):
    set_auth_mode("disabled")
    assert Client(REMOTE_ADDR="203.0.113.5").get(reverse("admin:index")).status_code == 200


def test_htmx_redirect_comes_back_to_the_current_page(client, admin_user):
    response = client.get(
        reverse("settings"),
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/settings/?tab=2",
    )
    assert response["HX-Redirect"] == f"{reverse('login')}?next=/settings/%3Ftab%3D2"
