"""manage.py restore FILE [--config-only] [--passphrase-file F] [--yes]: restore a backup.

The backup is verified (manifest, checksums, version, migrations) before
anything changes; its manifest is shown and, without --yes, confirmed.
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import CommandError

from backups import archive
from backups.management.arguments import read_passphrase
from backups.management.progress import StepBar
from backups.manifest import InvalidBackup, Manifest, check_restorable
from backups.models import BackupRun
from backups.services import BackupError, backup_restore
from comradarr.management.parsing import OneLineErrorsCommand


def describe(manifest: Manifest) -> list[str]:
    return [
        f"  made by Comradarr {manifest.app_version} at {manifest.created_at[:19]} UTC",
        f"  database: PostgreSQL {manifest.server_version}, {manifest.dump_bytes} bytes dumped, "
        f"{manifest.migration_count} migrations applied",
        "  key file included (encrypted with a passphrase)"
        if manifest.key_included
        else "  secrets encrypted with "
        + ("this install's SECRET_KEY" if manifest.same_key() else "ANOTHER SECRET_KEY"),
    ]


class Command(OneLineErrorsCommand):
    help = "Restore a backup file: the whole database (default) or only the configuration."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="The backup file (.tar).")
        parser.add_argument(
            "--config-only",
            action="store_true",
            help="Restore connectors, profiles, schedules, settings, channels and API keys "
            "only; the library mirror and history stay as they are.",
        )
        parser.add_argument("--passphrase-file", metavar="F", help="For an encrypted backup.")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")
        parser.add_argument(
            "--no-safety-backup",
            action="store_true",
            help="Do not back up the current database first.",
        )

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        passphrase = read_passphrase(options["passphrase_file"], required=False)
        mode = "config" if options["config_only"] else "full"
        try:
            manifest = archive.read_manifest(path)
            check_restorable(manifest)
        except InvalidBackup as exc:
            raise CommandError(f"{path.name}: {exc}") from None
        self.stdout.write(f"Backup {path.name}:")
        for line in describe(manifest):
            self.stdout.write(line)
        if not options["yes"]:
            self._confirm(mode)
        bar = StepBar(self, "restore", 5)
        try:
            result = backup_restore(
                path,
                mode=mode,
                passphrase=passphrase,
                safety_backup=not options["no_safety_backup"],
                trigger=BackupRun.Trigger.CLI,
                progress=bar,
            )
        except (BackupError, InvalidBackup) as exc:
            raise CommandError(f"restore failed: {exc}") from None
        bar.finish()
        self.stdout.write(result.summary())

    def _confirm(self, mode: str) -> None:
        what = (
            "REPLACE the whole database with the backup's"
            if mode == "full"
            else "overwrite the configuration with the backup's"
        )
        if not sys.stdin.isatty():
            raise CommandError(f"this would {what}; add --yes to confirm when not interactive")
        answer = input(f"This will {what}. Type 'yes' to go on: ")
        if answer.strip().lower() != "yes":
            raise CommandError("cancelled: nothing was changed")
