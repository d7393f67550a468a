"""The wizard's own forms: a profile choice and the schedules (rules from queueing.forms)."""

from __future__ import annotations

from django import forms

from queueing.forms import SweepScheduleForm
from queueing.models import SweepSchedule, ThrottleProfile


class PaceForm(forms.Form):
    """Step 2: one profile for the new connector (the default one is pre-selected)."""

    profile = forms.ModelChoiceField(
        queryset=ThrottleProfile.objects.all(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": "Choose a search pace.",
            "invalid_choice": "That profile does not exist (any more): choose another.",
        },
    )


class ScheduleStepForm(SweepScheduleForm):
    """Step 3: the cron, time zone and switch of one default schedule (one form per kind).

    The queueing form's own field rules apply; the connector and the kind are
    the wizard's, and the per-schedule overrides stay on the Schedules page.
    """

    KEEP = ("cron", "timezone", "enabled")

    def __init__(self, data=None, *args, **kwargs) -> None:
        super().__init__(data, *args, **kwargs)
        for name in list(self.fields):
            if name not in self.KEEP:
                del self.fields[name]

    @classmethod
    def for_kind(
        cls, kind: str, schedule: SweepSchedule | None, default_cron: str, data=None
    ) -> ScheduleStepForm:
        if schedule is not None:
            initial = {
                "cron": schedule.cron,
                "timezone": schedule.timezone,
                "enabled": schedule.enabled,
            }
        else:
            initial = {"cron": default_cron, "timezone": "UTC", "enabled": True}
        return cls(data, prefix=kind, initial=initial)
