"""Throttle writes: profiles (validate, create, update, delete, make default, assign) and the
global daily budget.

Used by ``manage.py throttle_profiles`` and the web pages. Errors are
:class:`ProfileError` with a message a user can act on.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.db import transaction

from connectors.models import Connector
from queueing.models import ConnectorThrottle, GlobalThrottle, ThrottleProfile

#: Editable fields: name -> (type, minimum, maximum, help).
FIELDS: dict[str, tuple[type, float, float, str]] = {
    "commands_per_minute": (int, 1, 600, "search commands per minute"),
    "commands_per_hour": (int, 1, 36_000, "search commands per hour"),
    "min_interval_seconds": (int, 0, 86_400, "seconds between two dispatches"),
    "interval_jitter_seconds": (int, 0, 3_600, "random extra seconds on top of the interval"),
    "max_in_flight": (int, 1, 50, "commands in flight at once"),
    "batch_size": (int, 1, 100, "ids per search command"),
    "daily_budget": (int, 1, 1_000_000, "estimated indexer queries per 24 hours"),
    "error_cooldown_seconds": (int, 0, 86_400, "pause after a connector error"),
    "backoff_multiplier": (float, 1, 10, "growth of the pause per consecutive error"),
    "backoff_cap_seconds": (int, 0, 7 * 86_400, "longest error pause"),
    "rate_limit_pause_seconds": (int, 0, 7 * 86_400, "pause after a rate limit"),
    "queue_threshold": (int, 1, 10_000, "no dispatch while the download queue holds this many"),
    "command_timeout_seconds": (int, 60, 86_400, "a command not finished by then times out"),
    "grab_cooldown_hours": (int, 1, 24 * 30, "after a grab, hours to wait for the import"),
}
#: The rule the budget counts by (shown in the UI and the command's help).
BUDGET_RULE = (
    "The daily budget counts estimated indexer queries, not commands: an episode or a movie "
    "counts 1 per id, a season pack 1 (one query per indexer; per episode for anime and "
    "daily series), a series search one per monitored season."
)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.-]{0,59}$")


class ProfileError(Exception):
    """A profile change that was refused; the message says why."""


def clean_name(raw: Any, *, exclude_pk: int | None = None) -> str:
    name = str(raw or "").strip()
    if not _NAME.match(name):
        raise ProfileError(
            "profile name: 1-60 letters, digits, spaces, dots, dashes or underscores"
        )
    clash = ThrottleProfile.objects.filter(name__iexact=name)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ProfileError(f"a profile named {name!r} already exists")
    return name


def clean_value(field: str, raw: Any) -> int | float:
    if field not in FIELDS:
        raise ProfileError(f"unknown profile field {field!r}")
    kind, low, high, label = FIELDS[field]
    if isinstance(raw, bool):
        raise ProfileError(f"{field}: expected a number")
    try:
        value = kind(raw) if kind is float else int(str(raw).strip())
    except (TypeError, ValueError):
        raise ProfileError(f"{field} ({label}): {raw!r} is not a valid number") from None
    if kind is float and value != value:  # NaN
        raise ProfileError(f"{field}: not a number")
    if not low <= value <= high:
        raise ProfileError(f"{field} ({label}) must be between {low:g} and {high:g}")
    return value


def _check_consistent(values: Mapping[str, Any]) -> None:
    if values["commands_per_hour"] < values["commands_per_minute"]:
        raise ProfileError("commands_per_hour cannot be lower than commands_per_minute")
    if values["backoff_cap_seconds"] < values["error_cooldown_seconds"]:
        raise ProfileError("backoff_cap_seconds cannot be lower than error_cooldown_seconds")


def throttle_profile_create(
    *, name: str, description: str = "", based_on: ThrottleProfile | None = None, **fields: Any
) -> ThrottleProfile:
    """A custom profile: the given fields, the rest from ``based_on`` or the default profile."""
    base = based_on or ThrottleProfile.default()
    values = {f: getattr(base, f) for f in FIELDS}
    values.update({f: clean_value(f, v) for f, v in fields.items() if v is not None})
    _check_consistent(values)
    return ThrottleProfile.objects.create(
        name=clean_name(name),
        description=str(description or "")[:2000],
        is_preset=False,
        is_default=False,
        **values,
    )


def throttle_profile_update(
    *,
    profile: ThrottleProfile,
    name: str | None = None,
    description: str | None = None,
    **fields: Any,
) -> ThrottleProfile:
    """Change some fields of a profile (presets too; their names stay)."""
    changes = {f: clean_value(f, v) for f, v in fields.items() if v is not None}
    values = {f: getattr(profile, f) for f in FIELDS} | changes
    _check_consistent(values)
    if name is not None and name != profile.name:
        if profile.is_preset:
            raise ProfileError(f"{profile.name} is a preset: it cannot be renamed")
        profile.name = clean_name(name, exclude_pk=profile.pk)
    if description is not None:
        profile.description = str(description)[:2000]
    for f, v in changes.items():
        setattr(profile, f, v)
    profile.save()
    return profile


def throttle_profile_make_default(*, profile: ThrottleProfile) -> ThrottleProfile:
    with transaction.atomic():
        ThrottleProfile.objects.filter(is_default=True).exclude(pk=profile.pk).update(
            is_default=False
        )
        ThrottleProfile.objects.filter(pk=profile.pk).update(is_default=True)
    profile.is_default = True
    return profile


def throttle_profile_delete(*, profile: ThrottleProfile) -> None:
    if profile.is_preset:
        raise ProfileError(f"{profile.name} is a preset: edit it instead of deleting it")
    if profile.is_default:
        raise ProfileError(f"{profile.name} is the default profile: make another the default")
    users = list(
        ConnectorThrottle.objects.filter(profile=profile).values_list("connector__name", flat=True)
    )
    if users:
        raise ProfileError(f"{profile.name} is used by {', '.join(sorted(users))}")
    profile.delete()


def connector_throttle_assign(
    *, connector: Connector, profile: ThrottleProfile | None
) -> ConnectorThrottle:
    """Give a connector a profile (None: follow the default profile)."""
    row = ConnectorThrottle.for_connector(connector)
    row.profile = profile
    row.save(update_fields=["profile"])
    return row


def global_budget_set(*, daily_budget: int | None) -> None:
    """Set (or clear with None) the daily query budget shared by every connector."""
    with transaction.atomic():
        GlobalThrottle.objects.get_or_create(pk=GlobalThrottle.SINGLETON_PK)
        GlobalThrottle.objects.filter(pk=GlobalThrottle.SINGLETON_PK).update(
            daily_budget=daily_budget
        )


def profile_as_dict(profile: ThrottleProfile) -> dict[str, Any]:
    return {
        "name": profile.name,
        "description": profile.description,
        "is_preset": profile.is_preset,
        "is_default": profile.is_default,
        **{f: getattr(profile, f) for f in FIELDS},
        "connectors": sorted(
            ConnectorThrottle.objects.filter(profile=profile).values_list(
                "connector__name", flat=True
            )
        ),
    }
