"""The analytics page's selection: a date range and a connector, parsed from the query string.

Bad input (an unknown preset, a malformed or reversed date, a range too long,
a connector id that is not a number or does not exist) raises RangeError with
a sentence the page shows and the data endpoints return with status 400.
Custom dates are days in the user's time zone (TIME_ZONE), so a range across
a DST change covers whole local days of 23 or 25 hours.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from connectors.models import Connector

PRESETS: dict[str, timedelta] = {
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
    "90d": timedelta(days=90),
    "1y": timedelta(days=365),
}
PRESET_LABELS = {"24h": "24 h", "7d": "7 days", "30d": "30 days", "90d": "90 days", "1y": "1 year"}
DEFAULT_PRESET = "30d"
CUSTOM = "custom"
#: The longest custom range: the daily retention's default, and a bit.
MAX_DAYS = 3 * 366
#: Ranges up to this long are charted by the hour, longer ones by the day.
HOURLY_UP_TO = timedelta(days=7)


class RangeError(ValueError):
    """The query string does not describe a range or connector we can show."""


@dataclass(frozen=True)
class Selection:
    preset: str
    start: datetime  # UTC, inclusive
    end: datetime  # UTC, exclusive
    connector: Connector | None
    tz: zoneinfo.ZoneInfo

    @property
    def unit(self) -> str:
        return "hour" if self.end - self.start <= HOURLY_UP_TO else "day"

    @property
    def connector_id(self) -> int | None:
        return self.connector.pk if self.connector else None

    def query(self) -> dict[str, str]:
        """The query-string values that select this again (links, data URLs)."""
        values = {"range": self.preset}
        if self.preset == CUSTOM:
            values["start"] = self.start.astimezone(self.tz).date().isoformat()
            values["end"] = (self.end.astimezone(self.tz) - timedelta(days=1)).date().isoformat()
        if self.connector is not None:
            values["connector"] = str(self.connector.pk)
        return values

    def buckets(self) -> Iterator[datetime]:
        """Every bucket start of the range, in order, in UTC (local midnights for days)."""
        if self.unit == "hour":
            at = self.start.replace(minute=0, second=0, microsecond=0)
            while at < self.end:
                yield at
                at += timedelta(hours=1)
            return
        day = self.start.astimezone(self.tz).date()
        while True:
            at = datetime.combine(day, time(), tzinfo=self.tz).astimezone(UTC)
            if at >= self.end:
                return
            yield at
            day += timedelta(days=1)


def _date(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise RangeError(f"{name} must be a date like 2026-01-31, not {value[:40]!r}.") from None


def _connector(value: str | None) -> Connector | None:
    if value is None or value.strip() in ("", "all"):
        return None
    if not value.strip().isdigit() or len(value.strip()) > 10:
        raise RangeError(f"connector must be a connector id (a number), not {value[:40]!r}.")
    connector = Connector.objects.filter(pk=int(value)).first()
    if connector is None:
        raise RangeError(f"There is no connector with id {int(value)}.")
    return connector


def parse_query(query: Mapping[str, str], *, now: datetime | None = None) -> Selection:
    now = now or timezone.now()
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    preset = (query.get("range") or DEFAULT_PRESET).strip()
    connector = _connector(query.get("connector"))
    if preset in PRESETS:
        now = now.astimezone(UTC)
        return Selection(preset, now - PRESETS[preset], now, connector, tz)
    if preset != CUSTOM:
        choices = ", ".join([*PRESETS, CUSTOM])
        raise RangeError(f"range must be one of {choices}, not {preset[:40]!r}.")
    if not query.get("start") or not query.get("end"):
        raise RangeError("A custom range needs both a start and an end date.")
    first, last = _date(query["start"], "start"), _date(query["end"], "end")
    if last < first:
        raise RangeError("The end date is before the start date.")
    if (last - first).days + 1 > MAX_DAYS:
        raise RangeError(f"A custom range can span at most {MAX_DAYS} days.")
    if first.year < 2000 or last > (now + timedelta(days=366)).date():
        raise RangeError("The dates must lie between the year 2000 and a year from now.")
    # In UTC: arithmetic between two datetimes of one zone ignores a DST change between them.
    start = datetime.combine(first, time(), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(), tzinfo=tz).astimezone(UTC)
    return Selection(CUSTOM, start, end, connector, tz)
