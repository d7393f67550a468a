"""The three throttle presets; moderate is the default."""

from django.db import migrations

PRESETS = [
    {
        "name": "conservative",
        "description": "For small private trackers: about 50 indexer queries a day.",
        "is_default": False,
        "commands_per_minute": 1,
        "commands_per_hour": 4,
        "min_interval_seconds": 60,
        "interval_jitter_seconds": 30,
        "max_in_flight": 1,
        "batch_size": 5,
        "daily_budget": 50,
        "error_cooldown_seconds": 900,
        "backoff_multiplier": 2.0,
        "backoff_cap_seconds": 12 * 3600,
        "rate_limit_pause_seconds": 3600,
    },
    {
        "name": "moderate",
        "description": "The default: about 100 indexer queries a day.",
        "is_default": True,
        "commands_per_minute": 1,
        "commands_per_hour": 10,
        "min_interval_seconds": 30,
        "interval_jitter_seconds": 15,
        "max_in_flight": 1,
        "batch_size": 10,
        "daily_budget": 100,
        "error_cooldown_seconds": 300,
        "backoff_multiplier": 2.0,
        "backoff_cap_seconds": 6 * 3600,
        "rate_limit_pause_seconds": 1800,
    },
    {
        "name": "aggressive",
        "description": "For generous indexers: about 400 indexer queries a day.",
        "is_default": False,
        "commands_per_minute": 3,
        "commands_per_hour": 40,
        "min_interval_seconds": 10,
        "interval_jitter_seconds": 5,
        "max_in_flight": 2,
        "batch_size": 10,
        "daily_budget": 400,
        "error_cooldown_seconds": 120,
        "backoff_multiplier": 2.0,
        "backoff_cap_seconds": 3 * 3600,
        "rate_limit_pause_seconds": 900,
    },
]


def create_presets(apps, schema_editor):
    ThrottleProfile = apps.get_model("queueing", "ThrottleProfile")
    for preset in PRESETS:
        ThrottleProfile.objects.update_or_create(
            name=preset["name"], defaults={**preset, "is_preset": True}
        )


def remove_presets(apps, schema_editor):
    ThrottleProfile = apps.get_model("queueing", "ThrottleProfile")
    ThrottleProfile.objects.filter(is_preset=True, connector_throttles__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("queueing", "0004_throttle_and_schedules")]

    operations = [migrations.RunPython(create_presets, remove_presets)]
