"""One-line argument handling for the commands scripts rely on.

argparse prints the whole usage by default, which buries the one line that says
what was wrong, and a value the database refuses (too long, out of range) ends
in a traceback. Here: parser errors are one stderr line, argument types check
length and range before anything runs (``bounded_text``, ``int_range``,
``positive_int``), and a DataError that still gets through is one line too.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable

from django.core.management import CommandError
from django.core.management.base import BaseCommand, CommandParser
from django.db import DataError

#: The largest value of a PostgreSQL integer / bigint column.
INT_MAX = 2**31 - 1
BIGINT_MAX = 2**63 - 1
#: Longest argument error printed (argparse would echo a 1 MB bad value whole), and the
#: longest command error (several connectors' failures fit).
ARGUMENT_MESSAGE_MAX = 300
COMMAND_MESSAGE_MAX = 2000
_INTEGER = re.compile(r"^[+-]?[0-9]{1,25}$")


def _shorten(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _shown(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:40] + "…")


def bounded_text(
    max_length: int, *, allow_empty: bool = True, what: str = "the value"
) -> Callable[[str], str]:
    """An argparse ``type``: printable text of at most ``max_length`` characters, stripped."""

    def parse(raw: str) -> str:
        if len(raw) > max_length:
            raise argparse.ArgumentTypeError(
                f"{what} is too long ({len(raw)} characters, at most {max_length})"
            )
        value = raw.strip()
        if not value.isprintable():
            raise argparse.ArgumentTypeError(f"{what} cannot contain control characters")
        if not value and not allow_empty:
            raise argparse.ArgumentTypeError(f"{what} cannot be empty")
        return value

    parse.__name__ = "text"
    return parse


def int_range(low: int, high: int, *, what: str = "the value") -> Callable[[str], int]:
    """An argparse ``type``: a whole number from ``low`` to ``high``."""

    def parse(raw: str) -> int:
        text = raw.strip()
        if not _INTEGER.match(text):
            raise argparse.ArgumentTypeError(f"{what} must be a whole number, not {_shown(raw)}")
        value = int(text)
        if low <= value <= high:
            return value
        if high >= INT_MAX:  # only the column bounds it: name the side that was crossed
            side = f"at least {low}" if value < low else f"at most {high}"
            raise argparse.ArgumentTypeError(f"{what} must be {side}")
        raise argparse.ArgumentTypeError(f"{what} must be between {low} and {high}")

    parse.__name__ = "integer"
    return parse


def positive_int(high: int = INT_MAX, *, what: str = "the value") -> Callable[[str], int]:
    """An argparse ``type``: a whole number from 1 to ``high`` (an id, a count)."""
    return int_range(1, high, what=what)


class OneLineParser(CommandParser):
    def error(self, message: str):
        message = _shorten(message, ARGUMENT_MESSAGE_MAX)
        if self.called_from_command_line:
            sys.stderr.write(f"{self.prog}: error: {message}\n")
            sys.exit(2)
        raise CommandError(f"{self.prog}: {message}")


class OneLineErrorsCommand(BaseCommand):
    """A command whose parser (and subparsers given ``parser_class=OneLineParser``) report
    bad arguments in one line, and whose errors are one line too."""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.__class__ = OneLineParser
        return parser

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except CommandError as err:
            raise CommandError(
                _shorten(str(err), COMMAND_MESSAGE_MAX), returncode=err.returncode
            ) from None
        except DataError as err:
            # A value the argument types let through and the database refused: a bug in
            # this command's validation, but never a traceback for the person typing.
            first = str(err).strip().splitlines()[0] if str(err).strip() else "a value"
            raise CommandError(
                f"the database refused a value: {_shorten(first, ARGUMENT_MESSAGE_MAX)}"
            ) from None
