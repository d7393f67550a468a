"""Argument errors as one stderr line for the commands scripts rely on (argparse prints the
whole usage by default, which buries the one line that says what was wrong)."""

from __future__ import annotations

import sys

from django.core.management import CommandError
from django.core.management.base import BaseCommand, CommandParser


class OneLineParser(CommandParser):
    def error(self, message: str):
        if self.called_from_command_line:
            sys.stderr.write(f"{self.prog}: error: {message}\n")
            sys.exit(2)
        raise CommandError(f"{self.prog}: {message}")


class OneLineErrorsCommand(BaseCommand):
    """A command whose parser (and subparsers given ``parser_class=OneLineParser``) report
    bad arguments in one line."""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.__class__ = OneLineParser
        return parser
