"""What the pages remember of their own: the first-run wizard's progress."""

from __future__ import annotations

from django.db import models

from comradarr.models import TimestampedModel
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
