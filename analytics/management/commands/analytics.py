"""manage.py analytics backfill|collect|rollup|export: the same services the jobs run."""

from __future__ import annotations

import json

from django.core.management import CommandError

from analytics import export, recording, rollup
from analytics.ranges import RangeError, parse_query
from comradarr.management.parsing import OneLineErrorsCommand, OneLineParser


class Command(OneLineErrorsCommand):
    help = "Record, roll up or export analytics (derived from the database only)."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(
            dest="action", required=True, parser_class=OneLineParser, metavar="ACTION"
        )
        sub.add_parser("backfill", help="count every hour the ledgers still hold (idempotent)")
        sub.add_parser("collect", help="recompute the last hours and snapshot the libraries")
        sub.add_parser("rollup", help="roll old hours into days; drop rows past retention")
        export = sub.add_parser("export", help="write one dataset as CSV to stdout")
        export.add_argument("dataset", help="a dataset name (see the analytics page)")
        export.add_argument("--range", default="30d", help="24h, 7d, 30d, 90d or 1y")
        export.add_argument("--start", help="custom range start (YYYY-MM-DD)")
        export.add_argument("--end", help="custom range end (YYYY-MM-DD)")
        export.add_argument("--connector", help="a connector id (default: all)")

    def handle(self, *args, **options) -> None:
        action = options["action"]
        if action == "backfill":
            self._report(recording.backfill().as_dict())
        elif action == "collect":
            self._report(recording.collect().as_dict())
        elif action == "rollup":
            self._report(rollup.rollup().as_dict())
        else:
            self._export(options)

    def _report(self, data: dict) -> None:
        self.stdout.write(json.dumps(data, default=str))

    def _export(self, options) -> None:

        query = {
            key: options[key]
            for key in ("range", "start", "end", "connector")
            if options.get(key) is not None
        }
        if options.get("start") or options.get("end"):
            query["range"] = "custom"
        try:
            selection = parse_query(query)
            rows = export.csv_lines(options["dataset"], selection)
            for line in rows:
                self.stdout.write(line, ending="")
        except (RangeError, export.UnknownDataset) as exc:
            raise CommandError(str(exc)) from None
