"""Sign-in lockout: too many failures lock the username and the client address.

LOCKOUT_ATTEMPTS failures within LOCKOUT_WINDOW_SECONDS lock the username (and,
separately, the address) for LOCKOUT_DURATION_SECONDS. State lives in the
database so every worker process sees the same counts, and every timestamp
comes from the database clock (statement_timestamp(), UTC) so workers whose
clocks drift cannot shorten or stretch a lock. Failures from before a lock
ended do not count again, so an expired lock does not re-lock on the next typo.
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


@dataclass(frozen=True)
class Lock:
    """An active lock and how long it has left."""

    locked_until: datetime
    remaining_seconds: float

    @property
    def remaining_minutes(self) -> int:
        return max(1, math.ceil(self.remaining_seconds / 60))

    @property
    def message(self) -> str:
        minutes = self.remaining_minutes
        unit = "minute" if minutes == 1 else "minutes"
        return f"Too many failed sign-in attempts. Try again in {minutes} {unit}."


def username_key(username: str) -> str:
    """Case-folded so "Admin" and "admin" share one counter."""
    return username.strip().casefold()[:150]


def db_now() -> datetime:
    """The database's clock, timezone-aware UTC."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement_timestamp()")
        return cursor.fetchone()[0]


def _keys(username: str, ip: str) -> list[tuple[str, str]]:
    keys = []
    if username_key(username):
        keys.append((LoginLockout.Scope.USERNAME, username_key(username)))
    if ip:
        keys.append((LoginLockout.Scope.ADDRESS, ip))
    return keys


def active_lock(*, username: str, ip: str) -> Lock | None:
    """The longest-running lock on this username or address, if any."""
    keys = _keys(username, ip)
    if not keys:
        return None
    now = db_now()
    match = Q()
    for scope, key in keys:
        match |= Q(scope=scope, key=key)
    locked_until = (
        LoginLockout.objects.filter(match, locked_until__gt=now)
        .order_by("-locked_until")
        .values_list("locked_until", flat=True)
        .first()
    )
    if locked_until is None:
        return None
    return Lock(locked_until, (locked_until - now).total_seconds())


def record_failure(*, username: str, ip: str) -> Lock | None:
    """Count one failed sign-in; returns the lock it caused, if it caused one."""
    window = timedelta(seconds=settings.LOCKOUT_WINDOW_SECONDS)
    duration = timedelta(seconds=settings.LOCKOUT_DURATION_SECONDS)
    user_key = username_key(username)
    lock = None
    with transaction.atomic():
        now = db_now()
        FailedLogin.objects.create(username=user_key, client_ip=ip or None, attempted_at=now)
        for scope, key in _keys(username, ip):
            since = now - window
            previous_end = (
                LoginLockout.objects.filter(scope=scope, key=key)
                .values_list("locked_until", flat=True)
                .first()
            )
            if previous_end is not None and previous_end > since:
                since = previous_end
            failures = FailedLogin.objects.filter(attempted_at__gt=since)
            if scope == LoginLockout.Scope.USERNAME:
                failures = failures.filter(username=key)
            else:
                failures = failures.filter(client_ip=key)
            if failures.count() < settings.LOCKOUT_ATTEMPTS:
                continue
            until = now + duration
            # An upsert: two workers failing at once must not collide on the unique key.
            LoginLockout.objects.bulk_create(
                [LoginLockout(scope=scope, key=key, locked_until=until)],
                update_conflicts=True,
                unique_fields=["scope", "key"],
                update_fields=["locked_until"],
            )
            lock = Lock(until, duration.total_seconds())
            logger.warning(
                "sign-in locked",
                extra={"lock_scope": str(scope), "lock_key": key, "locked_until": until},
            )
        # Rows that can no longer affect any decision.
        FailedLogin.objects.filter(attempted_at__lt=now - window - duration).delete()
        LoginLockout.objects.filter(locked_until__lt=now - window).delete()
    return lock


def clear_failures(*, username: str) -> None:
    """A successful sign-in forgets the username's failures."""
    FailedLogin.objects.filter(username=username_key(username)).delete()
