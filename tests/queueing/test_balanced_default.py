"""Balanced is the default profile of a fresh install; an upgrade switches only an untouched default.

The migration's functions are run against the current models (the fields they
touch are unchanged since), from a state set up as an older install had it.
"""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from queueing.backlog import queries_per_day
from queueing.models import ConnectorThrottle, ThrottleProfile
from tests.content.builders import make_connector

pytestmark = pytest.mark.django_db

migration = importlib.import_module("queueing.migrations.0010_balanced_default_preset")


def default_name() -> str:
    return ThrottleProfile.objects.get(is_default=True).name


def as_before_the_upgrade(**moderate_changes) -> None:
    """Moderate the default as migration 0005 left it, no balanced preset."""
    ThrottleProfile.objects.filter(name="balanced").delete()
    ThrottleProfile.objects.update(is_default=False)
    now = timezone.now()
    ThrottleProfile.objects.filter(name="moderate").update(
        **{"is_default": True, "created_at": now, "updated_at": now, **moderate_changes}
    )


def upgrade() -> None:
    migration.add_balanced(apps, None)


def test_a_fresh_install_defaults_to_balanced():
    balanced = ThrottleProfile.objects.get(is_default=True)
    assert balanced.name == "balanced" and balanced.is_preset
    assert (
        balanced.daily_budget,
        balanced.commands_per_hour,
        balanced.batch_size,
        balanced.max_in_flight,
        balanced.min_interval_seconds,
    ) == (300, 12, 5, 1, 60)
    # The busiest hour: 12 commands of at most 5 ids; the day: the budget binds.
    assert balanced.commands_per_hour * balanced.batch_size == 60
    assert queries_per_day(balanced, queries_per_item=1.0, cap=None) == 300
    presets = ThrottleProfile.objects.filter(is_preset=True).order_by("daily_budget")
    assert [p.name for p in presets] == ["conservative", "moderate", "balanced", "aggressive"]
    assert ThrottleProfile.default().name == "balanced"


def test_an_untouched_moderate_default_becomes_balanced():
    as_before_the_upgrade()
    follows = make_connector("follows", "sonarr", app_version="4.0.19.2979")
    chose = make_connector("chose", "radarr", app_version="5.28.0.10205")
    ConnectorThrottle.for_connector(follows)
    moderate = ThrottleProfile.objects.get(name="moderate")
    row = ConnectorThrottle.for_connector(chose)
    row.profile = moderate
    row.save(update_fields=["profile"])

    upgrade()

    assert default_name() == "balanced"
    assert ConnectorThrottle.for_connector(follows).effective_profile().name == "balanced"
    assert ConnectorThrottle.for_connector(chose).effective_profile().name == "moderate"
    assert "default" not in ThrottleProfile.objects.get(name="moderate").description.lower()


@pytest.mark.parametrize(
    "setup",
    [
        lambda: as_before_the_upgrade(daily_budget=150),  # edited values
        lambda: as_before_the_upgrade(updated_at=timezone.now() + timedelta(minutes=3)),  # saved
        lambda: (
            as_before_the_upgrade(),
            ThrottleProfile.objects.filter(name="moderate").update(is_default=False),
            ThrottleProfile.objects.filter(name="aggressive").update(is_default=True),
        ),
    ],
    ids=["moderate edited", "moderate saved since", "another default chosen"],
)
def test_a_default_the_user_chose_stays(setup):
    setup()
    before = default_name()
    upgrade()
    assert default_name() == before
    balanced = ThrottleProfile.objects.get(name="balanced")
    assert balanced.is_preset and not balanced.is_default  # offered, not imposed


def test_a_profile_the_user_named_balanced_is_left_alone():
    as_before_the_upgrade()
    ThrottleProfile.objects.create(name="Balanced", daily_budget=42, is_preset=False)
    upgrade()
    assert default_name() == "moderate"
    assert ThrottleProfile.objects.get(name="Balanced").daily_budget == 42
    assert not ThrottleProfile.objects.filter(name="balanced").exists()


def test_running_it_twice_changes_nothing_more():
    upgrade()
    assert default_name() == "balanced"
    assert ThrottleProfile.objects.filter(name="balanced").count() == 1


def test_reverse_gives_the_moderate_default_back():
    migration.remove_balanced(apps, None)
    assert default_name() == "moderate"
    assert not ThrottleProfile.objects.filter(name="balanced").exists()
