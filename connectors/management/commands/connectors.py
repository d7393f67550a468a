"""manage.py connectors: add, list, test, enable, disable and remove connectors.

The interface scripts rely on: exit status 0 on success; otherwise a non-zero
status and one line on stderr saying why (no traceback, no usage dump). The API
key is never printed, not even in --json output, and is best given through a
file, standard input or COMRADARR_API_KEY rather than on the command line.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from typing import Any, TextIO

from django.core.management.base import CommandError, CommandParser

from comradarr.crypto import DecryptionError
from comradarr.management.parsing import (
    OneLineErrorsCommand,
    OneLineParser,
    bounded_text,
    int_range,
)
from connectors import health, services
from connectors.management.arguments import connector_name
from connectors.models import Connector

#: Where `connectors add` reads the key when no option names another source.
API_KEY_ENV = "COMRADARR_API_KEY"
#: More than any key could be: a file or stream this long is not a key file.
KEY_SOURCE_MAX = 4096


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _text(max_length: int, what: str):
    return bounded_text(max_length, allow_empty=False, what=what)


def _key_text(raw: str, source: str) -> str:
    if len(raw) > KEY_SOURCE_MAX:
        raise CommandError(f"{source} holds more than {KEY_SOURCE_MAX} characters: not an API key.")
    lines = [line.strip() for line in raw.strip().splitlines() if line.strip()]
    if len(lines) != 1:
        raise CommandError(f"{source} must hold the API key on one line.")
    return lines[0]


def _key_options(parser: CommandParser, *, without: str) -> None:
    """The ways to give an API key, most private first (shared by add and update)."""
    key = parser.add_mutually_exclusive_group()
    key.add_argument(
        "--api-key-file",
        dest="api_key_file",
        metavar="PATH",
        help="Read the key from this file (preferred; e.g. a Docker secret).",
    )
    key.add_argument(
        "--api-key-stdin",
        action="store_true",
        dest="api_key_stdin",
        help="Read the key from standard input (preferred; prompts on a terminal).",
    )
    key.add_argument(
        "--api-key",
        dest="api_key",
        metavar="KEY",
        help="The key itself, or - to read it from standard input. Avoid a literal key: "
        f"it is visible in ps and the shell history. {without}",
    )


def _read_key_file(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            raw = handle.read(KEY_SOURCE_MAX + 1)
    except (OSError, UnicodeDecodeError) as err:
        reason = getattr(err, "strerror", None) or type(err).__name__
        raise CommandError(f"Cannot read the API key file {path!r}: {reason}.") from None
    return _key_text(raw, f"The API key file {path!r}")


def _read_key_stream(stream: TextIO) -> str:
    if hasattr(stream, "isatty") and stream.isatty():
        return getpass.getpass("API key: ")  # typed without echo
    return _key_text(stream.read(KEY_SOURCE_MAX + 1), "Standard input")


def _connector_json(connector: Connector) -> dict[str, Any]:
    return {
        "name": connector.name,
        "kind": connector.kind,
        "url": connector.url,
        "enabled": connector.enabled,
        "verify_ssl": connector.verify_ssl,
        "timeout_seconds": connector.timeout_seconds,
        "app_name": connector.app_name or None,
        "app_version": connector.app_version or None,
        "instance_name": connector.instance_name or None,
        "health_status": connector.health_status,
        "health_message": connector.health_message or None,
        "last_contact_at": (
            connector.last_contact_at.isoformat() if connector.last_contact_at else None
        ),
        "consecutive_failures": connector.consecutive_failures,
        "api_key": connector.masked_api_key,
    }


class Command(OneLineErrorsCommand):
    help = "Manage the Sonarr, Radarr and Whisparr connectors."
    # call_command(..., stdin=stream) feeds --api-key-stdin in tests and scripts.
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(
            dest="action",
            metavar="{add,update,list,test,enable,disable,remove}",
            parser_class=OneLineParser,
        )
        sub.required = True

        add = sub.add_parser(
            "add",
            help="Test a connection, then save the connector.",
            description="Test a connection, then save the connector. Give the API key with "
            f"--api-key-file, --api-key-stdin or the {API_KEY_ENV} environment variable: "
            "--api-key VALUE shows the key in ps and the shell history.",
        )
        add.add_argument("--kind", required=True, choices=Connector.Kind.values)
        add.add_argument("--name", required=True, type=_text(services.NAME_MAX, "the name"))
        add.add_argument(
            "--url",
            required=True,
            type=_text(services.URL_MAX, "the URL"),
            help="e.g. http://sonarr:8989",
        )
        _key_options(
            add, without=f"Without any of these options the key is read from {API_KEY_ENV}."
        )
        add.add_argument(
            "--no-verify-ssl",
            action="store_false",
            dest="verify_ssl",
            help="Accept self-signed certificates.",
        )
        add.add_argument(
            "--timeout",
            type=int_range(services.TIMEOUT_MIN, services.TIMEOUT_MAX, what="the timeout"),
            default=30,
            help=f"Seconds per request ({services.TIMEOUT_MIN}-{services.TIMEOUT_MAX}).",
        )
        add.add_argument(
            "--disabled",
            action="store_true",
            help="Save switched off, without testing the connection.",
        )

        update = sub.add_parser(
            "update",
            help="Change a connector (tested again when its connection changes).",
            description="Change a connector; options not given keep their value. A new "
            "scheme, host or port needs the API key again: the stored key is only sent to "
            "the address it was entered for.",
        )
        update.add_argument("name", type=connector_name)
        update.add_argument("--kind", choices=Connector.Kind.values)
        update.add_argument(
            "--rename", metavar="NEW_NAME", type=_text(services.NAME_MAX, "the name")
        )
        update.add_argument("--url", type=_text(services.URL_MAX, "the URL"))
        _key_options(
            update,
            without=f"Without any of these options the stored key is kept ({API_KEY_ENV} "
            "is not read, so a stale variable never replaces a key).",
        )
        ssl = update.add_mutually_exclusive_group()
        ssl.add_argument(
            "--verify-ssl",
            action="store_true",
            dest="verify_ssl",
            default=None,
            help="Check the certificate again.",
        )
        ssl.add_argument(
            "--no-verify-ssl",
            action="store_false",
            dest="verify_ssl",
            help="Accept self-signed certificates.",
        )
        update.add_argument(
            "--timeout",
            type=int_range(services.TIMEOUT_MIN, services.TIMEOUT_MAX, what="the timeout"),
            help=f"Seconds per request ({services.TIMEOUT_MIN}-{services.TIMEOUT_MAX}).",
        )
        state = update.add_mutually_exclusive_group()
        state.add_argument(
            "--enable",
            action="store_true",
            dest="enabled",
            default=None,
            help="Switch it on (the connection is tested first).",
        )
        state.add_argument("--disable", action="store_false", dest="enabled", help="Switch it off.")

        listing = sub.add_parser("list", help="Show every connector.")
        listing.add_argument("--json", action="store_true", help="Machine-readable output.")

        for name, text in (
            ("test", "Check a connector now and record the result."),
            ("enable", "Switch a connector on."),
            ("disable", "Switch a connector off."),
        ):
            sub.add_parser(name, help=text).add_argument("name", type=connector_name)

        remove = sub.add_parser(
            "remove", help="Delete a connector with its mirror and search state."
        )
        remove.add_argument("name", type=connector_name)
        remove.add_argument("--yes", action="store_true", help="Confirm the deletion.")

    def handle(self, *args, action: str, **options) -> None:
        try:
            getattr(self, f"handle_{action}")(**options)
        except services.ConnectorError as err:
            raise CommandError(_one_line(err.one_line())) from None
        except DecryptionError as err:
            raise CommandError(_one_line(str(err))) from None
        except CommandError as err:
            raise CommandError(_one_line(str(err))) from None

    # -- subcommands ----------------------------------------------------------------------

    def _get(self, name: str) -> Connector:
        connector = Connector.objects.filter(name__iexact=name.strip()).first()
        if connector is None:
            raise CommandError(f"No connector named {name!r} (see `manage.py connectors list`).")
        return connector

    def handle_add(self, **options) -> None:
        connector = services.connector_create(
            kind=options["kind"],
            name=options["name"],
            url=options["url"],
            api_key=self._api_key(options),
            verify_ssl=options["verify_ssl"],
            timeout_seconds=options["timeout"],
            enabled=not options["disabled"],
        )
        if connector.enabled:
            self.stdout.write(
                f"Added {connector.name}: {connector.app_name} {connector.app_version} "
                f"at {connector.url} ({connector.health_status})."
            )
        else:
            self.stdout.write(
                f"Added {connector.name} at {connector.url}, disabled (connection not tested)."
            )

    def _given_key(self, options: dict) -> str | None:
        """The key from the option given (file, standard input, --api-key), or None."""
        if options.get("api_key_file"):
            return _read_key_file(options["api_key_file"])
        if options.get("api_key_stdin") or options.get("api_key") == "-":
            return _read_key_stream(options.get("stdin") or sys.stdin)
        return options.get("api_key") or None

    def _api_key(self, options: dict) -> str:
        """The key for a new connector: an option's, else the environment's."""
        given = self._given_key(options)
        if given is not None:
            return given
        from_env = os.environ.get(API_KEY_ENV, "")
        if from_env.strip():
            return from_env
        raise CommandError(
            f"Give the API key: --api-key-file PATH, --api-key-stdin, the {API_KEY_ENV} "
            "environment variable, or --api-key KEY."
        )

    def handle_update(self, **options) -> None:
        connector = self._get(options["name"])

        def value(option: str, current):
            return current if options.get(option) is None else options[option]

        services.connector_update(
            connector=connector,
            kind=value("kind", connector.kind),
            name=value("rename", connector.name),
            url=value("url", connector.url),
            api_key=self._given_key(options),
            verify_ssl=value("verify_ssl", connector.verify_ssl),
            timeout_seconds=value("timeout", connector.timeout_seconds),
            enabled=value("enabled", connector.enabled),
        )
        state = "enabled" if connector.enabled else "disabled"
        self.stdout.write(f"Updated {connector.name} at {connector.url} ({state}).")

    def handle_list(self, **options) -> None:
        connectors = list(Connector.objects.order_by("name"))
        if options["json"]:
            self.stdout.write(json.dumps([_connector_json(c) for c in connectors], indent=2))
            return
        if not connectors:
            self.stdout.write("No connectors. Add one with `manage.py connectors add`.")
            return
        rows = [("NAME", "KIND", "URL", "ENABLED", "HEALTH", "VERSION", "LAST CONTACT")]
        for c in connectors:
            rows.append(
                (
                    c.name,
                    c.kind,
                    c.url,
                    "yes" if c.enabled else "no",
                    c.health_status,
                    c.app_version or "-",
                    c.last_contact_at.strftime("%Y-%m-%d %H:%M UTC") if c.last_contact_at else "-",
                )
            )
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            self.stdout.write("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)))

    def handle_test(self, **options) -> None:
        connector = self._get(options["name"])
        result = health.check_connector(
            connector, timeout=min(connector.timeout_seconds, health.INTERACTIVE_TIMEOUT_SECONDS)
        )
        if not result.ok:
            raise CommandError(f"{connector.name}: {result.status}: {result.error}")
        self.stdout.write(
            f"{connector.name}: {result.status}: {result.app_name} {result.version}"
            + (f" ({result.instance_name})" if result.instance_name else "")
            + (f", {result.latency_ms} ms" if result.latency_ms is not None else "")
        )
        for message in result.messages:
            self.stdout.write(f"  {message['level']}: {message['message']}")

    def handle_enable(self, **options) -> None:
        connector = self._get(options["name"])
        services.connector_set_enabled(connector=connector, enabled=True)
        self.stdout.write(f"Enabled {connector.name}.")

    def handle_disable(self, **options) -> None:
        connector = self._get(options["name"])
        services.connector_set_enabled(connector=connector, enabled=False)
        self.stdout.write(f"Disabled {connector.name}.")

    def handle_remove(self, **options) -> None:
        connector = self._get(options["name"])
        if not options["yes"]:
            raise CommandError(
                f"Removing {connector.name} deletes its mirror and search state: "
                "add --yes to confirm."
            )
        services.connector_delete(connector=connector)
        self.stdout.write(f"Removed {connector.name}.")
