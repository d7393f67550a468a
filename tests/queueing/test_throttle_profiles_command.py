"""manage.py throttle_profiles: list, show, create, update, assign; refusals as one line."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from queueing import throttle_profiles as profiles
from queueing.models import ConnectorThrottle, ThrottleProfile
from tests.searchstate import builders as b

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("throttle_profiles", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_list_and_show():
    text = run("list")
    assert "moderate" in text and "(default)" in text and "[preset]" in text
    rows = json.loads(run("list", "--json"))
    assert [r["name"] for r in rows] == ["aggressive", "balanced", "conservative", "moderate"]
    shown = json.loads(run("show", "Moderate", "--json"))
    assert shown["daily_budget"] == 100 and shown["is_default"] is False
    assert json.loads(run("show", "balanced", "--json"))["is_default"] is True
    assert "estimated indexer queries" in run("show", "moderate")


def test_create_takes_every_field_and_defaults_the_rest():
    args = ["create", "fast", "--description", "demo"]
    values = {}
    for n, field in enumerate(profiles.FIELDS):
        kind, low, high, _ = profiles.FIELDS[field]
        value = max(low, min(high, 2 + n)) if kind is int else 1.5
        if field == "commands_per_hour":
            value = 600
        if field == "backoff_cap_seconds":
            value = 9000
        values[field] = value
        args += [f"--{field.replace('_', '-')}", str(value)]
    assert run(*args).strip() == "Created throttle profile fast."
    profile = ThrottleProfile.objects.get(name="fast")
    for field, value in values.items():
        assert getattr(profile, field) == value, field
    run("create", "partial", "--batch-size", "3", "--based-on", "aggressive")
    partial = ThrottleProfile.objects.get(name="partial")
    assert partial.batch_size == 3 and partial.daily_budget == 400 and not partial.is_preset


def test_update_rename_and_make_default():
    run("create", "mine")
    run("update", "mine", "--daily-budget", "250", "--rename", "ours", "--make-default")
    profile = ThrottleProfile.objects.get(name="ours")
    assert profile.daily_budget == 250 and profile.is_default
    assert ThrottleProfile.objects.filter(is_default=True).count() == 1
    run("update", "moderate", "--batch-size", "20")  # presets are editable
    assert ThrottleProfile.objects.get(name="moderate").batch_size == 20


def test_assign_and_unassign():
    conn = b.connector("sonarr")
    assert "aggressive" in run("assign", "sonarr", "aggressive")
    assert ConnectorThrottle.objects.get(connector=conn).profile.name == "aggressive"
    run("assign", "sonarr", "default")
    assert ConnectorThrottle.objects.get(connector=conn).profile is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "nope"], "No throttle profile named 'nope'"),
        (["create", "moderate"], "already exists"),
        (["create", "x" * 61], "profile name"),
        (["create", "<script>"], "profile name"),
        (["create", "bad", "--batch-size", "0"], "between 1 and 100"),
        (["create", "bad", "--batch-size", "ten"], "not a valid number"),
        (["create", "bad", "--backoff-multiplier", "nan"], "not a number"),
        (["create", "bad", "--commands-per-minute", "5", "--commands-per-hour", "2"], "lower"),
        (["update", "moderate", "--rename", "other"], "preset"),
        (["update", "moderate"], "nothing to update"),
        (["assign", "ghost", "moderate"], "No connector named 'ghost'"),
    ],
)
def test_refusals_are_one_line(args, message):
    b.connector("sonarr")
    with pytest.raises(CommandError, match=message) as err:
        run(*args)
    assert "\n" not in str(err.value)


def test_delete_rules():
    conn = b.connector("sonarr")
    with pytest.raises(profiles.ProfileError, match="preset"):
        profiles.throttle_profile_delete(profile=ThrottleProfile.objects.get(name="moderate"))
    mine = profiles.throttle_profile_create(name="mine")
    profiles.connector_throttle_assign(connector=conn, profile=mine)
    with pytest.raises(profiles.ProfileError, match="used by sonarr"):
        profiles.throttle_profile_delete(profile=mine)
    profiles.connector_throttle_assign(connector=conn, profile=None)
    profiles.throttle_profile_delete(profile=mine)
    assert not ThrottleProfile.objects.filter(name="mine").exists()
