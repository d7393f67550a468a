"""Sign-in lockout: per (username, address) pair and per address, plus a slower per-username delay.

- LOCKOUT_ATTEMPTS failures within LOCKOUT_WINDOW_SECONDS for one username from
  one address lock that pair for LOCKOUT_DURATION_SECONDS; the same number from
  one address (whatever the usernames) lock the address. Locking the username
  itself would let anyone keep the admin out forever by typing wrong passwords.
- Against guesses spread over many addresses, a username with
  LOCKOUT_USERNAME_ATTEMPTS failures in the window is slowed down, never locked
  out: it takes one attempt per LOCKOUT_USERNAME_DELAY_SECONDS, a delay that
  doubles with every further LOCKOUT_ATTEMPTS failures up to
  LOCKOUT_USERNAME_DELAY_MAX_SECONDS. The admin still gets in, a few seconds later.

State lives in the database so every worker process sees the same counts, and
every timestamp comes from the database clock (statement_timestamp(), UTC) so
workers whose clocks drift cannot shorten or stretch a lock. Failures from
before a lock ended do not count again, so an expired lock does not re-lock on
the next typo. `manage.py lockouts list|clear` shows and lifts them.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q

from comradarr.models import FailedLogin, LoginLockout

logger = logging.getLogger(__name__)

Scope = LoginLockout.Scope


@dataclass(frozen=True)
class Lock:
    """An active lock (or per-username delay) and how long it has left."""

    locked_until: datetime
    remaining_seconds: float
    delay: bool = False

    @property
    def remaining_minutes(self) -> int:
        return max(1, math.ceil(self.remaining_seconds / 60))

    @property
    def message(self) -> str:
        if self.delay:
            seconds = max(1, math.ceil(self.remaining_seconds))
            unit = "second" if seconds == 1 else "seconds"
            return (
                "Too many failed sign-in attempts for this username from several places. "
                f"Try again in {seconds} {unit}."
            )
        minutes = self.remaining_minutes
        unit = "minute" if minutes == 1 else "minutes"
        return f"Too many failed sign-in attempts. Try again in {minutes} {unit}."


def username_key(username: str) -> str:
    """Case-folded so "Admin" and "admin" share one counter."""
    return username.strip().casefold()[:150]


def pair_key(username: str, ip: str) -> str:
    """The key of a (username, address) lock: "user|address" ("user|" for an unknown address)."""
    return f"{username_key(username)}|{ip}"


def db_now() -> datetime:
    """The database's clock, timezone-aware UTC."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement_timestamp()")
        return cursor.fetchone()[0]


def _blocking_keys(username: str, ip: str) -> list[tuple[str, str]]:
    keys = []
    if username_key(username):
        keys.append((Scope.PAIR, pair_key(username, ip)))
    if ip:
        keys.append((Scope.ADDRESS, ip))
    return keys


def active_lock(*, username: str, ip: str) -> Lock | None:
    """The lock on this pair or address, else this username's delay, if any."""
    keys = _blocking_keys(username, ip)
    if username_key(username):
        keys.append((Scope.USERNAME, username_key(username)))
    if not keys:
        return None
    now = db_now()
    match = Q()
    for scope, key in keys:
        match |= Q(scope=scope, key=key)
    rows = list(
        LoginLockout.objects.filter(match, locked_until__gt=now).values_list(
            "scope", "locked_until"
        )
    )
    blocking = [until for scope, until in rows if scope != Scope.USERNAME]
    if blocking:
        until = max(blocking)
        return Lock(until, (until - now).total_seconds())
    delays = [until for scope, until in rows if scope == Scope.USERNAME]
    if delays:
        return Lock(delays[0], (delays[0] - now).total_seconds(), delay=True)
    return None


def _failures_since(scope: str, username: str, ip: str, since: datetime):
    failures = FailedLogin.objects.filter(attempted_at__gt=since)
    if scope in (Scope.PAIR, Scope.USERNAME):
        failures = failures.filter(username=username_key(username))
    if scope in (Scope.PAIR, Scope.ADDRESS):
        failures = failures.filter(client_ip=ip or None)
    return failures


