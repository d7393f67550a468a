"""Sign-in, sign-out, `next` safety, CSRF, session expiry and the password hasher."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comradarr.accounts.services import BAD_CREDENTIALS
from comradarr.models import FailedLogin

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(client, username="admin", password=PASSWORD, **extra):
    return client.post(reverse("login"), {"username": username, "password": password, **extra})


def test_login_page_renders_standalone(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Sign in to Comradarr" in body
    assert 'name="csrfmiddlewaretoken"' in body
    assert 'class="sidebar' not in body  # the card stands alone, no app shell


def test_login_with_right_password(client, admin_user):
    response = sign_in(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("setup:start")  # the wizard, or the dashboard
    assert client.session["_auth_user_id"] == str(admin_user.pk)
    assert client.get(reverse("settings")).status_code == 200


def test_login_with_wrong_password(client, admin_user):
    response = sign_in(client, password="wrong-password")
    assert response.status_code == 200
    assert BAD_CREDENTIALS in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert FailedLogin.objects.count() == 1


def test_login_unknown_user_gives_the_same_answer(client, admin_user):
    response = sign_in(client, username="nobody")
    assert response.status_code == 200
    assert BAD_CREDENTIALS in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    "data",
    [{}, {"username": "admin"}, {"password": PASSWORD}, {"username": "", "password": ""}],
)
def test_login_with_missing_fields_shows_errors_and_counts_nothing(client, admin_user, data):
    response = client.post(reverse("login"), data)
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert FailedLogin.objects.count() == 0


def test_login_with_overlong_username_is_refused(client, admin_user):
    response = sign_in(client, username="a" * 5000)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_inactive_user_cannot_sign_in(client, admin_user):
    admin_user.is_active = False
    admin_user.save()
    response = sign_in(client)
    assert BAD_CREDENTIALS in response.content.decode()


def test_signed_in_user_visiting_login_goes_on(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("login"), {"next": reverse("settings")})
    assert response.status_code == 302
    assert response["Location"] == reverse("settings")


def test_logout_by_post(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("settings")).status_code == 302


def test_logout_by_get_is_refused(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("logout")).status_code == 405
    assert "_auth_user_id" in client.session


def test_protected_page_redirects_to_login_with_next(client):
    response = client.get(reverse("settings"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse('settings')}"


def test_next_is_followed_when_local(client, admin_user):
    response = sign_in(client, next=reverse("settings"))
    assert response["Location"] == reverse("settings")


def test_next_in_query_string_is_carried_by_the_form(client, admin_user):
    page = client.get(reverse("login"), {"next": reverse("settings")})
    assert f'name="next" value="{reverse("settings")}"' in page.content.decode()


@pytest.mark.parametrize(
    "hostile",
    [
        "//evil.com",
        "//evil.com/path",
        "https://evil.com/",
        "http://evil.com",
        "///evil.com",
        "/\\evil.com",
        "\\\\evil.com",
        "javascript:alert(1)",
        "https:evil.com",
        " //evil.com",
    ],
)
def test_hostile_next_is_not_followed(client, admin_user, hostile):
    response = client.post(
        reverse("login") + "?next=" + hostile,
        {"username": "admin", "password": PASSWORD, "next": hostile},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("setup:start")  # the wizard, or the dashboard


def test_next_escaped_in_the_page(client):
    page = client.get(reverse("login"), {"next": '"><script>alert(1)</script>'})
    assert "<script>alert(1)</script>" not in page.content.decode()


def test_login_post_without_csrf_token_is_rejected(admin_user):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "admin", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_login_post_with_csrf_token_is_accepted(admin_user):
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("login"))
    token = client.cookies["csrftoken"].value
    response = client.post(
        reverse("login"),
        {"username": "admin", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302


def test_logout_without_csrf_token_is_rejected(admin_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    assert client.post(reverse("logout")).status_code == 403
    assert "_auth_user_id" in client.session


def test_session_is_stored_in_the_database(client, admin_user):
    from django.contrib.sessions.models import Session

    sign_in(client)
    assert Session.objects.filter(session_key=client.session.session_key).exists()


def test_session_cookie_lasts_session_days(client, admin_user, settings):
    assert settings.SESSION_COOKIE_AGE == 7 * 86400  # SESSION_DAYS default
    response = sign_in(client)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == 7 * 86400
    assert cookie["httponly"]


def test_session_expires_after_its_age(client, admin_user, settings):
    settings.SESSION_COOKIE_AGE = 3600
    sign_in(client)
    start = timezone.now()
    with time_machine.travel(start + timedelta(minutes=59), tick=False):
        assert client.get(reverse("settings")).status_code == 200
    with time_machine.travel(start + timedelta(hours=1, minutes=1), tick=False):
        response = client.get(reverse("settings"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_password_hash_is_argon2id(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = get_user_model().objects.create_user(username="hashcheck", password=PASSWORD)
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(PASSWORD)


def test_production_settings_put_argon2_first():
    import comradarr.settings as production

    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_password_is_not_logged(client, admin_user, caplog):
    with caplog.at_level("DEBUG"):
        sign_in(client, password="hunter2-secret-guess")
        sign_in(client)
    assert "hunter2-secret-guess" not in caplog.text
    assert PASSWORD not in caplog.text
