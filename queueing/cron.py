"""Cron expressions and time zones: validate, describe, compute next runs, preview.

The one owner of what a valid cron or zone is, for the built-in jobs (from the
environment), the users' sweep schedules (form, services, stored rows) and the
live preview beside the form. Everything a user types is checked *before* any
work: a length limit, then the grammar (five fields, croniter's rules) or the
list of known zone names, so hostile input (a megabyte of text, a path, a NUL)
costs microseconds and never reaches the file system. Computing next runs is
bounded too: a few runs at most, a cap on iterations and on time, and a cron
that can never fire ("0 0 30 2 *") is a validation error, not a crash.
"""

from __future__ import annotations

import time
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from cron_descriptor import (
    ExpressionDescriptor,
    FormatException,
    MissingFieldException,
    Options,
    WrongArgumentException,
)
from croniter import CroniterError, croniter
from django.core.exceptions import ValidationError
from django.utils import timezone

#: Longest cron expression accepted anywhere (five fields with lists fit easily).
CRON_MAX_LENGTH = 100
#: Longest zone name accepted (the longest IANA name has 32 characters).
TIMEZONE_MAX_LENGTH = 64
#: Most next runs any caller may ask for (the preview shows 3).
MAX_NEXT_RUNS = 10
#: Wall-clock budget of one next-runs computation; a cron slower than this is refused.
NEXT_RUNS_SECONDS = 0.5
#: croniter looks this many years ahead for a match before giving up (default 50).
MAX_YEARS_BETWEEN_RUNS = 8

_HELP = (
    "Use five fields: minute (0-59), hour (0-23), day of month (1-31), month (1-12), "
    "day of week (0-6, Sunday is 0); e.g. '0 */6 * * *' for every 6 hours."
)


def cron_normalise(expression: str, *, source: str = "cron expression") -> str:
    """The normalised five-field expression, or ValueError saying what is wrong.

    The environment's form of the check (settings raise ImproperlyConfigured
    from it); users get :func:`cron_validate`.
    """
    if not isinstance(expression, str):
        raise ValueError(f"{source} must be text, e.g. '0 * * * *'")
    if len(expression) > CRON_MAX_LENGTH:
        raise ValueError(f"{source} is too long ({CRON_MAX_LENGTH} characters at most)")
    text = " ".join(expression.split())
    fields = text.split(" ") if text else []
    if len(fields) != 5:
        raise ValueError(
            f"{source} {expression!r} must have 5 fields (minute hour day-of-month month "
            f"day-of-week), not {len(fields)}"
        )
    if not croniter.is_valid(text):
        raise ValueError(f"{source} {expression!r} is not a valid cron expression")
    return text


def cron_validate(expression: str) -> str:
    """The normalised expression, or ValidationError with a message a user can act on."""
    try:
        return cron_normalise(expression, source="The cron expression")
    except ValueError as exc:
        raise ValidationError(f"{exc}. {_HELP}") from None


@lru_cache(maxsize=1)
def known_timezones() -> frozenset[str]:
    """The IANA zone names this system knows (read once per process)."""
    return frozenset(zoneinfo.available_timezones())


def timezone_validate(name: str) -> zoneinfo.ZoneInfo:
    """The zone of a known IANA name; ValidationError for anything else, never OSError."""
    if not isinstance(name, str) or not name.strip():
        raise ValidationError("A time zone is required, e.g. 'UTC' or 'Europe/Berlin'.")
    name = name.strip()
    if len(name) > TIMEZONE_MAX_LENGTH:
        raise ValidationError(
            f"That is not a time zone name ({TIMEZONE_MAX_LENGTH} characters at most); "
            "use an IANA name such as 'Europe/Berlin'."
        )
    if name not in known_timezones():
        raise ValidationError(
            f"{name!r} is not a known time zone; use an IANA name such as 'Europe/Berlin'."
        )
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, OSError, ValueError):
        raise ValidationError(f"The time zone {name!r} cannot be read on this system.") from None


def cron_describe(expression: str) -> str:
    """'0 */6 * * *' -> 'Every 6 hours' (24-hour clock); ValidationError when invalid."""
    cron = cron_validate(expression)
    options = Options()
    options.use_24hour_time_format = True
    options.verbose = False
    try:
        return ExpressionDescriptor(cron, options).get_description()
    # The describer's own parser is stricter in corners croniter accepts: show the cron itself.
    except (FormatException, MissingFieldException, WrongArgumentException):
        return cron


