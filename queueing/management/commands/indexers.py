"""manage.py indexers [--connector NAME] [--json]: the Indexers card as a table.

For each library connector (or the one named): which Prowlarr application it
is, its indexer-aware allowance and the indexer that binds it, then every
indexer it searches with its limit, used, left, window reset and status. For an
indexer manager named with --connector: all of its indexers. Exit status 0;
otherwise non-zero and one line on stderr saying why.
"""

from __future__ import annotations

import json

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from comradarr.management.parsing import OneLineErrorsCommand
from connectors.management.arguments import connector_name
from connectors.models import Connector
from queueing import indexer_budget
from queueing.indexer_budget import Budget, IndexerRow


def row_dict(row: IndexerRow) -> dict:
    return {
        "indexer": row.name,
        "indexer_id": row.indexer_id,
        "limit": row.limit,
        "unit": row.unit,
        "used": row.used,
        "rss_reserve": row.reserve,
        "margin": row.margin,
        "left": row.left,
        "grab_limit": row.grab_limit,
        "grabs": row.grabs,
        "window_frees_at": row.resets_at.isoformat() if row.resets_at else None,
        "status": row.status,
        "binds": row.binds,
        "shared_by": list(row.shared_by),
    }


def budget_dict(connector: Connector, budget: Budget) -> dict:
    return {
        "connector": connector.name,
        "mode": budget.mode,
        "manager": budget.manager or None,
        "application": budget.application or None,
        "queries_left": budget.queries_left,
        "waiting": budget.reason or None,
        "retry_at": budget.retry_at.isoformat() if budget.retry_at else None,
        "binding": budget.binding.name if budget.binding else None,
        "warning": budget.warning or None,
        "indexers": [row_dict(r) for r in budget.rows],
    }


class Command(OneLineErrorsCommand):
    help = "Show each connector's indexers, their Prowlarr limits and what is left."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--connector", default=None, metavar="NAME", type=connector_name)
        parser.add_argument("--json", action="store_true", help="Machine-readable output.")

    def handle(self, *args, connector: str | None = None, **options) -> None:
        now = timezone.now()
        if connector is not None:
            found = Connector.objects.filter(name__iexact=connector.strip()).first()
            if found is None:
                raise CommandError(f"No connector named {connector!r}.")
            connectors = [found]
        else:
            connectors = list(Connector.objects.libraries().order_by("name"))
        report = []
        for conn in connectors:
            if conn.is_library:
                report.append(budget_dict(conn, indexer_budget.connector_budget(conn.pk, now=now)))
            else:
                rows = indexer_budget.manager_rows(conn.pk, now=now)
                state = indexer_budget.manager_state(conn.pk)
                report.append(
                    {
                        "connector": conn.name,
                        "mode": "manager",
                        "refreshed_at": state.refreshed_at.isoformat()
                        if state and state.refreshed_at
                        else None,
                        "error": (state.error or None) if state else None,
                        "indexers": [row_dict(r) for r in rows],
                    }
                )
        if options["json"]:
            self.stdout.write(json.dumps(report, indent=2))
            return
        if not report:
            self.stdout.write("No library connectors.")
        for item in report:
            self.stdout.write(self._headline(item))
            for row in item["indexers"]:
                self.stdout.write(self._line(row))

    @staticmethod
    def _headline(item: dict) -> str:
        name = item["connector"]
        if item["mode"] == "manager":
            when = item["refreshed_at"] or "never"
            failed = f"; last read failed: {item['error']}" if item["error"] else ""
            return f"{name} (indexer manager): read {when}{failed}"
        if item["mode"] == indexer_budget.NONE:
            return f"{name}: no Prowlarr application; the throttle profile alone"
        if item["mode"] == indexer_budget.FALLBACK:
            return f"{name}: WARNING {item['warning']}"
        via = f"{item['manager']} / {item['application']}"
        if item["waiting"]:
            until = f" until {item['retry_at']}" if item["retry_at"] else ""
            binding = f" ({item['binding']})" if item["binding"] else ""
            return f"{name} via {via}: waiting, {item['waiting']}{binding}{until}"
        if item["queries_left"] is None:
            return f"{name} via {via}: no indexer limit"
        return f"{name} via {via}: {item['queries_left']} queries left, bound by {item['binding']}"

    @staticmethod
    def _line(row: dict) -> str:
        limit = f"{row['limit']}/{row['unit']}" if row["limit"] else "no limit"
        left = "-" if row["left"] is None else row["left"]
        frees = row["window_frees_at"] or "-"
        mark = " *binds*" if row["binds"] else ""
        return (
            f"  {row['indexer']:<24} limit {limit:<10} used {row['used']:<5} left {left!s:<5} "
            f"frees {frees:<26} {row['status']}{mark}"
        )
