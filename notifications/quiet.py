"""Quiet hours: a daily local-time interval (which may cross midnight) in the channel's zone.

Computed on wall-clock times in the zone, so a DST change moves the UTC
instants, never the local ones: 22:00-07:00 stays 22:00-07:00 on the night the
clocks change. A local end time that does not exist (skipped by a spring-
forward gap) resolves to the first instant after the gap.
"""

from __future__ import annotations

import zoneinfo
from datetime import UTC, datetime, time, timedelta


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _aware(day, at: time, tz: zoneinfo.ZoneInfo) -> datetime:
    local = datetime.combine(day, at, tzinfo=tz)
    # A wall time inside a spring-forward gap does not survive a round trip through UTC;
    # fold=0 maps it past the gap, which is when the quiet period can end.
    return local.astimezone(UTC).astimezone(tz)


def quiet_until(now: datetime, *, start: time, end: time, tz_name: str) -> datetime | None:
    """The moment the quiet period containing ``now`` ends (UTC), or None when not quiet."""
    if start == end:
        return None
    tz = _zone(tz_name)
    local = now.astimezone(tz)
    today = local.date()
    for start_day in (today - timedelta(days=1), today):
        begins = _aware(start_day, start, tz)
        end_day = start_day if end > start else start_day + timedelta(days=1)
        ends = _aware(end_day, end, tz)
        if begins <= local < ends:
            return ends.astimezone(UTC)
    return None
