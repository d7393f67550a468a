"""manage.py setup_schedules: reconcile the built-in jobs into django-q2 schedules.

Idempotent: run it any number of times (``serve`` runs it at every start-up).
Prints what changed; a bad COMRADARR_SCHEDULE_* variable stops it with the
variable's name.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import CommandError

from comradarr.management.parsing import OneLineErrorsCommand
from queueing.builtin_schedules import schedules_reconcile


class Command(OneLineErrorsCommand):
    help = "Create, update or remove the built-in background job schedules (idempotent)."

    def handle(self, *args, **options) -> None:
        try:
            report = schedules_reconcile()
        except (ImproperlyConfigured, RuntimeError) as exc:
            raise CommandError(str(exc)) from None
        for verb, names in (
            ("created", report.created),
            ("updated", report.updated),
            ("removed", report.removed),
        ):
            for name in names:
                self.stdout.write(f"Schedule {verb}: {name}")
        if report.changed:
            self.stdout.write(
                f"Schedules: {len(report.created)} created, {len(report.updated)} updated, "
                f"{len(report.removed)} removed, {len(report.unchanged)} unchanged."
            )
        elif options["verbosity"] >= 1:
            self.stdout.write(f"Schedules up to date ({len(report.unchanged)} built-in jobs).")
