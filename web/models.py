"""The ledger of the content browser's bulk actions run in the background."""

from __future__ import annotations

from django.db import models

from comradarr.runs import RunLedger
from connectors.models import Connector


class BulkAction(models.TextChoices):
    SEARCH = "search", "Queue search now"
    PRIORITY = "priority", "Set priority"
    EXCLUDE = "exclude", "Exclude"
    RESET = "reset", "Reset search state"
    EXHAUST = "exhaust", "Mark exhausted"


class BulkRun(RunLedger):
    """One bulk action over the items a browser filter matched, done by one background task."""

    Action = BulkAction

    connector = models.ForeignKey(Connector, on_delete=models.CASCADE, related_name="bulk_runs")
    action = models.CharField(max_length=10, choices=BulkAction.choices)
    priority = models.SmallIntegerField(null=True, blank=True, help_text="For set priority.")
    #: The browser's filter parameters (web.browse_query), re-read by the task.
    params = models.JSONField(default=dict)
    total = models.PositiveIntegerField(default=0, help_text="Items matched when confirmed.")
    done = models.PositiveIntegerField(default=0, help_text="Items processed so far.")
    changed = models.PositiveIntegerField(default=0, help_text="Items whose state changed.")

    class Meta(RunLedger.Meta):
        pass

    def __str__(self) -> str:
        return f"{self.get_action_display()} on {self.total} items ({self.status})"

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, round(100 * self.done / self.total))
