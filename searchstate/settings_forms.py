"""Forms of Settings > Search behaviour: the priority weights and each connector's settings.

The ranges are what still makes sense to the engine (a cooldown of zero hours
would search the same item every sweep; a half-life of zero divides by zero).
Out-of-range, non-numeric, infinite and NaN values are refused with a message
naming the range, and the row is saved only when every field is valid.
"""

from __future__ import annotations

from django import forms
from django.db import models

from searchstate.models import PriorityWeights, SearchSettings

_HOURS_PER_YEAR = 365 * 24

#: field -> (minimum, maximum, label, help text)
WEIGHTS: dict[str, tuple[float, float, str, str]] = {
    "gap_base": (0, 10_000, "Missing item base", "Starting score of a missing item."),
    "upgrade_base": (
        0,
        10_000,
        "Upgrade base",
        "Starting score of an item below its quality cutoff. Below the missing items' "
        "score, a gap is searched before a better copy of something you have.",
    ),
    "recency": (
        0,
        10_000,
        "Recency",
        "Points for brand-new content, halving every half-life: recent releases are the "
        "likeliest to still be on indexers.",
    ),
    "recency_half_life_days": (
        1,
        36_500,
        "Recency half-life (days)",
        "After this many days an item keeps half its recency points.",
    ),
    "missing_age": (
        0,
        10_000,
        "Long-searched penalty",
        "Points taken off an item we have been looking for a long time (reached in full "
        "after the days below).",
    ),
    "missing_age_full_days": (
        1,
        36_500,
        "Long-searched after (days)",
        "Days of looking after which the whole penalty applies.",
    ),
    "attempt_penalty": (
        0,
        10_000,
        "Per failed search",
        "Points taken off for each search that found nothing.",
    ),
    "attempt_penalty_cap": (
        0,
        100_000,
        "Failed-search penalty cap",
        "The most points failed searches can take off.",
    ),
    "user": (
        0,
        100,
        "Your priority, per point",
        "Multiplies the priority you give a series, episode or movie (-100 to 100).",
    ),
    "findability": (
        0,
        10_000,
        "Rarely found",
        "At most this many points off when this connector's searches of this kind rarely "
        "found anything over the last 30 days.",
    ),
}

#: field -> (minimum, maximum, help text); labels and booleans come from the model.
SETTINGS: dict[str, tuple[float, float, str]] = {
    "pack_min_ratio": (
        0,
        1,
        "Search a whole aired season as one pack when at least this share of it is missing "
        "(0.5 = half) ...",
    ),
    "pack_min_missing": (1, 1000, "... or at least this many of its episodes are."),
    "pack_cooldown_hours": (
        1,
        _HOURS_PER_YEAR,
        "Hours before a season's pack search is tried again.",
    ),
    "grace_period_hours": (
        0,
        30 * 24,
        "Hours after airing before an episode is searched: releases take a while to appear.",
    ),
    "fresh_window_hours": (
        0,
        30 * 24,
        "The first-hours rule: for this long after airing, an episode is retried with the "
        "short cooldown below, and those retries do not use up attempts.",
    ),
    "fresh_cooldown_hours": (
        1,
        _HOURS_PER_YEAR,
        "Cooldown between searches of a freshly aired episode.",
    ),
    "cooldown_hours": (
        1,
        _HOURS_PER_YEAR,
        "Cooldown after the first search that found nothing.",
    ),
    "backoff_multiplier": (
        1,
        10,
        "Each further search that finds nothing multiplies the cooldown by this (1 = never "
        "longer).",
    ),
    "cooldown_cap_hours": (
        1,
        _HOURS_PER_YEAR,
        "The longest cooldown the backoff can reach.",
    ),
    "max_attempts": (
        1,
        1000,
        "Searches that find nothing before an item is given up on (exhausted).",
    ),
    "exhausted_retention_days": (
        1,
        3650,
        "Days an exhausted item rests before it becomes a candidate again (a release may "
        "exist by then).",
    ),
    "attribution_window_hours": (
        1,
        30 * 24,
        "Grab window: an item that gains its file this soon after our search counts as found "
        "by Comradarr (analytics).",
    ),
    "batch_size": (
        1,
        100,
        "Items per search command. A throttle profile assigned to the connector sets its own "
        "and wins.",
    ),
}

