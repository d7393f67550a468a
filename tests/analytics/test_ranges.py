"""Ranges in the user's time zone, across DST changes, and the buckets charts get."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from django.urls import reverse

from analytics.models import ConnectorStat
from analytics.ranges import parse_query
from tests.searchstate import builders as b

pytestmark = pytest.mark.django_db


def _hourly(conn, first: datetime, hours: int) -> None:
    ConnectorStat.objects.bulk_create(
        ConnectorStat(
            connector=conn, resolution="hour", bucket=first + timedelta(hours=h), commands=1
        )
        for h in range(hours)
    )


@pytest.mark.parametrize(
    ("start", "end", "hours_per_day"),
    [
        # Clocks go forward on 29 March and back on 25 October (longer than a week: by day).
        ("2026-03-25", "2026-04-02", [24, 24, 24, 24, 23, 24, 24, 24, 24]),
        ("2026-10-21", "2026-10-29", [24, 24, 24, 24, 25, 24, 24, 24, 24]),
    ],
)
def test_custom_days_are_local_days_across_dst(settings, admin_client, start, end, hours_per_day):
    settings.TIME_ZONE = "Europe/Berlin"
    sel = parse_query({"range": "custom", "start": start, "end": end})
    assert sel.unit == "day"
    assert sel.end - sel.start == timedelta(hours=sum(hours_per_day))
    buckets = list(sel.buckets())
    assert {b.astimezone(sel.tz).hour for b in buckets} == {0} and len(buckets) == 9
    assert [(b2 - b1) / timedelta(hours=1) for b1, b2 in pairwise(buckets)] == (hours_per_day[:-1])
    conn = b.connector("radarr", kind="radarr")
    _hourly(conn, sel.start - timedelta(hours=5), sum(hours_per_day) + 10)
    body = admin_client.get(
        reverse("analytics:data", args=["searches"]),
        {"range": "custom", "start": start, "end": end},
    ).json()
    assert [r[1] for r in body["rows"]] == hours_per_day
    assert body["timezone"] == "Europe/Berlin"


def test_short_ranges_are_hourly_and_cover_the_range():
    now = datetime(2026, 3, 29, 12, 30, tzinfo=UTC)
    sel = parse_query({"range": "24h"}, now=now)
    buckets = list(sel.buckets())
    assert sel.unit == "hour" and len(buckets) == 25
    assert buckets[0] == datetime(2026, 3, 28, 12, tzinfo=UTC)


def test_selection_round_trips_through_the_query_string(settings):
    settings.TIME_ZONE = "America/New_York"
    conn = b.connector("radarr", kind="radarr")
    query = {
        "range": "custom",
        "start": "2026-11-01",
        "end": "2026-11-02",
        "connector": str(conn.pk),
    }
    assert parse_query(query).query() == query