def _since(scope: str, key: str, window_start: datetime) -> datetime:
    previous_end = (
        LoginLockout.objects.filter(scope=scope, key=key)
        .values_list("locked_until", flat=True)
        .first()
    )
    return max(window_start, previous_end) if previous_end is not None else window_start


def _upsert(scope: str, key: str, until: datetime) -> None:
    # An upsert: two workers failing at once must not collide on the unique key.
    LoginLockout.objects.bulk_create(
        [LoginLockout(scope=scope, key=key, locked_until=until)],
        update_conflicts=True,
        unique_fields=["scope", "key"],
        update_fields=["locked_until"],
    )


def username_delay_seconds(failures: int) -> float:
    """The per-username delay after `failures` failures in the window (0: none)."""
    threshold = settings.LOCKOUT_USERNAME_ATTEMPTS
    if failures < threshold:
        return 0.0
    doublings = (failures - threshold) // settings.LOCKOUT_ATTEMPTS
    delay = settings.LOCKOUT_USERNAME_DELAY_SECONDS * 2 ** min(doublings, 20)
    return float(min(delay, settings.LOCKOUT_USERNAME_DELAY_MAX_SECONDS))


def record_failure(*, username: str, ip: str) -> Lock | None:
    """Count one failed sign-in; returns the lock or delay it caused, if any."""
    window = timedelta(seconds=settings.LOCKOUT_WINDOW_SECONDS)
    duration = timedelta(seconds=settings.LOCKOUT_DURATION_SECONDS)
    lock = None
    with transaction.atomic():
        now = db_now()
        FailedLogin.objects.create(
            username=username_key(username), client_ip=ip or None, attempted_at=now
        )
        for scope, key in _blocking_keys(username, ip):
            since = _since(scope, key, now - window)
            if _failures_since(scope, username, ip, since).count() < settings.LOCKOUT_ATTEMPTS:
                continue
            until = now + duration
            _upsert(scope, key, until)
            lock = Lock(until, duration.total_seconds())
            logger.warning(
                "sign-in locked",
                extra={"lock_scope": str(scope), "lock_key": key, "locked_until": until},
            )
        if username_key(username):
            count = _failures_since(Scope.USERNAME, username, ip, now - window).count()
            delay = username_delay_seconds(count)
            if delay:
                until = now + timedelta(seconds=delay)
                _upsert(Scope.USERNAME, username_key(username), until)
                logger.warning(
                    "sign-in slowed down for a username",
                    extra={"failures_in_window": count, "delay_seconds": delay},
                )
                if lock is None:
                    lock = Lock(until, delay, delay=True)
        # Rows that can no longer affect any decision.
        FailedLogin.objects.filter(attempted_at__lt=now - window - duration).delete()
        LoginLockout.objects.filter(locked_until__lt=now - window).delete()
    return lock


def clear_failures(*, username: str, ip: str = "") -> None:
    """A successful sign-in forgets the failures of its (username, address) pair.

    The username's failures from other addresses stay: they are someone else's
    guesses, and the per-username delay must keep counting them.
    """
    FailedLogin.objects.filter(username=username_key(username), client_ip=ip or None).delete()


def matching(*, username: str = "", address: str = "") -> tuple:
    """(locks, failures) querysets for `manage.py lockouts`: all, or those of a username/address."""
    locks, failures = LoginLockout.objects.all(), FailedLogin.objects.all()
    if username:
        user = username_key(username)
        locks = locks.filter(
            Q(scope=Scope.USERNAME, key=user) | Q(scope=Scope.PAIR, key__startswith=f"{user}|")
        )
        failures = failures.filter(username=user)
    if address:
        locks = locks.filter(
            Q(scope=Scope.ADDRESS, key=address) | Q(scope=Scope.PAIR, key__endswith=f"|{address}")
        )
        failures = failures.filter(client_ip=address)
    return locks, failures
