"""Throttle profiles: list, add, edit (presets too), delete rules, assignment, global budget."""

from __future__ import annotations

import pytest
from django.urls import reverse

from queueing.models import ConnectorThrottle, GlobalThrottle, ThrottleProfile

pytestmark = pytest.mark.django_db

RULE = "an episode or a movie counts 1 per id, a season pack 1 (one query per indexer"


def profile_data(**overrides) -> dict:
    data = {
        "name": "night owl",
        "description": "fast at night",
        "commands_per_minute": "2",
        "commands_per_hour": "30",
        "min_interval_seconds": "20",
        "interval_jitter_seconds": "5",
        "max_in_flight": "2",
        "batch_size": "10",
        "daily_budget": "300",
        "queue_threshold": "15",
        "error_cooldown_seconds": "300",
        "backoff_multiplier": "2.5",
        "backoff_cap_seconds": "3600",
        "rate_limit_pause_seconds": "900",
        "command_timeout_seconds": "1800",
        "grab_cooldown_hours": "24",
    }
    data.update(overrides)
    return data


def test_lists_presets_with_the_budget_rule(web):
    body = web.get(reverse("queueing:profiles")).content.decode()
    for name in ("conservative", "moderate", "balanced", "aggressive"):
        assert name in body
    assert RULE in body
    assert "Default" in body and "Preset" in body
    # Presets are not deletable: no delete link at all.
    assert "/delete/" not in body


def test_add_a_profile_with_every_field(web):
    response = web.post(reverse("queueing:profile_add"), profile_data())
    assert response.status_code == 302
    profile = ThrottleProfile.objects.get(name="night owl")
    assert profile.commands_per_hour == 30
    assert profile.backoff_multiplier == 2.5
    assert not profile.is_preset


def test_add_form_starts_from_the_default_profile(web):
    body = web.get(reverse("queueing:profile_add")).content.decode()
    assert RULE in body
    assert 'name="daily_budget" value="300"' in body  # balanced, the default


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Give the profile a name."),
        ("name", "moderate", "already exists"),
        ("name", "bad/name", "letters, digits"),
        ("commands_per_hour", "ten", "Enter a whole number."),
        ("commands_per_hour", "-4", "The smallest value is 1."),
        ("batch_size", "101", "The largest value is 100."),
        ("daily_budget", "", "This field is required."),
        ("backoff_multiplier", "0.5", "1"),
        ("backoff_multiplier", "nan", "Enter a number"),
        ("commands_per_hour", "1", "Cannot be lower than the commands per minute."),
        ("backoff_cap_seconds", "10", "Cannot be below the cooldown after an error."),
        ("command_timeout_seconds", "5", "The smallest value is 60."),
    ],
)
def test_bad_profile_input_is_explained_and_kept(web, field, value, message):
    response = web.post(reverse("queueing:profile_add"), profile_data(**{field: value}))
    assert response.status_code == 400
    body = response.content.decode()
    assert f'id="error-{field}"' in body
    error = body[body.index(f'id="error-{field}"') :]
    assert message in error[:600]
    assert 'value="fast at night"' in body or "fast at night" in body
    assert not ThrottleProfile.objects.filter(name="night owl").exists()


def test_edit_a_preset_keeps_its_name(web):
    preset = ThrottleProfile.objects.get(name="conservative")
    url = reverse("queueing:profile_edit", args=[preset.pk])
    assert "Presets keep their names." in web.get(url).content.decode()
    response = web.post(url, profile_data(name="renamed", daily_budget="60", commands_per_hour="5"))
    assert response.status_code == 302
    preset.refresh_from_db()
    assert preset.name == "conservative"
    assert (preset.daily_budget, preset.commands_per_hour) == (60, 5)


def test_edit_with_bad_input_changes_nothing(web):
    preset = ThrottleProfile.objects.get(name="moderate")
    response = web.post(
        reverse("queueing:profile_edit", args=[preset.pk]), profile_data(daily_budget="0")
    )
    assert response.status_code == 400
    preset.refresh_from_db()
    assert preset.daily_budget == 100


def test_presets_cannot_be_deleted(web):
    preset = ThrottleProfile.objects.get(name="aggressive")
    response = web.post(reverse("queueing:profile_delete", args=[preset.pk]), follow=True)
    assert "preset" in response.content.decode()
    assert ThrottleProfile.objects.filter(pk=preset.pk).exists()


def test_a_custom_profile_in_use_cannot_be_deleted(web, sonarr):
    web.post(reverse("queueing:profile_add"), profile_data())
    profile = ThrottleProfile.objects.get(name="night owl")
    ConnectorThrottle.objects.create(connector=sonarr, profile=profile)
    response = web.post(reverse("queueing:profile_delete", args=[profile.pk]), follow=True)
    assert "used by Living room" in response.content.decode()
    ConnectorThrottle.objects.update(profile=None)
    web.post(reverse("queueing:profile_delete", args=[profile.pk]))
    assert not ThrottleProfile.objects.filter(name="night owl").exists()


def test_make_default(web):
    aggressive = ThrottleProfile.objects.get(name="aggressive")
    web.post(reverse("queueing:profile_default", args=[aggressive.pk]))
    assert list(ThrottleProfile.objects.filter(is_default=True)) == [aggressive]


def test_assign_a_profile_to_a_connector(web, sonarr):
    aggressive = ThrottleProfile.objects.get(name="aggressive")
    url = reverse("queueing:profile_assign", args=[sonarr.pk])
    web.post(url, {f"c{sonarr.pk}-profile": aggressive.pk})
    assert ConnectorThrottle.objects.get(connector=sonarr).profile == aggressive
    web.post(url, {f"c{sonarr.pk}-profile": ""})
    assert ConnectorThrottle.objects.get(connector=sonarr).profile is None
    response = web.post(url, {f"c{sonarr.pk}-profile": "999999"}, follow=True)
    assert "does not exist" in response.content.decode()


def test_global_budget(web):
    web.post(reverse("queueing:profile_budget"), {"daily_budget": "500"})
    assert GlobalThrottle.load().daily_budget == 500
    web.post(reverse("queueing:profile_budget"), {"daily_budget": ""})
    assert GlobalThrottle.load().daily_budget is None


@pytest.mark.parametrize("value", ["0", "-1", "many", "1e9", "99999999999"])
def test_bad_global_budget_is_explained(web, value):
    GlobalThrottle.objects.create(pk=1, daily_budget=250)
    response = web.post(reverse("queueing:profile_budget"), {"daily_budget": value})
    assert response.status_code == 400
    assert 'id="error-daily_budget"' in response.content.decode()
    assert GlobalThrottle.load().daily_budget == 250


def test_profiles_page_queries_are_bounded(web, sonarr, radarr, django_assert_max_num_queries):
    web.get(reverse("queueing:profiles"))
    with django_assert_max_num_queries(30):
        web.get(reverse("queueing:profiles"))
