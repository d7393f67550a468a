"""What the pages remember of their own: the first-run wizard's progress, the
ledger of the content browser's bulk actions run in the background, and each
user's choice of table or posters for the library list."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from comradarr.models import TimestampedModel
from comradarr.runs import RunLedger
from connectors.models import Connector


class SetupWizard(TimestampedModel):
    """The first-run wizard (web.setup_wizard): one row (pk=1), read with load().

    Most of the wizard's state is read from the domain tables (a connector
    exists, it has a throttle profile, it has synced); this row keeps only what
    they cannot tell: which connector the wizard added, that the schedules were
    confirmed, and that the user skipped or finished the wizard.
    """

    SINGLETON_PK = 1

    connector = models.ForeignKey(
        Connector,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The connector added in step 1.",
    )
    schedules_confirmed_at = models.DateTimeField(null=True, blank=True)
    sync_requested_at = models.DateTimeField(null=True, blank=True)
    skipped_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return "setup wizard"

    @classmethod
    def load(cls) -> SetupWizard:
        row, _ = cls.objects.get_or_create(pk=cls.SINGLETON_PK)
        return row


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


class LibraryPreference(TimestampedModel):
    """How one user likes the library list shown (web.library_view): a table or posters."""

    class View(models.TextChoices):
        TABLE = "table", "Table"
        POSTERS = "posters", "Posters"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="library_preference"
    )
    view = models.CharField(max_length=10, choices=View.choices, default=View.TABLE)

    def __str__(self) -> str:
        return f"{self.user}: {self.view}"
