"""Forms of the library browser."""

from __future__ import annotations

from django import forms


class PriorityForm(forms.Form):
    """The user's priority override: -100..100, or empty to clear it."""

    priority = forms.IntegerField(
        required=False,
        min_value=-100,
        max_value=100,
        label="Priority override",
        help_text="-100 (last) to 100 (first); empty clears it.",
        error_messages={
            "invalid": "Enter a whole number from -100 to 100, or leave it empty.",
            "min_value": "The lowest priority is -100.",
            "max_value": "The highest priority is 100.",
        },
        widget=forms.NumberInput(attrs={"step": 1, "inputmode": "numeric"}),
    )
