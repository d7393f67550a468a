"""Sign-in and application-settings services used by the views and the admin."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.contrib.auth import authenticate
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest

from comradarr import settings_sources
from comradarr.accounts import lockout, runtime
from comradarr.accounts.client_ip import client_ip
from comradarr.models import AppSettings

logger = logging.getLogger(__name__)

BAD_CREDENTIALS = "Wrong username or password."
WRONG_CURRENT_PASSWORD = "That is not the current password."  # noqa: S105 - a message


@dataclass(frozen=True)
class LoginOutcome:
    """Either the user to sign in, or the message to show."""

    user: AbstractBaseUser | None
    error: str = ""
    locked: bool = False


def login_check(*, request: HttpRequest, username: str, password: str, ip: str) -> LoginOutcome:
    """Check credentials under the lockout rules; does not start the session.

    A locked username or address is refused before the password is checked,
    so a lock cannot be used to test guesses, and refused attempts do not
    extend the lock.
    """
    lock = lockout.active_lock(username=username, ip=ip)
    if lock is not None:
        logger.info("sign-in refused: locked", extra={"client_ip": ip})
        return LoginOutcome(user=None, error=lock.message, locked=True)

    user = authenticate(request, username=username, password=password)
    if user is None:
        # The username is left out: people type passwords into that box too.
        logger.warning("sign-in failed", extra={"client_ip": ip})
        lock = lockout.record_failure(username=username, ip=ip)
        if lock is not None:
            return LoginOutcome(user=None, error=lock.message, locked=True)
        return LoginOutcome(user=None, error=BAD_CREDENTIALS)

    lockout.clear_failures(username=username, ip=ip)
    logger.info("sign-in succeeded", extra={"username": user.get_username(), "client_ip": ip})
    return LoginOutcome(user=user)


def confirm_password(*, request: HttpRequest, user: AbstractBaseUser, password: str) -> str:
    """ "" when `password` is `user`'s current one, else the message to show.

    Used wherever a signed-in (or bypassed) user must prove they know the
    password before a change that would weaken the install. A wrong password
    counts as a failed sign-in, so these forms are no way around the lockout.
    """
    username, ip = user.get_username(), client_ip(request)
    lock = lockout.active_lock(username=username, ip=ip)
    if lock is not None:
        return lock.message
    if not password or not user.check_password(password):
        logger.warning("current password check failed", extra={"client_ip": ip})
        lock = lockout.record_failure(username=username, ip=ip)
        return lock.message if lock is not None else WRONG_CURRENT_PASSWORD
    return ""


#: The AppSettings fields a caller may change (what the general settings page edits).
EDITABLE_FIELDS = (
    "auth_mode",
    "log_level",
    "display_name",
    "time_zone",
    "public_url",
    "update_check",
)


def app_settings_update(**values: object) -> AppSettings:
    """Save general settings and apply them in this process at once.

    Takes any of EDITABLE_FIELDS by keyword. A field the environment sets now
    (comradarr.settings_sources) keeps its stored value whatever is passed:
    a forged POST cannot change it. Other processes pick the change up within
    runtime.REFRESH_SECONDS.
    """
    unknown = set(values) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not an editable setting: {', '.join(sorted(unknown))}")
    locked = settings_sources.locked_fields()
    row = AppSettings.load()
    changed = {}
    for name, value in values.items():
        if name in locked or getattr(row, name) == value:
            continue
        changed[name] = (getattr(row, name), value)
        setattr(row, name, value)
    row.full_clean()
    row.save()
    runtime.apply(row)
    if changed:
        logger.warning(
            "application settings changed",
            extra={"changes": {k: {"from": a, "to": b} for k, (a, b) in changed.items()}},
        )
    return row
