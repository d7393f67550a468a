"""The schedule builder: plain choices ("weekdays at 02:30") to a cron expression and back.

Users who do not read cron pick a repeat mode and its values; the builder
writes the five-field expression that queueing.cron validates and runs. The
reverse, :func:`recurrence_from_cron`, recognises exactly the shapes the builder
writes, so an edited schedule opens in the mode it was built with; anything
else opens as a custom expression, still editable by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError


class Mode:
    MINUTES = "minutes"
    HOURS = "hours"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    CUSTOM = "custom"


MODE_CHOICES = [
    (Mode.MINUTES, "Every few minutes"),
    (Mode.HOURS, "Every few hours"),
    (Mode.DAILY, "Daily"),
    (Mode.WEEKLY, "Weekly, on chosen days"),
    (Mode.MONTHLY, "Monthly"),
    (Mode.CUSTOM, "Custom (cron expression)"),
]
#: Step sizes that divide the hour or the day evenly, so runs are evenly spaced
#: (cron restarts a step at every hour or day boundary).
MINUTE_STEPS = (5, 10, 15, 20, 30)
HOUR_STEPS = (1, 2, 3, 4, 6, 8, 12)
#: Cron's day-of-week numbers, Sunday is 0; listed Monday first as calendars in most places do.
WEEKDAYS = [(1, "Mon"), (2, "Tue"), (3, "Wed"), (4, "Thu"), (5, "Fri"), (6, "Sat"), (0, "Sun")]
#: Days 29 to 31 do not exist every month: a monthly run on them would skip months.
LAST_SAFE_DAY = 28


@dataclass
class Recurrence:
    mode: str
    every: int = 1  # minutes or hours between runs
    minute: int = 0  # minute past the hour (hours mode) or of the time of day
    hour: int = 0
    weekdays: list[int] = field(default_factory=list)  # cron numbers, 0 = Sunday
    day: int = 1  # day of month

    def to_cron(self) -> str:
        """The five-field expression; ValidationError naming the value that is wrong."""
        _check(0 <= self.minute <= 59, "The minute must be between 0 and 59.")
        _check(0 <= self.hour <= 23, "The hour must be between 0 and 23.")
        if self.mode == Mode.MINUTES:
            _check(self.every in MINUTE_STEPS, f"Every N minutes: N is one of {MINUTE_STEPS}.")
            return f"*/{self.every} * * * *"
        if self.mode == Mode.HOURS:
            _check(self.every in HOUR_STEPS, f"Every N hours: N is one of {HOUR_STEPS}.")
            hours = "*" if self.every == 1 else f"*/{self.every}"
            return f"{self.minute} {hours} * * *"
        if self.mode == Mode.DAILY:
            return f"{self.minute} {self.hour} * * *"
        if self.mode == Mode.WEEKLY:
            days = sorted(set(self.weekdays))
            _check(bool(days), "Choose at least one day of the week.")
            _check(all(0 <= d <= 6 for d in days), "Days of the week are 0 (Sunday) to 6.")
            return f"{self.minute} {self.hour} * * {_ranges(days)}"
        if self.mode == Mode.MONTHLY:
            _check(
                1 <= self.day <= LAST_SAFE_DAY,
                f"The day of the month must be between 1 and {LAST_SAFE_DAY} "
                "(later days are missing in some months).",
            )
            return f"{self.minute} {self.hour} {self.day} * *"
        raise ValidationError("Choose how often the schedule repeats.")


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise ValidationError(message)


def _ranges(days: list[int]) -> str:
    """[1, 2, 3, 4, 5] -> '1-5'; [1, 3, 5] -> '1,3,5' (sorted, unique input)."""
    parts: list[str] = []
    start = prev = days[0]
    for day in [*days[1:], None]:
        if day is not None and day == prev + 1:
            prev = day
            continue
        parts.append(str(start) if start == prev else f"{start}-{prev}")
        if day is not None:
            start = prev = day
    return ",".join(parts)


_NUMBER = r"(\d{1,2})"
_SHAPES = [
    (re.compile(r"\*/(\d{1,2}) \* \* \* \*"), Mode.MINUTES),
    (re.compile(rf"{_NUMBER} (\*|\*/\d{{1,2}}) \* \* \*"), Mode.HOURS),
    (re.compile(rf"{_NUMBER} {_NUMBER} \* \* \*"), Mode.DAILY),
    (re.compile(rf"{_NUMBER} {_NUMBER} \* \* ([0-6,\-]+)"), Mode.WEEKLY),
    (re.compile(rf"{_NUMBER} {_NUMBER} {_NUMBER} \* \*"), Mode.MONTHLY),
]


def _weekday_list(text: str) -> list[int] | None:
    days: set[int] = set()
    for part in text.split(","):
        low, _, high = part.partition("-")
        if not low.isdigit() or (high and not high.isdigit()):
            return None
        first, last = int(low), int(high or low)
        if first > last:
            return None
        days.update(range(first, last + 1))
    return sorted(days)


def recurrence_from_cron(expression: str) -> Recurrence:
    """The builder's choices for an expression it could have written, else CUSTOM.

    Round trip: for every recurrence r the builder accepts,
    ``recurrence_from_cron(r.to_cron()).to_cron() == r.to_cron()``.
    """
    text = " ".join((expression or "").split())
    for pattern, mode in _SHAPES:
        match = pattern.fullmatch(text)
        if not match:
            continue
        groups = match.groups()
        if mode == Mode.MINUTES:
            candidate = Recurrence(mode, every=int(groups[0]))
        elif mode == Mode.HOURS:
            every = 1 if groups[1] == "*" else int(groups[1][2:])
            candidate = Recurrence(mode, every=every, minute=int(groups[0]))
        elif mode == Mode.WEEKLY:
            days = _weekday_list(groups[2])
            if days is None:
                continue
            candidate = Recurrence(mode, minute=int(groups[0]), hour=int(groups[1]), weekdays=days)
        elif mode == Mode.MONTHLY:
            candidate = Recurrence(
                mode, minute=int(groups[0]), hour=int(groups[1]), day=int(groups[2])
            )
        else:
            candidate = Recurrence(mode, minute=int(groups[0]), hour=int(groups[1]))
        try:
            if candidate.to_cron() == text:
                return candidate
        except ValidationError:
            pass
    return Recurrence(Mode.CUSTOM)
