"""manage.py sweep: find gaps and upgrades and queue their searches (or print the plan)."""

from __future__ import annotations

import json

from django.core.management.base import CommandError

from comradarr.management.parsing import (
    BIGINT_MAX,
    OneLineErrorsCommand,
    positive_int,
)
from connectors.management.arguments import connector_name
from connectors.models import Connector
from queueing.models import SweepRun
from queueing.sweep import SweepResult, sweep_connector


def format_result(result: SweepResult, *, verbose_items: bool) -> str:
    mode = "dry run" if result.dry_run else "queued"
    lines = [
        f"{result.connector.name}: {result.kind} sweep ({mode}), {result.status}: "
        f"{result.found} found, {result.selected} selected, {result.entries} commands"
        + (f", {result.resolved} acquisitions resolved" if result.resolved else "")
    ]
    if result.error:
        lines.append(f"  error: {result.error}")
    for n, entry in enumerate(result.plan.entries, start=1):
        target = entry.payload
        where = ""
        if entry.command in ("SeasonSearch", "SeriesSearch"):
            first = entry.items[0]
            where = f" {first.series_title}"
            if entry.season_number is not None:
                where += f" season {entry.season_number}"
        lines.append(
            f"  {n:>4}. {entry.command}{where} [{entry.search_type}, priority {entry.priority}, "
            f"~{entry.estimated_queries} queries] {entry.reason}"
        )
        if verbose_items:
            for c in entry.items:
                lines.append(f"          - {c.label} (arr id {c.arr_id}): {c.score.explain()}")
        elif entry.command in ("EpisodeSearch", "MoviesSearch"):
            lines.append(f"          ids {target.get('episodeIds') or target.get('movieIds')}")
    if result.skipped:
        skipped = ", ".join(f"{reason} {n}" for reason, n in sorted(result.skipped.items()))
        lines.append(f"  not searched: {skipped}")
    return "\n".join(lines)


class Command(OneLineErrorsCommand):
    help = (
        "Sweep connectors: resolve acquisitions, discover gaps and upgrades, plan the search "
        "commands and queue them. --dry-run prints the plan in dispatch order and changes nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--connector",
            action="append",
            metavar="NAME",
            type=connector_name,
            help="Sweep only this connector (repeatable). Default: every enabled connector.",
        )
        parser.add_argument(
            "--kind", choices=[k.value for k in SweepRun.Kind], default=SweepRun.Kind.BOTH
        )
        parser.add_argument(
            "--limit", type=positive_int(what="--limit"), metavar="N", help="At most N items."
        )
        parser.add_argument("--dry-run", action="store_true", help="Print the plan only.")
        parser.add_argument("--json", action="store_true", help="Print the result as JSON.")
        parser.add_argument(
            "--only",
            type=positive_int(BIGINT_MAX, what="--only"),
            action="append",
            metavar="PK",
            help="Restrict to these mirror item ids (used by `searchstate search-now`).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Ignore cooldown and exhaustion (never monitored, aired or available).",
        )
        parser.add_argument(
            "--trigger", choices=[t.value for t in SweepRun.Trigger], default="manual"
        )

    def handle(self, *args, **options) -> None:
        if options["limit"] is not None and options["limit"] < 1:
            raise CommandError("--limit must be at least 1")
        names = options["connector"]
        if names:
            connectors = list(Connector.objects.filter(name__in=names))
            unknown = sorted(set(names) - {c.name for c in connectors})
            if unknown:
                raise CommandError(f"unknown connector: {', '.join(unknown)}")
        else:
            connectors = list(Connector.objects.filter(enabled=True))
        if options["only"] and len(connectors) != 1:
            raise CommandError("--only needs exactly one --connector")
        results = []
        failed = False
        for connector in connectors:
            try:
                result = sweep_connector(
                    connector=connector,
                    kind=options["kind"],
                    item_limit=options["limit"],
                    dry_run=options["dry_run"],
                    trigger=options["trigger"],
                    only=options["only"],
                    force=options["force"],
                )
            except Exception as exc:  # one connector failing never stops the others
                failed = True
                results.append({"connector": connector.name, "status": "failed", "error": str(exc)})
                if not options["json"]:
                    self.stderr.write(f"{connector.name}: sweep failed: {exc}")
                continue
            results.append(result.as_dict())
            if not options["json"]:
                self.stdout.write(format_result(result, verbose_items=options["verbosity"] >= 1))
        if options["json"]:
            self.stdout.write(json.dumps(results, indent=2, default=str))
        if failed:
            raise CommandError("at least one sweep failed")
