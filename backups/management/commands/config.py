"""manage.py config export|import: the configuration as a JSON document.

manage.py config export [--output F] [--secrets omitted|passphrase --passphrase-file F]
manage.py config import F [--passphrase-file F]
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError

from backups import configdoc
from backups.management.arguments import read_passphrase
from comradarr.management.parsing import OneLineErrorsCommand, OneLineParser


class Command(OneLineErrorsCommand):
    help = "Export or import the configuration (connectors, profiles, schedules, settings, ...)."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=OneLineParser)
        export = sub.add_parser("export", help="Write the configuration as JSON.")
        export.add_argument("--output", metavar="F", help="File to write (default: stdout).")
        export.add_argument(
            "--secrets",
            choices=["omitted", "passphrase"],
            default="omitted",
            help="Leave secrets out (default), or encrypt them with a passphrase.",
        )
        export.add_argument("--passphrase-file", metavar="F")
        imp = sub.add_parser("import", help="Create or update the configuration from JSON.")
        imp.add_argument("file", help="A document made by `config export`.")
        imp.add_argument("--passphrase-file", metavar="F")

    def handle(self, *args, **options) -> None:
        if options["action"] == "export":
            self._export(options)
        else:
            self._import(options)

    def _export(self, options) -> None:
        secrets = options["secrets"]
        passphrase = read_passphrase(options["passphrase_file"], required=secrets == "passphrase")
        data = configdoc.config_export_bytes(secrets=secrets, passphrase=passphrase)
        if options["output"]:
            Path(options["output"]).write_bytes(data)
            self.stderr.write(f"Configuration written to {options['output']}")
        else:
            self.stdout.write(data.decode("utf-8"))

    def _import(self, options) -> None:
        path = Path(options["file"])
        try:
            if path.stat().st_size > configdoc.MAX_DOCUMENT_BYTES:
                raise CommandError(f"{path}: larger than a configuration document can be")
            raw = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from None
        passphrase = read_passphrase(options["passphrase_file"], required=False)
        try:
            document = configdoc.parse_document(raw)
            if document["secrets"] == "instance":
                raise configdoc.ConfigError(
                    "this document holds secrets encrypted with an install's key; restore it "
                    "with `manage.py restore --config-only` from its backup instead"
                )
            report = configdoc.config_import(document, passphrase=passphrase)
        except configdoc.ConfigError as exc:
            raise CommandError(f"{path.name}: {exc}") from None
        self.stdout.write(f"Configuration imported: {report.summary()}")
