"""Which settings the environment decides, and what is in effect: the one owner of that knowledge.

Deployment settings belong to whoever runs the container, so an environment
variable wins over the settings page: the page shows the field disabled with
"Set by the environment (TZ)", and a forged POST cannot change it
(app_settings_update drops locked fields). LOG_LEVEL is the exception kept
from before: it only seeds the first value, and the page wins afterwards.

Settings are read in ``settings.py`` at start-up (environment variables do not
change while a process runs); this module only interprets them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from comradarr.models import AppSettings


@dataclass(frozen=True)
class EnvSource:
    """An environment variable that can also set a field of the settings page."""

    field: str  # AppSettings field
    variable: str  # environment variable
    setting: str  # the name settings.py stores the variable's value under
    locks: bool  # True: while set it wins; False: it only seeds the first value

    def value(self) -> str:
        return getattr(settings, self.setting, None) or ""

    @property
    def is_set(self) -> bool:
        return bool(self.value())


SOURCES: tuple[EnvSource, ...] = (
    EnvSource("time_zone", "TZ", "TIME_ZONE_ENV", locks=True),
    EnvSource("public_url", "PUBLIC_URL", "PUBLIC_URL", locks=True),
    # Seeds the row once (AppSettings default); the log level is changed at run time.
    EnvSource("log_level", "LOG_LEVEL", "LOG_LEVEL", locks=False),
)
BY_FIELD = {source.field: source for source in SOURCES}


def locked_fields() -> dict[str, str]:
    """AppSettings field -> the environment variable that sets it now."""
    return {s.field: s.variable for s in SOURCES if s.locks and s.is_set}


def locked_message(variable: str) -> str:
    return f"Set by the environment ({variable}); change it there and restart."


def effective_time_zone(row: AppSettings) -> str:
    """The time zone pages and notifications use: TZ when set, else the settings page's."""
    return settings.TIME_ZONE_ENV or row.time_zone or settings.TIME_ZONE


def effective_public_url(row: AppSettings) -> str:
    """The public address links start with: PUBLIC_URL when set, else the settings page's."""
    return settings.PUBLIC_URL or row.public_url
