"""The schedule builder on the form: each mode saves the cron it means; bad choices are explained."""

from __future__ import annotations

import pytest
from django.urls import reverse

from queueing.models import SweepSchedule
from tests.ui_engine.test_schedules_page import form_data

pytestmark = pytest.mark.django_db


def input_tag(body: str, marker: str) -> str:
    """The whole <input ...> tag that contains ``marker``."""
    at = body.index(marker)
    return body[body.rindex("<input", 0, at) : body.index(">", at) + 1]


def builder_data(target, **builder) -> dict:
    # A stale hand-typed cron is still in the hidden field: the builder's choice wins.
    return {**form_data(target, cron="1 1 1 1 1"), **builder}


@pytest.mark.parametrize(
    ("builder", "expected"),
    [
        ({"repeat": "minutes", "every_minutes": "30"}, "*/30 * * * *"),
        ({"repeat": "hours", "every_hours": "6", "at_minute": "20"}, "20 */6 * * *"),
        ({"repeat": "daily", "at_time": "03:05"}, "5 3 * * *"),
        (
            {"repeat": "weekly", "at_time": "02:30", "weekdays": ["1", "2", "3", "4", "5"]},
            "30 2 * * 1-5",
        ),
        ({"repeat": "monthly", "at_time": "04:00", "day_of_month": "15"}, "0 4 15 * *"),
        ({"repeat": "custom", "cron": "7 */3 * * 2"}, "7 */3 * * 2"),
    ],
)
def test_each_mode_saves_its_cron(web, sonarr, builder, expected):
    response = web.post(reverse("queueing:schedule_add"), builder_data(sonarr, **builder))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert SweepSchedule.objects.filter(connector=sonarr).latest("pk").cron == expected


@pytest.mark.parametrize(
    ("builder", "field", "message"),
    [
        ({"repeat": "weekly", "at_time": "02:30"}, "weekdays", "Choose at least one day."),
        ({"repeat": "weekly", "at_time": "02:30", "weekdays": ["9"]}, "weekdays", "from the list"),
        ({"repeat": "monthly", "at_time": "04:00", "day_of_month": "31"}, "day_of_month", "28"),
        ({"repeat": "minutes", "every_minutes": "7"}, "every_minutes", "listed intervals"),
        ({"repeat": "hours", "every_hours": "1", "at_minute": "75"}, "at_minute", "59"),
        ({"repeat": "daily", "at_time": "25:99"}, "at_time", "HH:MM"),
        ({"repeat": "daily", "at_time": "<script>alert(1)</script>"}, "at_time", "HH:MM"),
        ({"repeat": "daily", "at_time": ""}, "at_time", "Required."),
        ({"repeat": "fortnightly"}, "repeat", "how often"),
        ({"repeat": "custom", "cron": ""}, "cron", "This field is required."),
    ],
)
def test_bad_builder_input_is_explained_and_nothing_saved(web, sonarr, builder, field, message):
    before = SweepSchedule.objects.count()
    response = web.post(reverse("queueing:schedule_add"), builder_data(sonarr, **builder))
    assert response.status_code == 400
    body = response.content.decode()
    assert f'id="error-{field}"' in body
    assert message in body[body.index(f'id="error-{field}"') :][:600]
    assert "<script>alert(1)</script>" not in body
    assert SweepSchedule.objects.count() == before


def test_a_built_schedule_opens_in_its_mode(web, sonarr):
    schedule = SweepSchedule.objects.create(connector=sonarr, kind="gaps", cron="30 2 * * 1-5")
    body = web.get(reverse("queueing:schedule_edit", args=[schedule.pk])).content.decode()
    assert "checked" in input_tag(body, 'value="weekly"')
    assert "checked" not in input_tag(body, 'value="custom"')
    assert 'value="02:30"' in body
    assert "checked" in input_tag(body, 'name="weekdays" value="1"')
    assert "checked" not in input_tag(body, 'name="weekdays" value="0"')


def test_a_hand_written_cron_opens_as_custom(web, sonarr):
    schedule = SweepSchedule.objects.create(connector=sonarr, kind="gaps", cron="0 0 1,15 * *")
    body = web.get(reverse("queueing:schedule_edit", args=[schedule.pk])).content.decode()
    assert "checked" in input_tag(body, 'value="custom"')
    assert 'value="0 0 1,15 * *"' in body


def test_builder_preview_shows_the_cron_and_rewrites_the_field(web):
    response = web.get(
        reverse("queueing:schedule_preview"),
        {"repeat": "weekly", "at_time": "02:30", "weekdays": ["1", "2", "3", "4", "5"],
         "timezone": "UTC"},
    )  # fmt: skip
    body = response.content.decode()
    assert "02:30" in body and "Monday through Friday" in body
    assert '<code class="mono">30 2 * * 1-5</code>' in body
    assert 'hx-swap-oob="true"' in body and 'value="30 2 * * 1-5"' in body


def test_builder_preview_with_bad_choices_says_why(web):
    body = web.get(
        reverse("queueing:schedule_preview"), {"repeat": "weekly", "at_time": "02:30"}
    ).content.decode()
    assert "is-invalid" in body and "at least one day" in body
    assert "hx-swap-oob" not in body
