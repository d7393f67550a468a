"""Changes that weaken the install need the current password (issue 9, point 1).

- switching the auth mode to local network bypass or disabled (settings page),
  and the admin's settings page cannot change the auth mode at all;
- changing the password in the admin (its own page and the per-user one);
- wrong passwords there count towards the sign-in lockout.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from comradarr.models import AppSettings, LoginLockout
from tests.accounts.conftest import PASSWORD

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "another-Correct-horse-42"


@pytest.fixture
def signed_in(client, admin_user):
    client.force_login(admin_user)
    return client


def save_settings(client, **data):
    """The authentication mode is saved on Settings > Security."""
    return client.post(reverse("settings_security"), data)


@pytest.mark.parametrize("mode", ["local_bypass", "disabled"])
def test_opening_the_app_without_the_password_is_refused(signed_in, mode):
    response = save_settings(signed_in, auth_mode=mode)
    assert response.status_code == 200
    assert AppSettings.load().auth_mode == "full"
    errors = response.context["auth_form"].errors["current_password"]
    # The refusal says in plain words what the mode would open.
    assert "current password" in errors[0]
    assert ("local network" if mode == "local_bypass" else "anyone who can reach") in errors[0]


@pytest.mark.parametrize("mode", ["local_bypass", "disabled"])
def test_wrong_password_is_refused_and_counts_towards_the_lockout(signed_in, mode, settings):
    settings.LOCKOUT_ATTEMPTS = 2
    for _ in range(2):
        response = save_settings(signed_in, auth_mode=mode, current_password="guess")
        assert AppSettings.load().auth_mode == "full"
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert LoginLockout.objects.exists()
    # Locked: even the right password is not checked now.
    response = save_settings(signed_in, auth_mode=mode, current_password=PASSWORD)
    assert AppSettings.load().auth_mode == "full"


@pytest.mark.parametrize("mode", ["local_bypass", "disabled"])
def test_right_password_switches(signed_in, mode):
    response = save_settings(signed_in, auth_mode=mode, current_password=PASSWORD)
    assert response.status_code == 302
    assert AppSettings.load().auth_mode == mode


def test_tightening_or_keeping_the_mode_needs_no_password(signed_in):
    AppSettings.load()
    AppSettings.objects.filter(pk=1).update(auth_mode="local_bypass")
    response = save_settings(signed_in, auth_mode="local_bypass")
    assert response.status_code == 302, response.context["auth_form"].errors
    assert save_settings(signed_in, auth_mode="full").status_code == 302
    assert AppSettings.load().auth_mode == "full"


def test_local_bypass_visitor_cannot_disable_sign_in_without_the_password(
    client, admin_user, set_auth_mode
):
    """In bypass mode a LAN browser acts as the admin: it still cannot open the app further."""
    set_auth_mode("local_bypass")
    response = client.post(
        reverse("settings_security"), {"auth_mode": "disabled"}, REMOTE_ADDR="10.0.0.7"
    )
    assert response.status_code == 200
    assert AppSettings.load().auth_mode == "local_bypass"


def test_settings_page_explains_the_password_requirement(signed_in):
    body = signed_in.get(reverse("settings_security")).content.decode()
    assert 'name="current_password"' in body
    assert "lets every browser on your local network in as the admin" in body


def test_admin_settings_cannot_change_the_auth_mode(signed_in):
    url = reverse("admin:comradarr_appsettings_change", args=[AppSettings.load().pk])
    response = signed_in.post(url, {"auth_mode": "disabled", "log_level": "info"})
    assert response.status_code == 302
    row = AppSettings.load()
    assert (row.auth_mode, row.log_level) == ("full", "info")


def test_admin_password_change_requires_the_old_password(signed_in, admin_user):
    url = reverse("admin:password_change")
    response = signed_in.post(url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 200
    response = signed_in.post(
        url,
        {"old_password": "guess", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    admin_user.refresh_from_db()
    assert admin_user.check_password(PASSWORD)
    response = signed_in.post(
        url,
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    admin_user.refresh_from_db()
    assert admin_user.check_password(NEW_PASSWORD)


def test_admin_password_change_wrong_old_password_locks(signed_in, admin_user, settings):
    settings.LOCKOUT_ATTEMPTS = 3
    url = reverse("admin:password_change")
    data = {"old_password": "guess", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    for _ in range(3):
        signed_in.post(url, data)
    response = signed_in.post(url, {**data, "old_password": PASSWORD})
    assert "Too many failed sign-in attempts" in response.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.check_password(PASSWORD)


def test_per_user_password_page_cannot_set_a_password_without_the_old_one(signed_in, admin_user):
    url = reverse("admin:auth_user_password_change", args=[admin_user.pk])
    response = signed_in.post(
        url,
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:password_change")
    admin_user.refresh_from_db()
    assert admin_user.check_password(PASSWORD)


def test_another_accounts_password_cannot_be_set(signed_in):
    other = get_user_model().objects.create_user(username="someone", password=PASSWORD)
    url = reverse("admin:auth_user_password_change", args=[other.pk])
    response = signed_in.post(url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 403
    other.refresh_from_db()
    assert other.check_password(PASSWORD)


def test_no_account_can_be_added_or_deleted_in_the_admin(signed_in, admin_user):
    add = signed_in.post(
        reverse("admin:auth_user_add"),
        {"username": "intruder", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert add.status_code == 403
    delete = signed_in.post(
        reverse("admin:auth_user_delete", args=[admin_user.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    assert list(get_user_model().objects.values_list("username", flat=True)) == ["admin"]


def test_user_menu_links_to_the_password_change_that_asks_for_the_old_one(signed_in):
    body = signed_in.get(reverse("dashboard")).content.decode()
    assert f'href="{reverse("admin:password_change")}" id="change-password"' in body
    page = signed_in.get(reverse("admin:password_change")).content.decode()
    assert 'name="old_password"' in page
