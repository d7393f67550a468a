"""The log viewer's filters, read from the URL: level, module, connector, correlation id, text.

Every filter lives in the query string (a GET form), so a filtered view can be
bookmarked or pasted into a support question. Bad values are form errors
shown on the page, never a server error.
"""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.db.models import Q, QuerySet

from comradarr.logbook.models import LogRecord
from comradarr.logs import level_number
from connectors.models import Connector

PAGE_SIZE = 100
#: Records a live-tail poll returns at most (the page shows the newest; older ones via paging).
TAIL_LIMIT = 200
_BIGINT_MAX = 2**63 - 1

LEVELS = [
    ("", "Any level"),
    ("debug", "Debug and above"),
    ("info", "Info and above"),
    ("warning", "Warning and above"),
    ("error", "Error and above"),
    ("critical", "Critical only"),
]


def _id_field(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        required=False,
        min_value=0,
        max_value=_BIGINT_MAX,
        label=label,
        error_messages={"invalid": f"{label} must be a record number (a whole number)."},
    )


class LogFilterForm(forms.Form):
    level = forms.ChoiceField(choices=LEVELS, required=False, label="Level")
    module = forms.CharField(
        required=False,
        max_length=200,
        label="Module",
        help_text="A logger name or its prefix, e.g. queueing or connectors.health.",
    )
    connector = forms.ModelChoiceField(
        queryset=Connector.objects.order_by("name"),
        required=False,
        empty_label="Any connector",
        label="Connector",
        error_messages={"invalid_choice": "No connector with this id exists."},
    )
    correlation = forms.CharField(
        required=False,
        max_length=128,
        label="Correlation id",
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9._:-]*$",
                "A correlation id holds only letters, digits and . _ : -",
            )
        ],
    )
    q = forms.CharField(
        required=False,
        max_length=200,
        label="Search",
        widget=forms.TextInput(attrs={"placeholder": "Text in the message"}),
    )
    before = _id_field("Before")
    after = _id_field("After")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.input_type = "search"

    def clean_module(self) -> str:
        return self.cleaned_data["module"].strip().rstrip(".")

    def clean_q(self) -> str:
        return self.cleaned_data["q"].strip()


def filtered(data: dict) -> QuerySet[LogRecord]:
    """Records matching the filters of a valid form's cleaned_data, newest first."""
    rows = LogRecord.objects.order_by("-id")
    if data.get("level"):
        rows = rows.filter(level__gte=level_number(data["level"]))
    if module := data.get("module"):
        rows = rows.filter(Q(logger=module) | Q(logger__startswith=f"{module}."))
    if connector := data.get("connector"):
        rows = rows.filter(Q(connector_id=connector.pk) | Q(connector_name=connector.name))
    if data.get("correlation"):
        rows = rows.filter(correlation_id=data["correlation"])
    if text := data.get("q"):
        rows = rows.filter(Q(message__icontains=text) | Q(exception__icontains=text))
    return rows


def page(data: dict) -> tuple[list[LogRecord], int | None]:
    """One page (keyset: ids below `before`) and the `before` of the next older page."""
    rows = filtered(data)
    if data.get("before") is not None:
        rows = rows.filter(id__lt=data["before"])
    records = list(rows[: PAGE_SIZE + 1])
    older = records[PAGE_SIZE - 1].pk if len(records) > PAGE_SIZE else None
    return records[:PAGE_SIZE], older


def newer_than(data: dict, after: int) -> list[LogRecord]:
    """The live tail: records above `after`, newest first."""
    return list(filtered(data).filter(id__gt=after)[:TAIL_LIMIT])
