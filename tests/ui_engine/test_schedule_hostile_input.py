"""Hostile sweep-schedule input (issue 9 point 3): every field is validated before any preview or
work, and the work any preview does is bounded. Guards the class "unvalidated input reaches the
file system or an unbounded computation" (a 500 "File name too long", a worker kept busy)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from queueing import cron
from queueing.models import SweepSchedule
from queueing.sweep_schedules import sweep_schedule_create, sweep_schedule_update

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 26, 10, 7, tzinfo=UTC)
#: Input that must be refused quickly, whatever field it is typed into.
HOSTILE_ZONES = [
    "a" * 1_000,  # OSError "File name too long" in ZoneInfo
    "Europe/" + "x" * 1_000_000,  # a megabyte
    "../../../../etc/passwd",
    "/etc/localtime",
    "Europe/../UTC",
    "UTC\x00",
    "Europe/Berlin\x00..",
    "<script>alert(1)</script>",
    "\u202eUTC",
]
#: Crons that parse but never fire, or are not crons at all.
HOSTILE_CRONS = ["0 0 30 2 *", "* * 31 4,6,9,11 *", "0 0 31 2 *", "* " * 500_000, "\x00 * * * *"]
#: Catches runaway work (a croniter search over years, a megabyte parsed: minutes), not speed:
#: a loaded 2-core machine takes a few seconds for a page render alone.
BOUND_SECONDS = 10.0


def form_data(target, **overrides) -> dict:
    data = {
        "connector": target.pk,
        "kind": "gaps",
        "cron": "15 */2 * * *",
        "timezone": "Europe/Berlin",
        "enabled": "on",
        "throttle_profile": "",
        "item_limit": "",
    }
    data.update(overrides)
    return data


def timed(call):
    started = time.monotonic()
    result = call()
    assert time.monotonic() - started < BOUND_SECONDS
    return result


@pytest.mark.parametrize("zone", HOSTILE_ZONES, ids=lambda z: repr(z[:20]))
def test_form_view_refuses_a_hostile_time_zone_with_400(web, sonarr, zone):
    response = timed(
        lambda: web.post(reverse("queueing:schedule_add"), form_data(sonarr, timezone=zone))
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="error-timezone"' in body
    assert "x" * 1000 not in body  # a huge value is never echoed back in an error message
    assert not SweepSchedule.objects.filter(cron="15 */2 * * *").exists()


@pytest.mark.parametrize("expression", HOSTILE_CRONS, ids=lambda c: repr(c[:20]))
def test_form_view_refuses_a_cron_that_never_runs_or_is_hostile(web, sonarr, expression):
    response = timed(
        lambda: web.post(reverse("queueing:schedule_add"), form_data(sonarr, cron=expression))
    )
    assert response.status_code == 400
    assert 'id="error-cron"' in response.content.decode()
    assert not SweepSchedule.objects.filter(timezone="Europe/Berlin").exists()


def test_edit_view_refuses_hostile_values_too(web, sonarr):
    schedule = SweepSchedule.objects.create(connector=sonarr, kind="gaps", cron="0 * * * *")
    url = reverse("queueing:schedule_edit", args=[schedule.pk])
    for data in (form_data(sonarr, timezone="a" * 1000), form_data(sonarr, cron="0 0 30 2 *")):
        assert timed(lambda data=data: web.post(url, data)).status_code == 400
    schedule.refresh_from_db()
    assert (schedule.cron, schedule.timezone) == ("0 * * * *", "UTC")


@pytest.mark.parametrize("zone", HOSTILE_ZONES, ids=lambda z: repr(z[:20]))
def test_htmx_preview_refuses_a_hostile_time_zone(web, zone):
    response = timed(
        lambda: web.get(
            reverse("queueing:schedule_preview"),
            {"cron": "0 * * * *", "timezone": zone},
            HTTP_HX_REQUEST="true",
        )
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "is-invalid" in body and "<li>" not in body
    assert "x" * 100 not in body


@pytest.mark.parametrize("expression", HOSTILE_CRONS, ids=lambda c: repr(c[:20]))
def test_htmx_preview_refuses_a_hostile_cron(web, expression):
    response = timed(
        lambda: web.get(
            reverse("queueing:schedule_preview"), {"cron": expression, "timezone": "UTC"}
        )
    )
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()


def test_preview_of_a_cron_that_never_runs_says_so(web):
    body = web.get(
        reverse("queueing:schedule_preview"), {"cron": "0 0 30 2 *", "timezone": "UTC"}
    ).content.decode()
    assert "never runs" in body


@pytest.mark.parametrize("zone", HOSTILE_ZONES, ids=lambda z: repr(z[:20]))
def test_services_refuse_a_hostile_time_zone(sonarr, zone):
    with pytest.raises(ValidationError) as caught:
        timed(
            lambda: sweep_schedule_create(
                connector=sonarr, kind="gaps", cron="0 * * * *", tz=zone, now=NOW
            )
        )
    assert "timezone" in caught.value.message_dict
    schedule = sweep_schedule_create(connector=sonarr, kind="upgrades", cron="0 * * * *", now=NOW)
    with pytest.raises(ValidationError):
        sweep_schedule_update(schedule=schedule, timezone=zone, now=NOW)
    with pytest.raises(ValidationError):
        cron.timezone_validate(zone)


@pytest.mark.parametrize("expression", HOSTILE_CRONS, ids=lambda c: repr(c[:20]))
def test_services_refuse_a_cron_that_never_runs(sonarr, expression):
    with pytest.raises(ValidationError) as caught:
        timed(
            lambda: sweep_schedule_create(
                connector=sonarr, kind="gaps", cron=expression, tz="UTC", now=NOW
            )
        )
    assert "cron" in caught.value.message_dict
    assert SweepSchedule.objects.count() == 2  # only the connector's defaults


def test_next_runs_are_bounded():
    with pytest.raises(ValueError):
        cron.cron_next_runs("* * * * *", count=cron.MAX_NEXT_RUNS + 1)
    runs = timed(lambda: cron.cron_next_runs("* * * * *", after=NOW, count=cron.MAX_NEXT_RUNS))
    assert len(runs) == cron.MAX_NEXT_RUNS
    preview = cron.cron_preview(cron="* * * * *", tz="UTC", count=10_000)
    assert preview.ok and len(preview.next_runs) == cron.MAX_NEXT_RUNS


def test_a_stored_hostile_zone_is_listed_not_crashed(web, sonarr):
    """Rows written around the services (a raw UPDATE, an old version) still render."""
    schedule = SweepSchedule.objects.create(connector=sonarr, kind="gaps", cron="0 * * * *")
    SweepSchedule.objects.filter(pk=schedule.pk).update(timezone="a" * 64, next_run_at=None)
    assert web.get(reverse("queueing:schedules")).status_code == 200
    assert web.get(reverse("queueing:schedule_edit", args=[schedule.pk])).status_code == 200
