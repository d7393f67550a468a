"""The 7-day timeline: sweeps and full syncs per connector, clashes and gaps flagged."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from queueing.models import SweepSchedule
from queueing.schedule_timeline import timeline_week
from tests.content.builders import make_connector

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)  # a Wednesday


@pytest.fixture
def conn():
    connector = make_connector("Sonarr (Main)")
    SweepSchedule.objects.filter(connector=connector).delete()  # no defaults: each test says
    return connector


def schedule(connector, kind, cron, **fields):
    return SweepSchedule.objects.create(connector=connector, kind=kind, cron=cron, **fields)


def row_of(connector):
    return next(r for r in timeline_week(now=NOW).rows if r.connector.pk == connector.pk)


def test_a_week_of_daily_sweeps_and_full_syncs(conn):
    schedule(conn, "gaps", "30 2 * * 1-5")
    with timezone.override("UTC"):
        row = row_of(conn)
    sweeps = [m for m in row.marks if m.kind == "gaps"]
    # Wed 2 Dec .. Tue 8 Dec: weekdays at 02:30 are Wed, Thu, Fri, Mon, Tue.
    assert [timezone.localtime(m.at, UTC).strftime("%a %H:%M") for m in sweeps] == [
        "Wed 02:30", "Thu 02:30", "Fri 02:30", "Mon 02:30", "Tue 02:30",
    ]  # fmt: skip
    assert sweeps[0].past and not sweeps[1].past
    assert all(0 <= m.x <= 1000 for m in row.marks)
    assert sum(1 for m in row.marks if m.kind == "sync") == 7  # the daily full sync
    assert row.clashes == [] and row.notes == []


def test_overlapping_sweeps_within_an_hour_clash(conn):
    schedule(conn, "gaps", "0 4 * * *")
    schedule(conn, "both", "20 4 * * *")
    with timezone.override("UTC"):
        row = row_of(conn)
    assert len(row.clashes) == 7
    assert "20 minutes apart" in row.clashes[0]
    assert all(m.clash for m in row.marks if m.kind != "sync")


def test_different_kinds_or_far_apart_do_not_clash(conn):
    schedule(conn, "gaps", "0 4 * * *")
    schedule(conn, "upgrades", "10 4 * * *")  # different kinds
    schedule(conn, "gaps", "0 6 * * *")  # two hours later
    row = row_of(conn)
    assert row.clashes == []
    assert not any(m.clash for m in row.marks)


def test_a_connector_without_sweeps_is_a_gap(conn):
    schedule(conn, "gaps", "0 4 * * *", enabled=False)
    row = row_of(conn)
    assert any("nothing is searched" in note for note in row.notes)


def test_a_frequent_schedule_is_a_band_not_two_thousand_marks(conn):
    schedule(conn, "gaps", "*/5 * * * *")
    row = row_of(conn)
    assert [m for m in row.marks if m.kind == "gaps"] == []
    assert len(row.bands) == 1 and "every 5 minutes" in row.bands[0].label
    assert not any("nothing is searched" in note for note in row.notes)


def test_the_week_follows_the_users_time_zone(conn):
    schedule(conn, "gaps", "0 1 * * *", timezone="Asia/Tokyo")  # 16:00 UTC the day before
    with timezone.override("Europe/Berlin"):
        week = timeline_week(now=NOW)
    assert timezone.localtime(week.start, timezone.get_fixed_timezone(60)).hour == 0
    marks = [m for m in week.rows[0].marks if m.kind == "gaps"]
    assert {m.at.astimezone(UTC).hour for m in marks} == {16}


def test_schedules_page_shows_the_timeline_with_its_clashes(client, admin_user, conn):
    client.force_login(admin_user)
    schedule(conn, "gaps", "0 4 * * *")
    schedule(conn, "gaps", "30 4 * * *")
    body = client.get(reverse("queueing:schedules")).content.decode()
    assert 'id="schedule-timeline"' in body
    assert "7 clashes" in body and "Clash:" in body
    assert 'aria-label="Sonarr (Main): 14 sweeps, 7 full syncs"' in body
    assert "style=" not in body[body.index('id="schedule-timeline"') :][:20000]
