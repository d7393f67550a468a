"""`manage.py footprint [--json]`: RSS and PSS of every process of the running install."""

from __future__ import annotations

import json

import psutil
from django.core.management.base import BaseCommand, CommandError, CommandParser

from comradarr import footprint


class Command(BaseCommand):
    help = (
        "Print each process of the running install (serve, gunicorn, the django-q2 "
        "cluster, the embedded PostgreSQL) with its RSS and PSS, and the totals."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="one JSON object, sizes in bytes")
        parser.add_argument(
            "--pid",
            type=int,
            default=None,
            help="the serve process to measure (default: the one holding this data directory)",
        )

    def handle(self, *args, **options) -> None:
        cluster_dir = footprint.settings_cluster_dir()
        pid = options["pid"]
        if pid is not None:
            try:
                if not footprint.is_serve(psutil.Process(pid)):
                    raise CommandError(f"--pid {pid} is not a `manage.py serve` process")
            except (psutil.Error, ValueError, OverflowError):
                raise CommandError(f"--pid {pid}: no such process") from None
        result = footprint.install_footprint(cluster_dir, serve_pid=pid)
        if not result.processes:
            raise CommandError(
                "no running install found: start `manage.py serve` (or name its process with --pid)"
            )
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict()))
            return
        self.stdout.write(f"{'PID':>8}  {'RSS':>8}  {'PSS':>8}  PROCESS")
        for row in result.processes:
            rss, pss = footprint.megabytes(row.rss), footprint.megabytes(row.pss)
            self.stdout.write(f"{row.pid:>8}  {rss:>8}  {pss:>8}  {row.role}")
        floor = "" if result.pss_complete else " (at least: some PSS unreadable)"
        self.stdout.write(
            f"{'total':>8}  {footprint.megabytes(result.rss_total):>8}  "
            f"{footprint.megabytes(result.pss_total):>8}  "
            f"{len(result.processes)} processes{floor}"
        )
