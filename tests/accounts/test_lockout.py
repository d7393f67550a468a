"""Lockout: per (username, address) pair and per address, a per-username delay, on the
database clock, with a clear message; `manage.py lockouts` (issue 9, point 10)."""

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
    settings.LOCKOUT_USERNAME_ATTEMPTS = 20
    settings.LOCKOUT_USERNAME_DELAY_SECONDS = 5
    settings.LOCKOUT_USERNAME_DELAY_MAX_SECONDS = 60


def attempt(client, username="admin", password=WRONG, ip="198.51.100.20"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_four_failures_do_not_lock(client, admin_user):
    for _ in range(4):
        attempt(client)
    response = attempt(client, password=PASSWORD)
    assert response.status_code == 302


def test_fifth_failure_locks_the_pair_with_a_clear_message(client, admin_user):
    for _ in range(4):
        assert LOCK_MESSAGE not in attempt(client).content.decode()
    response = attempt(client)
    assert response.status_code == 429
    assert "Too many failed sign-in attempts. Try again in 15 minutes." in response.content.decode()
    # The right password is refused while locked, from that address.
    response = attempt(client, password=PASSWORD)
    assert response.status_code == 429
    assert LOCK_MESSAGE in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_someone_elses_failures_do_not_lock_the_admin_out(client, admin_user):
    """The old rule locked the username: anyone could keep the admin out forever."""
    for _ in range(10):
        attempt(client, ip="198.51.100.66")
    assert attempt(client, password=PASSWORD, ip="203.0.113.1").status_code == 302


def test_pair_lock_ignores_case(client, admin_user):
    for name in ["admin", "Admin", "ADMIN", "aDmin", " admin "]:
        attempt(client, username=name, ip="198.51.100.7")
    assert attempt(client, password=PASSWORD, ip="198.51.100.7").status_code == 429


def test_address_lock_covers_every_username(client, admin_user):
    for n in range(5):
        attempt(client, username=f"guess{n}", ip="198.51.100.20")
    response = attempt(client, password=PASSWORD, ip="198.51.100.20")
    assert response.status_code == 429
    assert LOCK_MESSAGE in response.content.decode()
    # Another address can still sign in: the username itself was not locked.
    assert attempt(client, password=PASSWORD, ip="203.0.113.50").status_code == 302


def test_many_addresses_slow_the_username_down_without_locking_it(
    client, admin_user, age_lockout_rows
):
    # 20 failures spread over addresses (4 each, so no pair or address lock).
    for n in range(20):
        attempt(client, ip=f"198.51.100.{n // 4 + 1}")
    response = attempt(client, password=PASSWORD, ip="203.0.113.50")
    assert response.status_code == 429
    assert "from several places. Try again in 5 seconds." in response.content.decode()
    # A delay, not a lock: a few seconds later the right password gets in.
    age_lockout_rows(6)
    assert attempt(client, password=PASSWORD, ip="203.0.113.50").status_code == 302


def test_username_delay_grows_and_is_capped(settings):
    delays = [lockout.username_delay_seconds(n) for n in (19, 20, 24, 25, 30, 35, 500)]
    assert delays == [0, 5, 5, 10, 20, 40, 60]


def test_a_success_keeps_other_addresses_failures(client, admin_user):
    for n in range(3):
        attempt(client, ip=f"198.51.100.{n + 1}")
    attempt(client, ip="203.0.113.50")
    assert attempt(client, password=PASSWORD, ip="203.0.113.50").status_code == 302
    assert FailedLogin.objects.count() == 3


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
    until = LoginLockout.objects.get(scope="pair").locked_until
    count = FailedLogin.objects.count()
    for _ in range(3):
        attempt(client)
    assert LoginLockout.objects.get(scope="pair").locked_until == until
    assert FailedLogin.objects.count() == count


def test_success_clears_the_pairs_failures(client, admin_user):
    for _ in range(4):
        attempt(client, ip="198.51.100.20")
    assert attempt(client, password=PASSWORD, ip="198.51.100.20").status_code == 302
    assert not FailedLogin.objects.filter(username="admin").exists()
    client.post(reverse("logout"))
    # Four more failures from the same address do not lock: the count started again.
    for _ in range(4):
        attempt(client)
    assert attempt(client, password=PASSWORD).status_code == 302


def test_settings_change_the_threshold(client, admin_user, settings):
    settings.LOCKOUT_ATTEMPTS = 2
    attempt(client)
    assert attempt(client).status_code == 429


def test_lockout_uses_the_database_clock(admin_user):
    lock = None
    for _ in range(5):
        lock = lockout.record_failure(username="admin", ip="198.51.100.1")
    assert lock is not None
    stored = LoginLockout.objects.get(scope="pair").locked_until
    assert stored.utcoffset().total_seconds() == 0
    row = FailedLogin.objects.first()
    assert row.attempted_at.utcoffset().total_seconds() == 0
    now = lockout.db_now()
    assert 0 < (stored - now).total_seconds() <= 15 * 60


def test_unknown_address_still_locks_its_pair(admin_user):
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


# manage.py lockouts -------------------------------------------------------------------


def lockouts(*args: str) -> str:
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("lockouts", *args, stdout=out)
    return out.getvalue()


def test_lockouts_list_and_clear_everything(client, admin_user):
    for _ in range(5):
        attempt(client, ip="198.51.100.20")
    listing = lockouts("list")
    assert "admin|198.51.100.20" in listing
    assert "198.51.100.20" in listing
    assert "Cleared 2 lock(s) and 5 recorded failure(s)." in lockouts("clear")
    assert lockouts("list").strip() == "No active lockouts."
    assert attempt(client, password=PASSWORD, ip="198.51.100.20").status_code == 302


def test_lockouts_clear_one_username_or_address(client, admin_user):
    for _ in range(5):
        attempt(client, ip="198.51.100.20")
    for _ in range(5):
        attempt(client, username="root", ip="198.51.100.30")
    lockouts("clear", "--username", "ADMIN", "--address", "198.51.100.20")
    keys = set(LoginLockout.objects.values_list("key", flat=True))
    assert keys == {"198.51.100.20", "root|198.51.100.30", "198.51.100.30"}
    lockouts("clear", "--address", "198.51.100.30")
    assert set(LoginLockout.objects.values_list("key", flat=True)) == {"198.51.100.20"}
    lockouts("clear", "--username", "root")
    assert not FailedLogin.objects.filter(username="root").exists()


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["clear", "--address", "not-an-ip"], "is not an IP address"),
        (["clear", "--username", "x" * 151], "longer than 150"),
        (["wipe"], "invalid choice"),
    ],
)
def test_lockouts_bad_arguments_say_why(db, args, error):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match=error):
        lockouts(*args)
