"""Forms of the queue, schedule and throttle profile pages.

Forms only validate; saving goes through the services (queueing.control,
queueing.sweep_schedules, queueing.throttle_profiles), so the pages, the admin and
manage.py apply the same rules.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from connectors.models import Connector
from queueing import cron as cron_rules
from queueing import cron_builder as builder
from queueing import throttle_profiles as profiles
from queueing.models import SweepSchedule, ThrottleProfile

#: An entry's priority is on the computed scores' scale (searchstate.priority: about
#: -2,200 to 1,800 with the default weights), with room for tuned weights.
PRIORITY_MIN, PRIORITY_MAX = -10_000, 10_000


def _int_errors(low: int | None = None, high: int | None = None) -> dict[str, str]:
    messages = {"invalid": "Enter a whole number.", "required": "This field is required."}
    if low is not None:
        messages["min_value"] = f"The smallest value is {low}."
    if high is not None:
        messages["max_value"] = f"The largest value is {high}."
    return messages


class EntryPriorityForm(forms.Form):
    priority = forms.IntegerField(
        min_value=PRIORITY_MIN,
        max_value=PRIORITY_MAX,
        label="Priority",
        help_text="On the computed priority's scale (open the priority to see its parts): "
        "higher goes first among entries due at the same time.",
        error_messages=_int_errors(PRIORITY_MIN, PRIORITY_MAX),
    )


#: Labels of the profile fields, in the order the form shows them.
PROFILE_LABELS = {
    "commands_per_minute": "Commands per minute",
    "commands_per_hour": "Commands per hour",
    "min_interval_seconds": "Minimum interval (seconds)",
    "interval_jitter_seconds": "Jitter (seconds)",
    "max_in_flight": "Commands in flight",
    "batch_size": "Batch size (ids per command)",
    "daily_budget": "Daily budget (estimated queries)",
    "queue_threshold": "Download queue threshold",
    "error_cooldown_seconds": "Cooldown after an error (seconds)",
    "backoff_multiplier": "Backoff multiplier",
    "backoff_cap_seconds": "Backoff cap (seconds)",
    "rate_limit_pause_seconds": "Pause after a rate limit (seconds)",
    "command_timeout_seconds": "Command timeout (seconds)",
    "grab_cooldown_hours": "Wait for import after a grab (hours)",
}


class ThrottleProfileForm(forms.Form):
    """Every limit of a profile, bounded as queueing.throttle_profiles bounds them."""

    name = forms.CharField(
        max_length=60,
        help_text="Letters, digits, spaces, dots, dashes or underscores.",
        error_messages={
            "required": "Give the profile a name.",
            "max_length": "At most 60 characters.",
        },
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    description = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, preset: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, label in PROFILE_LABELS.items():
            kind, low, high, help_text = profiles.FIELDS[name]
            messages = _int_errors(int(low), int(high))
            if kind is float:
                field = forms.FloatField(
                    min_value=low,
                    max_value=high,
                    label=label,
                    help_text=help_text.capitalize() + ".",
                    widget=forms.NumberInput(attrs={"step": "0.1"}),
                )
                messages["invalid"] = "Enter a number such as 2 or 1.5."
            else:
                field = forms.IntegerField(
                    min_value=int(low),
                    max_value=int(high),
                    label=label,
                    help_text=help_text.capitalize() + ".",
                )
            field.error_messages.update(messages)
            self.fields[name] = field
        if preset:
            # Presets keep their names (the docs and the CLI refer to them).
            self.fields["name"].disabled = True
            self.fields["name"].help_text = "Presets keep their names."

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name.isprintable():
            raise ValidationError("The name may only contain printable characters.")
        return name

    def clean_backoff_multiplier(self) -> float:
        value = self.cleaned_data.get("backoff_multiplier")
        if value is not None and value != value:  # NaN never equals itself
            raise ValidationError("Enter a number such as 2 or 1.5.")
        return value

    def clean(self) -> dict:
        data = super().clean()
        per_minute, per_hour = data.get("commands_per_minute"), data.get("commands_per_hour")
        if per_minute and per_hour and per_minute > per_hour:
            self.add_error("commands_per_hour", "Cannot be lower than the commands per minute.")
        cap, cooldown = data.get("backoff_cap_seconds"), data.get("error_cooldown_seconds")
        if cap is not None and cooldown is not None and cap < cooldown:
            self.add_error("backoff_cap_seconds", "Cannot be below the cooldown after an error.")
        return data

    def limits(self) -> dict:
        return {name: self.cleaned_data[name] for name in PROFILE_LABELS}

    @classmethod
    def initial_from(cls, profile: ThrottleProfile, *, name: str = "") -> dict:
        initial = {f: getattr(profile, f) for f in PROFILE_LABELS}
        initial.update(name=name, description=profile.description if name else "")
        return initial


class ConnectorProfileForm(forms.Form):
    """Assign a throttle profile to one connector (empty: the default profile)."""

    profile = forms.ModelChoiceField(
        queryset=ThrottleProfile.objects.all(),
        required=False,
        empty_label="Default profile",
        error_messages={"invalid_choice": "That profile does not exist (any more)."},
    )


class GlobalBudgetForm(forms.Form):
    daily_budget = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=1_000_000,
        label="Global daily budget",
        help_text="Estimated indexer queries per rolling 24 hours across all connectors; "
        "empty for no global limit.",
        error_messages=_int_errors(1, 1_000_000),
    )


class SweepScheduleForm(forms.Form):
    connector = forms.ModelChoiceField(
        queryset=Connector.objects.order_by("name"),
        empty_label=None,
        error_messages={"invalid_choice": "That connector does not exist (any more)."},
    )
    kind = forms.ChoiceField(
        choices=SweepSchedule.Kind.choices,
        label="Sweep",
        error_messages={"invalid_choice": "Choose gaps, upgrades, or both."},
    )
    repeat = forms.ChoiceField(
        choices=builder.MODE_CHOICES,
        required=False,  # absent (a script posting only the cron): a custom expression
        label="Repeat",
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose how often the schedule repeats."},
    )
    every_minutes = forms.TypedChoiceField(
        choices=[(n, f"{n} minutes") for n in builder.MINUTE_STEPS],
        coerce=int,
        required=False,
        initial=15,
        label="Every",
        error_messages={"invalid_choice": "Choose one of the listed intervals."},
    )
    every_hours = forms.TypedChoiceField(
        choices=[(n, "hour" if n == 1 else f"{n} hours") for n in builder.HOUR_STEPS],
        coerce=int,
        required=False,
        initial=1,
        label="Every",
        error_messages={"invalid_choice": "Choose one of the listed intervals."},
    )
    at_minute = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=59,
        initial=0,
        label="At minute",
        help_text="Minutes past the hour.",
        error_messages=_int_errors(0, 59),
    )
    at_time = forms.TimeField(
        required=False,
        label="At",
        initial="02:30",
        input_formats=["%H:%M"],
        widget=forms.TimeInput(format="%H:%M", attrs={"type": "time"}),
        error_messages={"invalid": "Enter a time of day as HH:MM, e.g. 02:30."},
    )
    weekdays = forms.TypedMultipleChoiceField(
        choices=builder.WEEKDAYS,
        coerce=int,
        required=False,
        label="On",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose days of the week from the list."},
    )
    day_of_month = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=builder.LAST_SAFE_DAY,
        initial=1,
        label="On day",
        help_text=f"1 to {builder.LAST_SAFE_DAY}: later days are missing in some months.",
        error_messages=_int_errors(1, builder.LAST_SAFE_DAY),
    )
    cron = forms.CharField(
        required=False,  # required for a custom schedule; the builder writes it otherwise
        max_length=cron_rules.CRON_MAX_LENGTH,
        label="Cron expression",
        help_text="Five fields: minute hour day-of-month month day-of-week.",
        error_messages={"max_length": f"At most {cron_rules.CRON_MAX_LENGTH} characters."},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "class": "mono"}
        ),
    )
    timezone = forms.CharField(
        max_length=cron_rules.TIMEZONE_MAX_LENGTH,
        label="Time zone",
        initial="UTC",
        widget=forms.TextInput(attrs={"list": "tz-list", "autocomplete": "off"}),
        help_text="The cron is read in this zone (an IANA name such as Europe/Berlin).",
    )
    enabled = forms.BooleanField(required=False, initial=True, label="Enabled")
    throttle_profile = forms.ModelChoiceField(
        queryset=ThrottleProfile.objects.all(),
        required=False,
        empty_label="The connector's profile",
        label="Throttle profile override",
        help_text=(
            "The entries this schedule's sweeps plan use this profile's batch size (ids per "
            "search command). Rate limits, the daily budget and the in-flight cap stay the "
            "connector's: they protect the indexers the connector shares."
        ),
        error_messages={"invalid_choice": "That profile does not exist (any more)."},
    )
    item_limit = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=100_000,
        label="Item limit",
        help_text="At most this many items per sweep; empty for no limit.",
        error_messages=_int_errors(1, 100_000),
    )

    def __init__(self, data=None, *args, **kwargs) -> None:
        if data is not None:
            # One character over the limit is enough for "too long"; a megabyte is neither
            # parsed nor echoed back into the page.
            data = data.copy()
            for name, limit in (
                ("cron", cron_rules.CRON_MAX_LENGTH),
                ("timezone", cron_rules.TIMEZONE_MAX_LENGTH),
            ):
                if isinstance(data.get(name), str):
                    data[name] = data[name][: limit + 1]
        super().__init__(data, *args, **kwargs)

    def clean_timezone(self) -> str:
        return str(cron_rules.timezone_validate(self.cleaned_data["timezone"]))

    #: The fields the schedule builder submits (the preview reads the same ones).
    BUILDER_FIELDS = (
        "repeat", "every_minutes", "every_hours", "at_minute", "at_time", "weekdays",
        "day_of_month", "cron", "timezone",
    )  # fmt: skip

    def recurrence(self) -> builder.Recurrence:
        """The builder's choices as submitted (call after is_valid or inside clean)."""
        data = self.cleaned_data
        at = data.get("at_time")
        mode = data.get("repeat") or builder.Mode.CUSTOM
        hours_mode = mode == builder.Mode.HOURS
        return builder.Recurrence(
            mode,
            every=data.get("every_minutes" if mode == builder.Mode.MINUTES else "every_hours") or 1,
            minute=(data.get("at_minute") or 0) if hours_mode else (at.minute if at else 0),
            hour=at.hour if at else 0,
            weekdays=list(data.get("weekdays") or []),
            day=data.get("day_of_month") or 1,
        )

    def _clean_repeat(self, data: dict) -> None:
        """Sets data["cron"]: typed (custom) or written by the builder from its fields."""
        mode = data.get("repeat") or builder.Mode.CUSTOM
        if mode == builder.Mode.CUSTOM:
            if "cron" in self.errors:
                return
            if not (data.get("cron") or "").strip():
                self.add_error(
                    "cron", "This field is required. Type a cron expression, or choose a repeat."
                )
                return
            try:
                data["cron"] = cron_rules.cron_validate(data["cron"])
            except ValidationError as exc:
                self.add_error("cron", exc.messages)
            return
        needed = {
            builder.Mode.MINUTES: ["every_minutes"],
            builder.Mode.HOURS: ["every_hours", "at_minute"],
            builder.Mode.DAILY: ["at_time"],
            builder.Mode.WEEKLY: ["at_time", "weekdays"],
            builder.Mode.MONTHLY: ["at_time", "day_of_month"],
        }[mode]
        missing = [name for name in needed if data.get(name) in (None, "", [])]
        for name in missing:
            if name not in self.errors:
                message = "Choose at least one day." if name == "weekdays" else "Required."
                self.add_error(name, message)
        if missing or any(name in self.errors for name in needed):
            return
        # The builder's choice wins over whatever the hidden cron field still holds.
        self.errors.pop("cron", None)
        try:
            data["cron"] = self.recurrence().to_cron()
        except ValidationError as exc:
            self.add_error(None, exc.messages)

    def clean(self) -> dict:
        data = super().clean()
        self._clean_repeat(data)
        if data.get("cron") and data.get("timezone") and not self.errors.get("cron"):
            try:  # both valid alone; a cron that never fires (30 February) is still refused
                cron_rules.cron_next_runs(data["cron"], tz=data["timezone"])
            except ValidationError as exc:
                self.add_error("cron", exc.messages)
        return data

    @staticmethod
    def builder_initial(cron: str) -> dict:
        """The builder's fields for a stored cron (custom when the builder cannot say it)."""
        found = builder.recurrence_from_cron(cron)
        initial: dict = {"repeat": found.mode, "cron": cron}
        if found.mode == builder.Mode.CUSTOM:
            return initial
        initial.update(
            every_minutes=found.every if found.mode == builder.Mode.MINUTES else 15,
            every_hours=found.every if found.mode == builder.Mode.HOURS else 1,
            at_minute=found.minute,
            at_time=f"{found.hour:02d}:{found.minute:02d}",
            weekdays=found.weekdays,
            day_of_month=found.day,
        )
        return initial

    @classmethod
    def for_schedule(cls, schedule: SweepSchedule) -> SweepScheduleForm:
        return cls(
            initial={
                **cls.builder_initial(schedule.cron),
                "connector": schedule.connector_id,
                "kind": schedule.kind,
                "cron": schedule.cron,
                "timezone": schedule.timezone,
                "enabled": schedule.enabled,
                "throttle_profile": schedule.throttle_profile_id,
                "item_limit": schedule.item_limit,
            }
        )
