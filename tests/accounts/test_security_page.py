"""Settings > Security (issue 15): change password, signed-in sessions, network trust."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from comradarr.accounts.sessions import device_label
from comradarr.models import LoginLockout, UserSession
from tests.accounts.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another-Correct-horse-42"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


def browser(user_agent: str = FIREFOX, ip: str = "192.168.1.20") -> Client:
    """A client signed in through the real sign-in form, as a browser would be."""
    client = Client(HTTP_USER_AGENT=user_agent, REMOTE_ADDR=ip)
    response = client.post(
        reverse("login"), {"username": settings.ADMIN_USER, "password": PASSWORD}
    )
    assert response.status_code == 302, response.content[:300]
    return client


def signed_in_still(client: Client) -> bool:
    return client.get(reverse("settings_security")).status_code == 200


def change_password(client: Client, **data):
    values = {
        "current_password": PASSWORD,
        "new_password1": NEW_PASSWORD,
        "new_password2": NEW_PASSWORD,
    }
    values.update(data)
    return client.post(reverse("settings_security_password"), values)


# ------------------------------------------------------------------ password


def test_password_change_keeps_this_browser_and_signs_out_the_others(admin_user):
    here, there = browser(), browser(IPHONE, "10.0.0.9")
    response = change_password(here)
    assert response.status_code == 302
    page = here.get(reverse("settings_security")).content.decode()
    assert "Password changed; this browser stays signed in. 1 other session signed out." in page
    admin_user.refresh_from_db()
    assert admin_user.check_password(NEW_PASSWORD)
    assert signed_in_still(here)
    assert not signed_in_still(there)
    assert [s.current for s in here.get(reverse("settings_security")).context["sessions"]] == [True]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"current_password": "guess"}, "current_password", "not the current password"),
        ({"current_password": ""}, "current_password", "required"),
        ({"new_password2": "something-else-42"}, "new_password2", "differ"),
        ({"new_password1": "short", "new_password2": "short"}, "new_password2", "too short"),
        ({"new_password1": "password123", "new_password2": "password123"}, "new_password2", ""),
        ({"new_password1": "", "new_password2": ""}, "new_password1", "required"),
        ({"new_password1": "A" * 5000, "new_password2": "A" * 5000}, "new_password1", "4096"),
        ({"current_password": "<script>x</script>\x00"}, "current_password", ""),
    ],
)
def test_bad_password_changes_are_refused_and_change_nothing(admin_user, data, field, message):
    client = browser()
    response = change_password(client, **data)
    assert response.status_code == 200
    errors = response.context["password_form"].errors
    assert field in errors
    assert message in " ".join(errors[field])
    admin_user.refresh_from_db()
    assert admin_user.check_password(PASSWORD)
    assert signed_in_still(client)
    assert "<script>x</script>" not in response.content.decode()


def test_a_bad_new_password_costs_no_lockout_count(admin_user, settings):
    settings.LOCKOUT_ATTEMPTS = 2
    client = browser()
    for _ in range(3):
        change_password(client, new_password2="mismatch-Pa55word")
    assert not LoginLockout.objects.exists()
    assert change_password(client).status_code == 302


def test_wrong_current_password_counts_towards_the_lockout(admin_user, settings):
    settings.LOCKOUT_ATTEMPTS = 2
    client = browser()
    for _ in range(2):
        response = change_password(client, current_password="guess")
    assert "Too many failed sign-in attempts" in response.content.decode()
    # Locked: even the right password is not checked now.
    response = change_password(client)
    assert response.status_code == 200
    assert "Too many failed sign-in attempts" in response.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.check_password(PASSWORD)


# ------------------------------------------------------------------ sessions


def test_sessions_are_listed_with_device_address_and_last_seen(admin_user):
    here = browser()
    browser(IPHONE, "10.0.0.9")
    response = here.get(reverse("settings_security"))
    listed = response.context["sessions"]
    assert [(s.device, s.client_ip, s.current) for s in listed] == [
        ("Firefox on Linux", "192.168.1.20", True),
        ("Safari on iPhone", "10.0.0.9", False),
    ]
    body = response.content.decode()
    assert "This browser" in body and "Safari on iPhone" in body
    # The session key (a credential) never reaches the page.
    for row in UserSession.objects.all():
        assert row.session_key not in body


def test_revoke_signs_that_browser_out(admin_user):
    here, there = browser(), browser(IPHONE, "10.0.0.9")
    other = UserSession.objects.get(user_agent=IPHONE)
    response = here.post(reverse("settings_security_revoke", args=[other.pk]))
    assert response.status_code == 302
    assert not signed_in_still(there)
    assert not Session.objects.filter(session_key=other.session_key).exists()
    assert not UserSession.objects.filter(pk=other.pk).exists()
    assert signed_in_still(here)


def test_revoking_this_browser_signs_it_out(admin_user):
    here = browser()
    mine = UserSession.objects.get()
    response = here.post(reverse("settings_security_revoke", args=[mine.pk]))
    assert response["Location"] == reverse("login")
    assert not signed_in_still(here)
    assert not UserSession.objects.exists()


def test_sign_out_everywhere_else_keeps_this_one(admin_user):
    here, phone, laptop = browser(), browser(IPHONE, "10.0.0.9"), browser(ip="10.0.0.10")
    response = here.post(reverse("settings_security_revoke_others"))
    assert response.status_code == 302
    page = here.get(reverse("settings_security")).content.decode()
    assert "Signed out everywhere else (2 sessions)." in page
    assert signed_in_still(here)
    assert not signed_in_still(phone) and not signed_in_still(laptop)
    assert UserSession.objects.count() == 1


def test_sign_out_everywhere_else_finds_sessions_that_were_never_listed(admin_user):
    here, old = browser(), browser(IPHONE)
    UserSession.objects.filter(user_agent=IPHONE).delete()  # as before this feature
    cache.clear()
    here.post(reverse("settings_security_revoke_others"))
    assert not signed_in_still(old)
    assert signed_in_still(here)


def test_sign_out_removes_the_row(admin_user):
    client = browser()
    assert UserSession.objects.count() == 1
    client.post(reverse("logout"))
    assert not UserSession.objects.exists()


def test_expired_sessions_leave_the_list(admin_user):
    here = browser()
    browser(IPHONE)
    key = UserSession.objects.get(user_agent=IPHONE).session_key
    Session.objects.filter(session_key=key).delete()  # expired and cleared
    listed = here.get(reverse("settings_security")).context["sessions"]
    assert [s.device for s in listed] == ["Firefox on Linux"]
    assert not UserSession.objects.filter(session_key=key).exists()


def test_last_seen_is_written_at_most_once_a_minute(admin_user, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = browser()
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("dashboard"))
        client.get(reverse("dashboard"))
    assert not [q for q in queries if "comradarr_usersession" in q["sql"]]
    before = UserSession.objects.get().last_seen_at
    cache.clear()  # a minute later
    client.get(reverse("dashboard"), REMOTE_ADDR="192.168.1.77")
    row = UserSession.objects.get()
    assert row.last_seen_at > before
    assert row.client_ip == "192.168.1.77"


def test_a_session_started_before_this_feature_is_listed_on_its_next_request(admin_user):
    client = browser()
    UserSession.objects.all().delete()
    cache.clear()
    client.get(reverse("dashboard"))
    assert UserSession.objects.get().user_agent == FIREFOX


def test_bypassed_visitors_have_no_session_to_list(admin_user, set_auth_mode):
    set_auth_mode("disabled")
    response = Client(REMOTE_ADDR="203.0.113.5").get(reverse("settings_security"))
    assert response.status_code == 200
    assert response.context["sessions"] == []
    assert not UserSession.objects.exists()


@pytest.mark.parametrize(
    ("agent", "label"),
    [
        (FIREFOX, "Firefox on Linux"),
        (IPHONE, "Safari on iPhone"),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7) AppleWebKit/605.1.15 (KHTML, like "
            "Gecko) Version/18.0 Safari/605.1.15",
            "Safari on macOS",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "HeadlessChrome/131.0.0.0 Safari/537.36",
            "Chrome on Linux",
        ),
        ("curl/8.5.0", "curl"),
        ("", "Unknown browser"),
        ("<script>" * 100, "Unknown browser"),
    ],
)
def test_device_labels(agent, label):
    assert device_label(agent) == label


# ------------------------------------------------------------------ network


def test_network_facts_say_what_is_in_effect_and_from_where(admin_user, settings, monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "10.0.0.2")
    monkeypatch.delenv("SESSION_DAYS", raising=False)
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    client = browser()
    response = client.get(
        reverse("settings_security"), REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="192.168.1.5"
    )
    facts = response.context["network"]
    assert facts.trusted_proxies == ["10.0.0.2"]
    assert "192.168.0.0/16" in facts.local_networks
    assert (facts.request.peer, facts.request.via_trusted_proxy) == ("10.0.0.2", True)
    assert (facts.request.client, facts.request.counts_as_local) == ("192.168.1.5", True)
    by_name = {s.name: s for s in facts.settings}
    assert by_name["TRUSTED_PROXIES"].from_environment
    assert not by_name["SESSION_DAYS"].from_environment
    body = response.content.decode()
    assert 'id="trusted-proxies"><span class="mono">10.0.0.2</span>' in body
    assert "default (7)" in body


def test_no_trusted_proxy_says_forwarded_headers_are_ignored(admin_user, settings, monkeypatch):
    monkeypatch.delenv("TRUSTED_PROXIES", raising=False)
    settings.TRUSTED_PROXIES = []
    body = browser().get(reverse("settings_security")).content.decode()
    assert "X-Forwarded-For and X-Forwarded-Proto are ignored" in body


# ------------------------------------------------------------------ guards


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("settings_security", []),
        ("settings_security_password", []),
        ("settings_security_revoke", [1]),
        ("settings_security_revoke_others", []),
    ],
)
def test_everything_needs_sign_in_and_csrf(admin_user, name, args):
    other = browser(IPHONE)
    row = UserSession.objects.get()
    url = reverse(name, args=[row.pk] if args else [])
    data = {"auth_mode": "disabled", "current_password": PASSWORD}
    response = Client().post(url, data)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    strict = Client(enforce_csrf_checks=True, HTTP_USER_AGENT=FIREFOX)
    strict.force_login(admin_user)
    assert strict.post(url, data).status_code == 403
    assert signed_in_still(other)
    admin_user.refresh_from_db()
    assert admin_user.check_password(PASSWORD)


def test_revoking_needs_post(admin_user):
    client = browser()
    row = UserSession.objects.get()
    assert client.get(reverse("settings_security_revoke", args=[row.pk])).status_code == 405
    assert client.get(reverse("settings_security_revoke_others")).status_code == 405
    assert signed_in_still(client)


def test_a_bypassed_visitor_changes_the_password_with_the_current_one(admin_user, set_auth_mode):
    """Local bypass lets a LAN browser in without a session: it still needs the password,
    and the change signs out every session (there is none of its own to keep)."""
    elsewhere = browser(IPHONE)
    set_auth_mode("local_bypass")
    lan = Client(REMOTE_ADDR="192.168.1.30")
    assert change_password(lan, current_password="guess").status_code == 200
    assert signed_in_still(elsewhere)
    assert change_password(lan).status_code == 302
    admin_user.refresh_from_db()
    assert admin_user.check_password(NEW_PASSWORD)
    assert not UserSession.objects.exists()
    set_auth_mode("full")
    assert not signed_in_still(elsewhere)
