"""manage.py sync [--connector NAME] [--full] [--json]: mirror the *arr libraries now."""

from __future__ import annotations

import json
import sys
import time

from django.core.management.base import CommandError

from comradarr.management.parsing import OneLineErrorsCommand
from connectors.management.arguments import connector_name
from connectors.models import Connector
from content.models import SyncRun
from content.sync.runner import sync_all

BAR_WIDTH = 30


class ProgressBar:
    """series (or pages) done / total on stderr: redrawn in place on a terminal,
    a line every 10% otherwise (logs, CI, tests)."""

    def __init__(self, stream, name: str) -> None:
        self.stream = stream
        self.name = name
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.last_decile = -1
        self.last_draw = 0.0

    def __call__(self, done: int, total: int, unit: str) -> None:
        fraction = done / total if total else 1.0
        if self.tty:
            now = time.monotonic()
            if done not in (0, total) and now - self.last_draw < 0.1:
                return
            self.last_draw = now
            filled = int(BAR_WIDTH * fraction)
            bar = "#" * filled + "-" * (BAR_WIDTH - filled)
            end = "\n" if done >= total else ""
            self.stream.write(f"\r{self.name}: [{bar}] {done}/{total} {unit}{end}")
            self.stream.flush()
            return
        decile = int(fraction * 10)
        if decile != self.last_decile:
            self.last_decile = decile
            self.stream.write(f"{self.name}: {done}/{total} {unit} ({fraction:.0%})\n")
            self.stream.flush()


def _run_summary(connector: Connector, run: SyncRun | None) -> dict:
    if run is None:
        return {"connector": connector.name, "status": "skipped", "error": "backing off"}
    return {
        "connector": connector.name,
        "kind": run.kind,
        "status": run.status,
        "added": run.added,
        "updated": run.updated,
        "removed": run.removed,
        "items": run.items_seen,
        "series_fetched": run.series_fetched,
        "http_requests": run.http_requests,
        "seconds": round(run.duration_seconds or 0.0, 3),
        "error": run.error,
    }


class Command(OneLineErrorsCommand):
    help = "Sync the content mirror from the *arr apps (incremental unless --full)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--connector",
            action="append",
            metavar="NAME",
            type=connector_name,
            help="Sync only this connector (repeatable; disabled ones too). Default: all enabled.",
        )
        parser.add_argument("--full", action="store_true", help="Full reconciliation.")
        parser.add_argument("--json", action="store_true", help="Print the runs as JSON.")

    def handle(self, *args, **options) -> None:
        names = options["connector"] or []
        unknown = sorted(set(names) - set(Connector.objects.values_list("name", flat=True)))
        if unknown:
            raise CommandError(f"Unknown connector(s): {', '.join(unknown)}")
        kind = SyncRun.Kind.FULL if options["full"] else SyncRun.Kind.INCREMENTAL
        stderr = getattr(self.stderr, "_out", sys.stderr)
        results = sync_all(
            kind=kind,
            trigger=SyncRun.Trigger.MANUAL,
            names=names or None,
            progress_for=lambda connector: ProgressBar(stderr, connector.name),
        )
        summaries = [_run_summary(connector, run) for connector, run in results]
        failed = [s for s in summaries if s["status"] == SyncRun.Status.FAILED]
        if options["json"]:
            self.stdout.write(json.dumps({"runs": summaries, "failed": len(failed)}, indent=2))
        else:
            for s in summaries:
                self.stdout.write(self._line(s))
            total_added = sum(s.get("added", 0) for s in summaries)
            total_updated = sum(s.get("updated", 0) for s in summaries)
            total_removed = sum(s.get("removed", 0) for s in summaries)
            self.stdout.write(
                f"{len(summaries)} connector(s) synced, {len(failed)} failed: "
                f"{total_added} added, {total_updated} updated, {total_removed} removed."
            )
        if not summaries:
            self.stderr.write("No connector to sync.")
        if failed:
            raise CommandError(
                f"{len(failed)} connector(s) failed: "
                + ", ".join(f"{s['connector']} ({s['error']})" for s in failed),
                returncode=1,
            )

    @staticmethod
    def _line(s: dict) -> str:
        if s["status"] != SyncRun.Status.SUCCEEDED:
            return f"{s['connector']}: {s['status']}: {s.get('error') or ''}".rstrip()
        return (
            f"{s['connector']}: {s['kind']} sync ok in {s['seconds']:.1f}s: "
            f"{s['items']} items, {s['added']} added, {s['updated']} updated, "
            f"{s['removed']} removed, {s['http_requests']} requests"
        )
