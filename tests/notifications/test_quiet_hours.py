"""Quiet hours: across midnight, across DST changes, held events as one digest afterwards."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from notifications.delivery import deliver_due
from notifications.models import NotificationBatch
from notifications.quiet import quiet_until
from notifications.receivers import event_record
from tests.notifications.conftest import make_channel

PARIS = ZoneInfo("Europe/Paris")
NY = "America/New_York"


def local(*args, tz=PARIS) -> datetime:
    return datetime(*args, tzinfo=tz)


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (local(2026, 3, 10, 21, 59), None),
        (local(2026, 3, 10, 22, 0), local(2026, 3, 11, 7, 0)),
        (local(2026, 3, 10, 23, 30), local(2026, 3, 11, 7, 0)),
        (local(2026, 3, 11, 0, 30), local(2026, 3, 11, 7, 0)),  # after midnight
        (local(2026, 3, 11, 6, 59), local(2026, 3, 11, 7, 0)),
        (local(2026, 3, 11, 7, 0), None),
        (local(2026, 3, 11, 12, 0), None),
    ],
)
def test_across_midnight(at, expected):
    got = quiet_until(at, start=time(22), end=time(7), tz_name="Europe/Paris")
    assert got == (expected.astimezone(UTC) if expected else None)


def test_same_day_interval_and_empty_interval():
    at = local(2026, 3, 10, 13, 0)
    assert quiet_until(at, start=time(12), end=time(14), tz_name="Europe/Paris") == local(
        2026, 3, 10, 14, 0
    )
    assert quiet_until(at, start=time(12), end=time(12), tz_name="Europe/Paris") is None


def test_dst_spring_forward_keeps_local_end():
    # New York springs forward on 2026-03-08 at 02:00 -> 03:00: that night is an hour shorter.
    at = datetime(2026, 3, 8, 1, 30, tzinfo=ZoneInfo(NY))
    end = quiet_until(at, start=time(22), end=time(7), tz_name=NY)
    assert end.astimezone(ZoneInfo(NY)).replace(tzinfo=None) == datetime(2026, 3, 8, 7, 0)
    assert end == datetime(2026, 3, 8, 11, 0, tzinfo=UTC)  # EDT, UTC-4


def test_dst_fall_back_keeps_local_end():
    at = datetime(2026, 11, 1, 1, 30, tzinfo=ZoneInfo(NY))  # the first 01:30 (EDT)
    end = quiet_until(at, start=time(22), end=time(7), tz_name=NY)
    assert end == datetime(2026, 11, 1, 12, 0, tzinfo=UTC)  # 07:00 EST, UTC-5


def test_end_inside_spring_forward_gap():
    # Quiet until 02:30, a time that does not exist on 2026-03-08 in New York.
    at = datetime(2026, 3, 8, 1, 0, tzinfo=ZoneInfo(NY))
    end = quiet_until(at, start=time(23), end=time(2, 30), tz_name=NY)
    assert end == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)  # 03:30 EDT: just after the gap


def test_unknown_zone_falls_back_to_utc():
    at = datetime(2026, 3, 8, 23, 0, tzinfo=UTC)
    assert quiet_until(at, start=time(22), end=time(7), tz_name="Mars/Olympus") == datetime(
        2026, 3, 9, 7, 0, tzinfo=UTC
    )


@pytest.mark.django_db
def test_held_then_one_digest_after_quiet_hours_across_dst(receiver):
    """Events during a quiet night across the spring DST change arrive as one message at 07:00."""
    make_channel(
        secrets={"url": receiver.url}, batch_window_minutes=0, quiet_hours_enabled=True,
        quiet_start=time(22), quiet_end=time(7), quiet_timezone=NY,
    )  # fmt: skip
    start = datetime(2026, 3, 7, 22, 30, tzinfo=ZoneInfo(NY))
    for hour in range(0, 8):  # 22:30 .. 05:30 local, through the skipped hour
        now = start + timedelta(hours=hour)
        with time_machine.travel(now, tick=False):
            event_record("sync_completed", data={"statistics": f"run {hour}"})
            deliver_due()
    assert receiver.requests == []
    batch = NotificationBatch.objects.get()
    assert batch.held and batch.due_at == datetime(2026, 3, 8, 11, 0, tzinfo=UTC)
    with time_machine.travel(datetime(2026, 3, 8, 6, 59, tzinfo=ZoneInfo(NY)), tick=False):
        deliver_due()
    assert receiver.requests == []
    with time_machine.travel(datetime(2026, 3, 8, 7, 0, tzinfo=ZoneInfo(NY)), tick=False):
        deliver_due()
    [req] = receiver.requests
    body = req.json()
    assert body["title"] == "Sync completed (8)"
    assert all(f"run {n}" in body["message"] for n in range(5))
    assert "... and 3 more" in body["message"]


@pytest.mark.django_db
def test_errors_break_through_quiet_hours_when_asked(receiver):
    channel = make_channel(
        secrets={"url": receiver.url}, batch_window_minutes=0, quiet_hours_enabled=True,
        quiet_start=time(0), quiet_end=time(23, 59), quiet_timezone="UTC",
    )  # fmt: skip
    at = datetime(2026, 3, 8, 12, 0, tzinfo=UTC)
    with time_machine.travel(at, tick=False):
        event_record("sync_failed", data={"statistics": "disk full"})
        event_record("sync_completed", data={"statistics": "fine"})
        deliver_due()
    [req] = receiver.requests
    assert "disk full" in req.json()["message"] and "fine" not in req.json()["message"]
    channel.quiet_errors_break_through = False
    channel.save()
    with time_machine.travel(at + timedelta(minutes=1), tick=False):
        event_record("sync_failed", data={"statistics": "held error"})
        deliver_due()
    assert len(receiver.requests) == 1


@pytest.mark.django_db
def test_batch_opened_before_quiet_hours_waits_for_their_end(receiver):
    """A digest window that ends inside quiet hours is held; its errors still go if allowed."""
    make_channel(
        secrets={"url": receiver.url}, batch_window_minutes=5, quiet_hours_enabled=True,
        quiet_start=time(22), quiet_end=time(7), quiet_timezone="Europe/Paris",
    )  # fmt: skip
    with time_machine.travel(local(2026, 6, 1, 21, 58), tick=False):
        event_record("sync_completed", data={"statistics": "before quiet"})
        event_record("sync_failed", data={"statistics": "urgent error"})
        deliver_due()
    with time_machine.travel(local(2026, 6, 1, 23, 0), tick=False):
        event_record("sync_completed", data={"statistics": "during quiet"})
        deliver_due()
    [req] = receiver.requests  # only the error broke through, at the end of its window
    assert "urgent error" in req.json()["message"]
    assert "before quiet" not in req.json()["message"]
    with time_machine.travel(local(2026, 6, 2, 6, 59), tick=False):
        deliver_due()
    assert len(receiver.requests) == 1
    with time_machine.travel(local(2026, 6, 2, 7, 0), tick=False):
        deliver_due()
    assert len(receiver.requests) == 2
    digest = receiver.requests[1].json()["message"]
    assert "before quiet" in digest and "during quiet" in digest


@pytest.mark.django_db
def test_retry_waits_out_quiet_hours(receiver):
    make_channel(
        secrets={"url": receiver.url}, batch_window_minutes=0, quiet_hours_enabled=True,
        quiet_start=time(22), quiet_end=time(7), quiet_timezone="Europe/Paris",
    )  # fmt: skip
    receiver.statuses = [500]
    with time_machine.travel(local(2026, 6, 1, 21, 59, 30), tick=False):
        event_record("sync_completed", data={"statistics": "x"})
        deliver_due()
    assert NotificationBatch.objects.get().status == "retry"
    with time_machine.travel(local(2026, 6, 1, 22, 5), tick=False):
        deliver_due()
    assert len(receiver.requests) == 1
    with time_machine.travel(local(2026, 6, 2, 7, 0), tick=False):
        deliver_due()
    assert len(receiver.requests) == 2 and NotificationBatch.objects.get().status == "sent"
