"""The run ledger: the shape every "one run of a background process" row shares.

Library syncs (content.SyncRun) and sweeps (queueing.SweepRun) each leave a
row the UI and analytics read: when it started and finished, how it ended, and
the error a user can act on. Each ledger adds its own trigger choices, its
kind and its counts; the status, the times, the duration and the read-only
admin are defined here once.
"""

from __future__ import annotations

from django.contrib import admin
from django.db import models


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


class RunLedger(models.Model):
    """Abstract base of a ledger row: status, start, finish and error of one run."""

    Status = RunStatus

    status = models.CharField(max_length=20, choices=RunStatus.choices, default=RunStatus.RUNNING)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["-started_at"]

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class RunLedgerAdmin(admin.ModelAdmin):
    """Admin of a ledger: newest first, filterable, and read-only (runs write their own rows)."""

    show_full_result_count = False
    list_select_related = ("connector",)
    list_filter = ("status", "kind", "trigger", "connector")
    date_hierarchy = "started_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