def cron_next_runs(
    expression: str, *, tz: str = "UTC", after: datetime | None = None, count: int = 1
) -> list[datetime]:
    """The next ``count`` run times after ``after`` (default now), as aware UTC datetimes.

    A time that happens twice (the fall-back hour) runs once. ValidationError
    when the cron or zone is invalid, when the cron never fires within
    :data:`MAX_YEARS_BETWEEN_RUNS` years, or when the computation overruns its budget.
    """
    if not 1 <= count <= MAX_NEXT_RUNS:
        raise ValueError(f"count must be between 1 and {MAX_NEXT_RUNS}")
    cron = cron_validate(expression)
    zone = timezone_validate(tz)
    start = (after or timezone.now()).astimezone(zone)
    deadline = time.monotonic() + NEXT_RUNS_SECONDS
    iterator = croniter(cron, start, max_years_between_matches=MAX_YEARS_BETWEEN_RUNS)
    runs: list[datetime] = []
    last_wall: datetime | None = None
    # Each repeated wall time is skipped once, so 2 * count steps always suffice.
    for _ in range(2 * count + 2):
        if len(runs) == count:
            break
        if time.monotonic() > deadline:
            raise ValidationError("The cron expression takes too long to plan; simplify it.")
        try:
            moment = iterator.get_next(datetime)
        except CroniterError:
            raise ValidationError(
                f"The cron expression {cron!r} never runs (no matching date within "
                f"{MAX_YEARS_BETWEEN_RUNS} years). {_HELP}"
            ) from None
        wall = moment.replace(tzinfo=None)
        if wall == last_wall:
            continue  # the repeated hour of a fall-back night: run once
        last_wall = wall
        runs.append(moment.astimezone(UTC))
    return runs


def cron_runs_between(
    expression: str, *, tz: str, start: datetime, end: datetime, limit: int
) -> tuple[list[datetime], bool]:
    """Run times in [start, end) as aware UTC datetimes, at most ``limit`` of them.

    Returns (runs, truncated). For the 7-day timeline: an every-5-minutes cron
    has 2,016 runs a week, so callers draw a band past their limit instead of
    marks. Same validation and time budget as :func:`cron_next_runs`.
    """
    cron = cron_validate(expression)
    zone = timezone_validate(tz)
    deadline = time.monotonic() + NEXT_RUNS_SECONDS
    iterator = croniter(
        cron,
        (start - timedelta(seconds=1)).astimezone(zone),
        max_years_between_matches=MAX_YEARS_BETWEEN_RUNS,
    )
    runs: list[datetime] = []
    last_wall: datetime | None = None
    while len(runs) <= limit:
        if time.monotonic() > deadline:
            raise ValidationError("The cron expression takes too long to plan; simplify it.")
        try:
            moment = iterator.get_next(datetime)
        except CroniterError:
            break  # never again within the search horizon: nothing in this window either
        if moment >= end:
            break
        wall = moment.replace(tzinfo=None)
        if wall == last_wall:
            continue  # the repeated hour of a fall-back night: run once
        last_wall = wall
        runs.append(moment.astimezone(UTC))
    return runs[:limit], len(runs) > limit


@dataclass
class CronPreview:
    ok: bool
    description: str = ""
    next_runs: list[datetime] | None = None
    error: str = ""


def cron_preview(*, cron: str, tz: str, count: int = 3) -> CronPreview:
    """Description and next runs of what a user is typing, or the validation messages.

    Both fields are checked first (each error is reported), so nothing hostile
    reaches croniter or the zone database.
    """
    errors: list[str] = []
    for check, value in ((cron_validate, cron), (timezone_validate, tz or "UTC")):
        try:
            check(value)
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        return CronPreview(ok=False, error=" ".join(errors))
    try:
        return CronPreview(
            ok=True,
            description=cron_describe(cron),
            next_runs=cron_next_runs(cron, tz=tz or "UTC", count=min(count, MAX_NEXT_RUNS)),
        )
    except ValidationError as exc:
        return CronPreview(ok=False, error=" ".join(exc.messages))
