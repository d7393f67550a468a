"""The schedules page: built-in jobs, sweep schedules and their form (cron validation)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from django_q.models import Schedule, Task

from queueing import builtin_schedules as builtin
from queueing.models import SweepSchedule, ThrottleProfile

pytestmark = pytest.mark.django_db


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


def test_lists_builtin_jobs_and_their_last_run(web):
    builtin.schedules_reconcile()
    row = Schedule.objects.get(name=builtin.NAME_PREFIX + "dispatch search commands")
    task = Task.objects.create(
        id="a" * 32,
        name="dispatch-1",
        func=row.func,
        started=timezone.now(),
        stopped=timezone.now(),
        success=False,
        result="boom: connector exploded",
    )
    Schedule.objects.filter(pk=row.pk).update(task=task.id)
    body = web.get(reverse("queueing:schedules")).content.decode()
    assert "Dispatch search commands" in body
    assert "Every minute" in body
    assert "Failed" in body and "boom: connector exploded" in body
    assert "not run yet" in body  # the other jobs


def test_builtin_jobs_not_set_up_say_so(web):
    body = web.get(reverse("queueing:schedules")).content.decode()
    assert "not set up: run setup_schedules" in body


def test_lists_sweep_schedules_with_description(web, sonarr):
    SweepSchedule.objects.create(connector=sonarr, kind="upgrades", cron="0 */6 * * *")
    SweepSchedule.objects.create(connector=sonarr, kind="gaps", cron="0 4 * * 0")
    body = web.get(reverse("queueing:schedules")).content.decode()
    assert "Living room" in body and "Every 6 hours" in body
    assert "At 04:00, only on Sunday" in body


def test_add_a_schedule(web, sonarr):
    form = web.get(reverse("queueing:schedule_add")).content.decode()
    assert "use this profile&#x27;s batch size" in form  # what the override means
    profile = ThrottleProfile.objects.get(name="aggressive")
    response = web.post(
        reverse("queueing:schedule_add"),
        form_data(sonarr, throttle_profile=profile.pk, item_limit="250"),
    )
    assert response.status_code == 302
    schedule = SweepSchedule.objects.get(cron="15 */2 * * *")
    assert schedule.timezone == "Europe/Berlin"
    assert schedule.throttle_profile == profile
    assert schedule.item_limit == 250
    assert schedule.next_run_at is not None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("cron", "every hour", "must have 5 fields"),
        ("cron", "61 * * * *", "is not a valid cron expression"),
        ("cron", "* * * *", "not 4"),
        ("cron", "", "This field is required."),
        ("cron", "x" * 150, "At most 100 characters."),
        ("cron", "<script>alert(1)</script> * * * *", "is not a valid cron expression"),
        ("timezone", "Mars/Olympus", "not a known time zone"),
        ("timezone", "", "This field is required."),
        ("kind", "everything", "Choose gaps, upgrades, or both."),
        ("item_limit", "0", "The smallest value is 1."),
        ("item_limit", "lots", "Enter a whole number."),
        ("throttle_profile", "999999", "That profile does not exist"),
        ("connector", "999999", "That connector does not exist"),
    ],
)
def test_bad_input_is_explained_next_to_the_field_and_kept(web, sonarr, field, value, message):
    data = form_data(sonarr, **{field: value})
    response = web.post(reverse("queueing:schedule_add"), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert f'id="error-{field}"' in body
    error = body[body.index(f'id="error-{field}"') :]
    assert message in error[:800]
    assert "<script>alert(1)</script>" not in body
    if field != "cron":
        assert 'value="15 */2 * * *"' in body  # the rest of the input is kept
    assert not SweepSchedule.objects.filter(kind="gaps", cron="15 */2 * * *").exists()


def test_valid_cron_shows_description_and_next_three_runs(web, sonarr):
    response = web.get(
        reverse("queueing:schedule_preview"), {"cron": "0 3 * * 1", "timezone": "UTC"}
    )
    body = response.content.decode()
    assert "At 03:00, only on Monday" in body
    assert body.count("<li>") == 3
    assert "<html" not in body


@pytest.mark.parametrize("cron", ["nope", "99 99 * * *", "\x00", "a" * 500])
def test_preview_of_an_invalid_cron_says_why(web, cron):
    body = web.get(reverse("queueing:schedule_preview"), {"cron": cron}).content.decode()
    assert "is-invalid" in body


def test_preview_of_a_bad_time_zone(web):
    body = web.get(
        reverse("queueing:schedule_preview"), {"cron": "0 * * * *", "timezone": "Nowhere/Land"}
    ).content.decode()
    assert "not a known time zone" in body


def test_edit_a_schedule(web, sonarr):
    schedule = SweepSchedule.objects.create(connector=sonarr, kind="gaps", cron="0 * * * *")
    url = reverse("queueing:schedule_edit", args=[schedule.pk])
    assert 'value="0 * * * *"' in web.get(url).content.decode()
    response = web.post(url, form_data(sonarr, cron="*/30 * * * *", kind="both"))
    assert response.status_code == 302
    schedule.refresh_from_db()
    assert (schedule.cron, schedule.kind, schedule.timezone) == (
        "*/30 * * * *",
        "both",
        "Europe/Berlin",
    )


def test_edit_with_invalid_cron_changes_nothing(web, sonarr):
    schedule = SweepSchedule.objects.create(connector=sonarr, kind="gaps", cron="0 * * * *")
    response = web.post(
        reverse("queueing:schedule_edit", args=[schedule.pk]), form_data(sonarr, cron="0 25 * * *")
    )
    assert response.status_code == 400
    assert 'value="0 25 * * *"' in response.content.decode()
    schedule.refresh_from_db()
    assert schedule.cron == "0 * * * *"


def test_a_schedule_cannot_move_to_another_connector(web, sonarr, radarr):
    schedule = SweepSchedule.objects.create(connector=sonarr, kind="gaps", cron="0 * * * *")
    response = web.post(reverse("queueing:schedule_edit", args=[schedule.pk]), form_data(radarr))
    assert response.status_code == 400
    schedule.refresh_from_db()
    assert schedule.connector == sonarr


def test_toggle_and_delete(web, sonarr):
    schedule = SweepSchedule.objects.create(connector=sonarr, kind="gaps", cron="0 * * * *")
    response = web.post(
        reverse("queueing:schedule_toggle", args=[schedule.pk]), HTTP_HX_REQUEST="true"
    )
    assert 'aria-checked="false"' in response.content.decode()
    schedule.refresh_from_db()
    assert not schedule.enabled
    url = reverse("queueing:schedule_delete", args=[schedule.pk])
    assert "Delete this sweep schedule?" in web.get(url).content.decode()
    web.post(url)
    assert not SweepSchedule.objects.filter(pk=schedule.pk).exists()


def test_unknown_schedule_is_404(web):
    assert web.get(reverse("queueing:schedule_edit", args=[999999])).status_code == 404
    assert web.post(reverse("queueing:schedule_toggle", args=[999999])).status_code == 404


def test_schedules_page_queries_are_bounded(web, sonarr, radarr, django_assert_max_num_queries):
    builtin.schedules_reconcile()
    for n in range(10):
        SweepSchedule.objects.create(connector=sonarr, kind="gaps", cron=f"{n} * * * *")
    web.get(reverse("queueing:schedules"))
    with django_assert_max_num_queries(12) as captured:
        web.get(reverse("queueing:schedules"))
    for n in range(10):
        SweepSchedule.objects.create(connector=radarr, kind="upgrades", cron=f"{n} 1 * * *")
    with django_assert_max_num_queries(len(captured)):
        web.get(reverse("queueing:schedules"))
