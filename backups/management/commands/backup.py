"""manage.py backup [--include-key --passphrase-file F] [--output F]: back up the database now."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError

from backups.management.arguments import read_passphrase
from backups.management.progress import StepBar
from backups.models import BackupRun
from backups.services import BackupError, backup_create
from comradarr.management.parsing import OneLineErrorsCommand


class Command(OneLineErrorsCommand):
    help = (
        "Write a backup (database dump, configuration, manifest) into DATA_DIR/backups, "
        "or to --output."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--include-key",
            action="store_true",
            help="Include SECRET_KEY so the backup restores anywhere; the backup is then "
            "encrypted with the passphrase read from --passphrase-file.",
        )
        parser.add_argument("--passphrase-file", metavar="F", help="File holding the passphrase.")
        parser.add_argument("--output", metavar="F", help="Write the backup to this file.")

    def handle(self, *args, **options) -> None:
        include_key = options["include_key"]
        if options["passphrase_file"] and not include_key:
            raise CommandError("--passphrase-file is only used with --include-key")
        passphrase = read_passphrase(options["passphrase_file"], required=include_key)
        output = None
        if options["output"]:
            output = Path(options["output"]).resolve()
            if output.exists():
                raise CommandError(f"--output {output} exists already; choose another name")
            if not output.parent.is_dir():
                raise CommandError(f"--output: the folder {output.parent} does not exist")
        bar = StepBar(self, "backup", 5 if include_key else 4)
        try:
            run = backup_create(
                trigger=BackupRun.Trigger.CLI,
                include_key=include_key,
                passphrase=passphrase,
                progress=bar,
                output=output,
            )
        except BackupError as exc:
            raise CommandError(f"backup failed: {exc}") from None
        bar.finish()
        where = output or run.file_name
        self.stdout.write(f"Backup written: {where} ({run.size_bytes} bytes)")
        if not include_key:
            self.stdout.write(
                "Secrets in it are encrypted with this install's SECRET_KEY: restoring on "
                "another install needs the same key (or a backup made with --include-key)."
            )
