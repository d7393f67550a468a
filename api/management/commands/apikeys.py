"""manage.py apikeys create|list|revoke: API keys from the command line.

The key is printed once by ``create``; nothing can show it again.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.management import CommandError
from django.utils import timezone

from api import keys
from api.models import ApiKey
from comradarr.management.parsing import (
    INT_MAX,
    OneLineErrorsCommand,
    OneLineParser,
    bounded_text,
    int_range,
    positive_int,
)


class Command(OneLineErrorsCommand):
    help = "Create, list or revoke API keys."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, parser_class=OneLineParser)
        create = sub.add_parser("create", help="create a key and print it once")
        create.add_argument("name", type=bounded_text(100, allow_empty=False, what="the name"))
        create.add_argument("--scope", choices=ApiKey.Scope.values, default=ApiKey.Scope.READ)
        create.add_argument(
            "--expires-days",
            type=int_range(1, 3650, what="--expires-days"),
            default=None,
            help="the key stops working after this many days",
        )
        sub.add_parser("list", help="list keys (never the keys themselves)")
        revoke = sub.add_parser("revoke", help="revoke a key by its id")
        revoke.add_argument("id", type=positive_int(INT_MAX, what="the key id"))

    def handle(self, *args, **options):
        getattr(self, f"_{options['action']}")(options)

    def _create(self, options) -> None:
        days = options["expires_days"]
        expires = timezone.now() + timedelta(days=days) if days else None
        try:
            created = keys.create_key(
                name=options["name"], scope=options["scope"], expires_at=expires
            )
        except ValueError as err:
            raise CommandError(str(err)) from None
        self.stdout.write(f"Created key {created.key.pk} ({created.key.scope}): {created.raw}")
        self.stdout.write("Store it now: it is shown only this once.")

    def _list(self, options) -> None:
        rows = ApiKey.objects.all()
        if not rows:
            self.stdout.write("No API keys.")
            return
        for key in rows:
            state = "revoked" if key.is_revoked else "expired" if key.is_expired() else "active"
            used = (
                f"last used {key.last_used_at:%Y-%m-%d %H:%M} UTC from {key.last_used_ip or '?'}"
                if key.last_used_at
                else "never used"
            )
            self.stdout.write(f"{key.pk}\t{key.prefix}…\t{key.scope}\t{state}\t{key.name}\t{used}")

    def _revoke(self, options) -> None:
        key = ApiKey.objects.filter(pk=options["id"]).first()
        if key is None:
            raise CommandError(f"no API key with id {options['id']}")
        if keys.revoke_key(key=key):
            self.stdout.write(f"Revoked key {key.pk} ({key.name}).")
        else:
            self.stdout.write(f"Key {key.pk} ({key.name}) was already revoked.")
