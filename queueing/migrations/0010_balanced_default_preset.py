"""A fourth preset, balanced, becomes the default (issue 11 point 5).

Why these numbers (README.md, Throttle profiles, says the same for users): the
daily budget counts estimated indexer queries per connector, and every query
reaches each enabled indexer. A typical indexer account allows a few hundred to
a thousand API hits a day; the *arr apps' own RSS polls spend from the same
allowance (two apps polling every 15 minutes: 2 x 96 = 192 a day). Two
connectors at 300 queries a day (600) plus that RSS (192) stay under 1,000 with
room for the user's own searches. Spread out, 300 a day is 12.5 an hour; the
burst is bounded by 12 commands an hour of at most 5 ids (60 queries in the
busiest hour, well under the 150-an-hour limits some indexers set), one at a
time, a minute apart. Moderate's 100 a day took about 19 days for a first pass
over a 200-series library; balanced takes about 6.

Who is switched: connectors without a profile of their own follow the
default. The default moves from moderate to balanced only when the user never
chose: moderate is still the default, still holds its seeded values, and was
never saved since it was created (editing a profile saves it). A default the
user picked (another profile, or an edited moderate) stays; connectors given
moderate explicitly keep it. One case cannot be told apart: a user who made
another profile the default and then moderate again (that change saves no
row); that user gets balanced and can pick moderate again. A profile the user
already named "balanced" is left alone, and then nothing changes.
"""

from datetime import timedelta

from django.db import migrations

BALANCED = {
    "name": "balanced",
    "description": (
        "About 300 indexer queries a day, 12 to 15 an hour: for an indexer that allows "
        "a few hundred API hits a day beside two apps' RSS."
    ),
    "commands_per_minute": 1,
    "commands_per_hour": 12,
    "min_interval_seconds": 60,
    "interval_jitter_seconds": 30,
    "max_in_flight": 1,
    "batch_size": 5,
    "daily_budget": 300,
    "error_cooldown_seconds": 300,
    "backoff_multiplier": 2.0,
    "backoff_cap_seconds": 6 * 3600,
    "rate_limit_pause_seconds": 1800,
}

# The moderate preset as migration 0005 seeded it.
MODERATE_SEEDED = {
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
}
MODERATE_DESCRIPTION = "About 100 indexer queries a day."
# created_at and updated_at of one save differ by microseconds; a later save moves updated_at.
SAME_SAVE = timedelta(seconds=1)


def untouched_default(profile) -> bool:
    return (
        profile.name == "moderate"
        and profile.is_preset
        and profile.is_default
        and all(getattr(profile, k) == v for k, v in MODERATE_SEEDED.items())
        and profile.updated_at - profile.created_at < SAME_SAVE
    )


def add_balanced(apps, schema_editor):
    ThrottleProfile = apps.get_model("queueing", "ThrottleProfile")
    if ThrottleProfile.objects.filter(name__iexact="balanced").exists():
        return  # run before, or the user's own profile of that name
    current = ThrottleProfile.objects.filter(is_default=True).first()
    switch = current is None or untouched_default(current)
    if switch and current is not None:
        # The description said "The default: ..."; it is not any more.
        ThrottleProfile.objects.filter(pk=current.pk).update(
            is_default=False, description=MODERATE_DESCRIPTION
        )
    ThrottleProfile.objects.create(**BALANCED, is_preset=True, is_default=switch)


def remove_balanced(apps, schema_editor):
    ThrottleProfile = apps.get_model("queueing", "ThrottleProfile")
    balanced = ThrottleProfile.objects.filter(name="balanced", is_preset=True).first()
    if balanced is None or balanced.connector_throttles.exists():
        return
    was_default = balanced.is_default
    balanced.delete()
    if was_default:
        ThrottleProfile.objects.filter(name="moderate").update(is_default=True)


class Migration(migrations.Migration):
    dependencies = [("queueing", "0009_requestqueue_send_interrupted_at")]

    operations = [migrations.RunPython(add_balanced, remove_balanced)]
