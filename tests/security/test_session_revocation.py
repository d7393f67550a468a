"""Signed-in sessions: revocation really signs out, and only the owner's (issue 15).

Class: stolen session outlives revocation (a "sign out" that only hides a row
while the cookie keeps working), and IDOR on session management (revoking or
seeing another account's sessions by guessing ids).
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from comradarr.models import UserSession
from tests.security.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(username: str, agent: str) -> Client:
    client = Client(HTTP_USER_AGENT=agent)
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def still_in(client: Client) -> bool:
    return client.get(reverse("dashboard")).status_code == 200


def test_a_revoked_session_cookie_is_dead(admin_user):
    """Class: stolen session outlives revocation: the thief's cookie stops working at once."""
    owner, thief = sign_in(admin_user.username, "owner"), sign_in(admin_user.username, "thief")
    stolen = UserSession.objects.get(user_agent="thief")
    owner.post(reverse("settings_security_revoke", args=[stolen.pk]))
    assert not still_in(thief)
    # Replaying the old cookie in a fresh client is refused as well.
    replay = Client()
    replay.cookies = thief.cookies
    assert not still_in(replay)
    assert still_in(owner)


def test_another_accounts_sessions_can_neither_be_revoked_nor_seen(admin_user):
    """Class: IDOR on session management: ids of another user's sessions give 404."""
    get_user_model().objects.create_user(username="someone", password=PASSWORD)
    admin = sign_in(admin_user.username, "admin-browser")
    other = sign_in("someone", "other-browser")
    theirs = UserSession.objects.get(user__username="someone")
    response = admin.post(reverse("settings_security_revoke", args=[theirs.pk]))
    assert response.status_code == 404
    assert still_in(other)
    assert UserSession.objects.filter(pk=theirs.pk).exists()
    listed = admin.get(reverse("settings_security")).context["sessions"]
    assert [s.device for s in listed] == ["Unknown browser"]
    assert "other-browser" not in admin.get(reverse("settings_security")).content.decode()
    # "Sign out everywhere else" is the admin's own everywhere, not everyone's.
    admin.post(reverse("settings_security_revoke_others"))
    assert still_in(other)


@pytest.mark.parametrize("pk", ["0", "-1", "99999999999999999999", "abc", "1%00"])
def test_hostile_session_ids_are_refused(signed_in, pk):
    """Class: IDOR on session management: junk ids never reach a query that could misfire."""
    response = signed_in.post(f"{reverse('settings_security')}sessions/{pk}/revoke/")
    assert response.status_code == 404