LABELS = {
    "gaps_enabled": "Search for missing items",
    "upgrades_enabled": "Search for upgrades",
    "custom_format_upgrades": "Upgrade below the custom-format cutoff",
    "season_packs_enabled": "Season packs",
    "series_search_enabled": "Whole-series searches",
    "pack_min_ratio": "Pack when this share is missing",
    "pack_min_missing": "Pack when this many are missing",
    "pack_cooldown_hours": "Pack cooldown (hours)",
    "grace_period_hours": "Grace period (hours)",
    "fresh_window_hours": "Freshly aired for (hours)",
    "fresh_cooldown_hours": "Fresh cooldown (hours)",
    "cooldown_hours": "Cooldown (hours)",
    "backoff_multiplier": "Backoff multiplier",
    "cooldown_cap_hours": "Longest cooldown (hours)",
    "max_attempts": "Maximum attempts",
    "exhausted_retention_days": "Retry exhausted items after (days)",
    "attribution_window_hours": "Grab window (hours)",
    "batch_size": "Batch size",
}
TOGGLE_HELP = {
    "gaps_enabled": "Sweeps look for monitored items that have no file.",
    "upgrades_enabled": "Sweeps look for items below their quality profile's cutoff.",
    "custom_format_upgrades": "Also items whose custom-format score is below the profile's cutoff.",
    "season_packs_enabled": "Search a season as one pack when enough of it is missing.",
    "series_search_enabled": "One series search when every aired season qualifies for a pack.",
}


def _number_field(low: float, high: float, *, integer: bool, **kwargs) -> forms.Field:
    messages = {
        "invalid": f"Enter a number from {low:g} to {high:g}.",
        "min_value": f"The lowest value is {low:g}.",
        "max_value": f"The highest value is {high:g}.",
        "required": f"Enter a number from {low:g} to {high:g}.",
    }
    if integer:
        messages["invalid"] = f"Enter a whole number from {low:g} to {high:g}."
        return forms.IntegerField(
            min_value=int(low), max_value=int(high), error_messages=messages, **kwargs
        )
    return forms.FloatField(
        min_value=low,
        max_value=high,
        error_messages=messages,
        widget=forms.NumberInput(attrs={"step": "any"}),
        **kwargs,
    )


class PriorityWeightsForm(forms.ModelForm):
    """The installation's priority weights (searchstate.priority explains each part)."""

    class Meta:
        model = PriorityWeights
        fields = list(WEIGHTS)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, (low, high, label, help_text) in WEIGHTS.items():
            self.fields[name] = _number_field(
                low, high, integer=False, label=label, help_text=help_text
            )

    def clean(self) -> dict:
        cleaned = super().clean()
        penalty, cap = cleaned.get("attempt_penalty"), cleaned.get("attempt_penalty_cap")
        if penalty is not None and cap is not None and cap < penalty:
            self.add_error(
                "attempt_penalty_cap",
                f"The cap ({cap:g}) is below one failed search's penalty ({penalty:g}): "
                "raise it, or lower the penalty.",
            )
        return cleaned


#: The connector form's sections, in page order.
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("What to search", ("gaps_enabled", "upgrades_enabled", "custom_format_upgrades")),
    (
        "Season packs",
        (
            "season_packs_enabled",
            "series_search_enabled",
            "pack_min_ratio",
            "pack_min_missing",
            "pack_cooldown_hours",
        ),
    ),
    (
        "New episodes",
        ("grace_period_hours", "fresh_window_hours", "fresh_cooldown_hours"),
    ),
    ("Cooldowns and backoff", ("cooldown_hours", "backoff_multiplier", "cooldown_cap_hours")),
    ("Giving up", ("max_attempts", "exhausted_retention_days")),
    ("Other", ("attribution_window_hours", "batch_size")),
)
PACK_FIELDS = SECTIONS[1][1]


class SearchSettingsForm(forms.ModelForm):
    """One connector's search settings."""

    class Meta:
        model = SearchSettings
        fields = [*TOGGLE_HELP, *SETTINGS]
        labels = LABELS
        help_texts = TOGGLE_HELP

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, (low, high, help_text) in SETTINGS.items():
            integer = isinstance(SearchSettings._meta.get_field(name), models.IntegerField)
            self.fields[name] = _number_field(
                low, high, integer=integer, label=LABELS[name], help_text=help_text
            )

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in SECTIONS]

    def clean(self) -> dict:
        cleaned = super().clean()
        first, cap = cleaned.get("cooldown_hours"), cleaned.get("cooldown_cap_hours")
        if first is not None and cap is not None and cap < first:
            self.add_error(
                "cooldown_cap_hours",
                f"The longest cooldown ({cap} h) is shorter than the first one ({first} h).",
            )
        fresh = cleaned.get("fresh_cooldown_hours")
        if fresh is not None and first is not None and fresh > first:
            self.add_error(
                "fresh_cooldown_hours",
                f"The fresh cooldown ({fresh} h) is meant to be shorter than the normal "
                f"cooldown ({first} h).",
            )
        return cleaned
