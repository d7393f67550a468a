"""Lockout: per username and per address, on the database clock, with a clear message."""

from __future__ import annotations

import pytest
from django.urls import reverse

from comradarr.accounts import lockout
from comradarr.models import FailedLogin, LoginLockout

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

WRONG = "not-the-password"
LOCK_MESSAGE = "Too many failed sign-in attempts. Try again in"


@pytest.fixture(autouse=True)
def lockout_settings(settings):
    settings.LOCKOUT_ATTEMPTS = 5
    settings.LOCKOUT_WINDOW_SECONDS = 15 * 60
    settings.LOCKOUT_DURATION_SECONDS = 15 * 60


def attempt(client, username="admin", password=WRONG, ip="198.51.100.20"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_four_failures_do_not_lock(client, admin_user):
    for _ in range(4):
        attempt(client)
    response = attempt(client, password=PASSWORD)
    assert response.status_code == 302


def test_fifth_failure_locks_the_username_with_a_clear_message(client, admin_user):
    for _ in range(4):
        assert LOCK_MESSAGE not in attempt(client).content.decode()
    response = attempt(client)
    assert response.status_code == 429
    assert "Too many failed sign-in attempts. Try again in 15 minutes." in response.content.decode()
    # The right password is refused while locked, from anywhere.
    response = attempt(client, password=PASSWORD, ip="198.51.100.99")
    assert response.status_code == 429
    assert LOCK_MESSAGE in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_username_lock_ignores_case(client, admin_user):
    for name in ["admin", "Admin", "ADMIN", "aDmin", " admin "]:
        attempt(client, username=name, ip=f"198.51.100.{len(name)}")
    assert attempt(client, password=PASSWORD, ip="203.0.113.1").status_code == 429


def test_address_lock_covers_every_username(client, admin_user):
    for n in range(5):
        attempt(client, username=f"guess{n}", ip="198.51.100.20")
    response = attempt(client, password=PASSWORD, ip="198.51.100.20")
    assert response.status_code == 429
    assert LOCK_MESSAGE in response.content.decode()
    # Another address can still sign in: the username itself was not locked.
    assert attempt(client, password=PASSWORD, ip="203.0.113.50").status_code == 302


def test_username_lock_from_many_addresses(client, admin_user):
    for n in range(5):
        attempt(client, ip=f"198.51.100.{n + 1}")
    assert attempt(client, password=PASSWORD, ip="203.0.113.50").status_code == 429


def test_remaining_time_counts_down(client, admin_user, age_lockout_rows):
    for _ in range(5):
        attempt(client)
    age_lockout_rows(61)
    response = attempt(client, password=PASSWORD)
    assert "Try again in 14 minutes." in response.content.decode()
    age_lockout_rows(13 * 60 + 30)
    response = attempt(client, password=PASSWORD)
    assert "Try again in 1 minute." in response.content.decode()


def test_lock_expires(client, admin_user, age_lockout_rows):
    for _ in range(5):
        attempt(client)
    age_lockout_rows(15 * 60 + 1)
    assert attempt(client, password=PASSWORD).status_code == 302


def test_expired_lock_does_not_relock_on_the_next_typo(
    client, admin_user, age_lockout_rows, settings
):
    settings.LOCKOUT_WINDOW_SECONDS = 60 * 60  # longer than the lock
    for _ in range(5):
        attempt(client)
    age_lockout_rows(15 * 60 + 1)
    response = attempt(client)
    assert response.status_code == 200
    assert LOCK_MESSAGE not in response.content.decode()


def test_failures_outside_the_window_do_not_count(client, admin_user, age_lockout_rows):
    for _ in range(4):
        attempt(client)
    age_lockout_rows(15 * 60 + 1)
    response = attempt(client)
    assert LOCK_MESSAGE not in response.content.decode()
    assert attempt(client, password=PASSWORD).status_code == 302


def test_attempts_while_locked_do_not_extend_the_lock(client, admin_user):
    for _ in range(5):
        attempt(client)
    until = LoginLockout.objects.get(scope="username").locked_until
    count = FailedLogin.objects.count()
    for _ in range(3):
        attempt(client)
    assert LoginLockout.objects.get(scope="username").locked_until == until
    assert FailedLogin.objects.count() == count


def test_success_clears_the_usernames_failures(client, admin_user):
    for _ in range(4):
        attempt(client, ip="198.51.100.20")
    assert attempt(client, password=PASSWORD, ip="203.0.113.7").status_code == 302
    assert not FailedLogin.objects.filter(username="admin").exists()
    client.post(reverse("logout"))
    # Four more failures from a fresh address do not lock: the count started again.
    for _ in range(4):
        attempt(client, ip="203.0.113.8")
    assert attempt(client, password=PASSWORD, ip="203.0.113.9").status_code == 302


def test_settings_change_the_threshold(client, admin_user, settings):
    settings.LOCKOUT_ATTEMPTS = 2
    attempt(client)
    assert attempt(client).status_code == 429


def test_lockout_uses_the_database_clock(admin_user):
    lock = None
    for _ in range(5):
        lock = lockout.record_failure(username="admin", ip="198.51.100.1")
    assert lock is not None
    stored = LoginLockout.objects.get(scope="username").locked_until
    assert stored.utcoffset().total_seconds() == 0
    row = FailedLogin.objects.first()
    assert row.attempted_at.utcoffset().total_seconds() == 0
    now = lockout.db_now()
    assert 0 < (stored - now).total_seconds() <= 15 * 60


def test_unknown_address_still_locks_by_username(admin_user):
    for _ in range(5):
        lockout.record_failure(username="admin", ip="")
    assert lockout.active_lock(username="admin", ip="") is not None
    assert not LoginLockout.objects.filter(scope="address").exists()


def test_old_rows_are_pruned(admin_user, age_lockout_rows):
    for _ in range(5):
        lockout.record_failure(username="admin", ip="198.51.100.1")
    age_lockout_rows(60 * 60)
    lockout.record_failure(username="someone", ip="198.51.100.2")
    assert list(FailedLogin.objects.values_list("username", flat=True)) == ["someone"]
    assert not LoginLockout.objects.exists()


@pytest.mark.parametrize(
    ("seconds", "text"), [(900, "15 minutes"), (61, "2 minutes"), (60, "1 minute"), (5, "1 minute")]
)
def test_lock_message_rounds_up(seconds, text):
    from datetime import UTC, datetime

    lock = lockout.Lock(datetime.now(UTC), seconds)
    assert lock.message == f"Too many failed sign-in attempts. Try again in {text}."
