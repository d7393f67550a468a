"""The application settings row as each process sees it, and the log level that follows it.

Every request needs the auth mode, and every process must follow a log level
changed on the settings page, but a query per request for a row that changes a
few times a year is waste. So each process keeps the row for REFRESH_SECONDS
and re-reads it after that: on the next request (AuthModeMiddleware,
TimeZoneMiddleware) in gunicorn workers, and at the start of each task (a
django-q pre_execute hook, which also activates the time zone) in queue
workers. The process that saves a change applies it at once
(app_settings_update calls apply()); the others follow within REFRESH_SECONDS.
A row read is cheap (primary key), so nothing smarter, such as a
LISTEN/NOTIFY channel, is worth its moving parts here.
"""

from __future__ import annotations

import threading
import time
import zoneinfo

from django.utils import timezone

from comradarr import logs, settings_sources
from comradarr.models import AppSettings

REFRESH_SECONDS = 30.0
# A monotonic clock: wall-clock jumps (NTP, DST) must not freeze or flush the cache.
_clock = time.monotonic

_lock = threading.Lock()
_cached: AppSettings | None = None
_loaded_at = float("-inf")
_applied_level: str | None = None
# Set by SIGHUP (mark_stale): a plain assignment, safe in a signal handler where
# taking _lock could deadlock with the code the signal interrupted.
_stale = False


def current() -> AppSettings:
    """The settings row, at most REFRESH_SECONDS old; applies a changed log level."""
    global _cached, _loaded_at
    row = _cached
    if row is not None and not _stale and _clock() - _loaded_at < REFRESH_SECONDS:
        return row
    row = AppSettings.load()
    apply(row)
    return row


def apply(row: AppSettings) -> None:
    """Make this process follow `row` now (cache it and set its log level)."""
    global _cached, _loaded_at, _applied_level, _stale
    with _lock:
        _cached, _loaded_at, _stale = row, _clock(), False
        if row.log_level != _applied_level:
            logs.set_level(row.log_level)
            _applied_level = row.log_level


def invalidate() -> None:
    """Forget the cached row: the next current() reads the database."""
    global _cached, _loaded_at, _applied_level
    with _lock:
        _cached, _loaded_at, _applied_level = None, float("-inf"), None


def activate_time_zone() -> None:
    """Show times in this thread in the time zone in effect (TZ, else the settings page's)."""
    name = settings_sources.effective_time_zone(current())
    try:
        timezone.activate(zoneinfo.ZoneInfo(name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        # A zone removed from tzdata since it was saved: the process default, not a crash.
        timezone.deactivate()


def public_url() -> str:
    """The address links in messages start with (PUBLIC_URL, else the settings page's)."""
    return settings_sources.effective_public_url(current())


def mark_stale() -> None:
    """Re-read the row on the next current() (SIGHUP); safe to call from a signal handler."""
    global _stale
    _stale = True


def refresh_before_task(sender: object = None, **kwargs: object) -> None:
    """django-q pre_execute receiver: queue workers follow the settings (log level, time zone)."""
    activate_time_zone()


def connect_task_hook() -> None:
    """Called from the app's ready(): django-q signals exist only once apps load."""
    from django_q.signals import pre_execute

    pre_execute.connect(refresh_before_task, dispatch_uid="comradarr.runtime.refresh")
