"""manage.py schedules list [--json]: every timer - built-in jobs and sweep schedules."""

from __future__ import annotations

import json

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management.base import CommandError
from django.utils import timezone

from comradarr.management.parsing import OneLineErrorsCommand, OneLineParser
from queueing.cron import timezone_validate
from queueing.schedule_status import ScheduleRow, schedules_list


def _when(row: ScheduleRow) -> str:
    if row.next_run is None:
        return "-"
    local = timezone.localtime(row.next_run, timezone=_zone(row.timezone))
    return local.strftime("%Y-%m-%d %H:%M %Z")


def _zone(name: str):
    # A stored zone that is no longer valid (rows written around the services) shows as UTC.
    try:
        return timezone_validate(name)
    except ValidationError:
        return timezone_validate("UTC")


def format_table(rows: list[ScheduleRow]) -> str:
    header = ("NAME", "CRON", "DESCRIPTION", "NEXT RUN", "ENABLED")
    table = [header] + [
        (
            r.name,
            r.cron + ("" if r.timezone == "UTC" else f" ({r.timezone})"),
            r.description,
            _when(r),
            "yes" if r.enabled else "no",
        )
        for r in rows
    ]
    widths = [max(len(line[i]) for line in table) for i in range(len(header) - 1)]
    lines = []
    for line in table:
        cells = [cell.ljust(width) for cell, width in zip(line, widths, strict=False)]
        lines.append("  ".join([*cells, line[-1]]))
    notes = [f"  {r.name}: {r.note}" for r in rows if r.note]
    if notes:
        lines.extend(["", "Notes:", *notes])
    return "\n".join(lines)


class Command(OneLineErrorsCommand):
    help = "List the built-in background jobs and the sweep schedules with their next runs."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(
            dest="action", required=True, metavar="list", parser_class=OneLineParser
        )
        listing = sub.add_parser("list", help="name, cron, description, next run, enabled")
        listing.add_argument("--json", action="store_true", help="machine-readable output")

    def handle(self, *args, **options) -> None:
        try:
            rows = schedules_list()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from None
        if options["json"]:
            self.stdout.write(json.dumps([r.as_dict() for r in rows], indent=2))
        else:
            self.stdout.write(format_table(rows))
