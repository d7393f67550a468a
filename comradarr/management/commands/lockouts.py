"""manage.py lockouts list|clear [--username U] [--address A]: see and lift sign-in lockouts.

For the admin who locked themselves out (or was locked out by someone else's
guesses): `clear` removes the locks and forgets the failures that caused them,
so the next typo does not lock again at once. Without --username/--address it
applies to every lock.
"""

from __future__ import annotations

import ipaddress

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from comradarr.accounts import lockout
from comradarr.management.parsing import OneLineErrorsCommand, OneLineParser


def _address(value: str) -> str:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        raise CommandError(f"--address {value[:60]!r} is not an IP address") from None


class Command(OneLineErrorsCommand):
    help = "List or clear sign-in lockouts (per username and address, per address, per username)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(
            dest="action", metavar="{list,clear}", parser_class=OneLineParser
        )
        sub.required = True
        for name, text in (
            ("list", "Active locks and delays, with the time left."),
            ("clear", "Lift locks and forget the failures behind them."),
        ):
            action = sub.add_parser(name, help=text)
            action.add_argument("--username", default="", help="Only this username (any case).")
            action.add_argument("--address", default="", help="Only this client address.")

    def handle(self, *args, action: str, username: str = "", address: str = "", **options):
        if len(username) > 150:
            raise CommandError("--username is longer than 150 characters")
        address = _address(address) if address else ""
        locks, failures = lockout.matching(username=username, address=address)
        if action == "list":
            self._list(locks)
            return
        lock_count = locks.count()
        failure_count, _ = failures.delete()
        locks.delete()
        self.stdout.write(f"Cleared {lock_count} lock(s) and {failure_count} recorded failure(s).")

    def _list(self, locks) -> None:
        now = lockout.db_now()
        active = [row for row in locks.order_by("scope", "key") if row.locked_until > now]
        if not active:
            self.stdout.write("No active lockouts.")
            return
        for row in active:
            left = max(1, round((row.locked_until - now).total_seconds()))
            until = timezone.localtime(row.locked_until).strftime("%Y-%m-%d %H:%M:%S %Z")
            self.stdout.write(
                f"{row.get_scope_display():<26} {row.key:<60} until {until} ({left} s)"
            )
