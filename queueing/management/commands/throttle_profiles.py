"""manage.py throttle_profiles: list, show, create, update and assign throttle profiles.

Exit status 0 on success; otherwise non-zero and one line on stderr saying why.
"""

from __future__ import annotations

import json
import logging

from django.core.management.base import CommandError, CommandParser

from comradarr.management.parsing import OneLineErrorsCommand, OneLineParser, bounded_text
from connectors.management.arguments import connector_name
from connectors.models import Connector
from queueing import throttle_profiles as profiles
from queueing.models import ThrottleProfile

#: A profile name (the column is 60 characters; queueing.throttle_profiles checks the rest).
profile_name = bounded_text(
    ThrottleProfile._meta.get_field("name").max_length, allow_empty=False, what="the profile name"
)
#: Longest description kept (queueing.throttle_profiles stores at most this much).
DESCRIPTION_MAX = 2000
# A number needs no more; longer is refused before the service echoes it back.
_number = bounded_text(30, allow_empty=False, what="the number")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _field_options(parser: CommandParser) -> None:
    for field, (_kind, low, high, label) in profiles.FIELDS.items():
        parser.add_argument(
            f"--{field.replace('_', '-')}",
            dest=field,
            default=None,
            metavar="N",
            type=_number,
            help=f"{label} ({low:g}-{high:g})",
        )
    parser.add_argument(
        "--description",
        default=None,
        type=bounded_text(DESCRIPTION_MAX, what="the description"),
        help=f"At most {DESCRIPTION_MAX} characters.",
    )


class Command(OneLineErrorsCommand):
    help = "Manage throttle profiles. " + profiles.BUDGET_RULE

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(
            dest="action", metavar="{list,show,create,update,assign}", parser_class=OneLineParser
        )
        sub.required = True
        listing = sub.add_parser("list", help="All profiles and the connectors using them.")
        listing.add_argument("--json", action="store_true")
        show = sub.add_parser("show", help="Every field of one profile.")
        show.add_argument("name", type=profile_name)
        show.add_argument("--json", action="store_true")
        create = sub.add_parser("create", help="A custom profile (unset fields: the default's).")
        create.add_argument("name", type=profile_name)
        create.add_argument(
            "--based-on", dest="based_on", default=None, metavar="PROFILE", type=profile_name
        )
        _field_options(create)
        update = sub.add_parser("update", help="Change fields of a profile.")
        update.add_argument("name", type=profile_name)
        update.add_argument("--rename", default=None, metavar="NEW_NAME", type=profile_name)
        update.add_argument("--make-default", action="store_true", dest="make_default")
        _field_options(update)
        assign = sub.add_parser("assign", help="Set a connector's profile ('default' to unset).")
        assign.add_argument("connector", type=connector_name)
        assign.add_argument("profile", type=profile_name)

    def handle(self, *args, action: str, **options) -> None:
        if options.get("json"):
            logging.getLogger("comradarr.embedded_db").setLevel(logging.WARNING)
        try:
            getattr(self, f"handle_{action}")(**options)
        except profiles.ProfileError as err:
            raise CommandError(_one_line(str(err))) from None
        except CommandError as err:
            raise CommandError(_one_line(str(err))) from None

    def _profile(self, name: str) -> ThrottleProfile:
        profile = ThrottleProfile.objects.filter(name__iexact=name).first()
        if profile is None:
            raise CommandError(
                f"No throttle profile named {name!r} (see `manage.py throttle_profiles list`)."
            )
        return profile

    @staticmethod
    def _fields(options: dict) -> dict:
        return {f: options[f] for f in profiles.FIELDS if options.get(f) is not None}

    def handle_list(self, **options) -> None:
        rows = [profiles.profile_as_dict(p) for p in ThrottleProfile.objects.order_by("name")]
        if options["json"]:
            self.stdout.write(json.dumps(rows, indent=2))
            return
        self.stdout.write(
            f"{'NAME':<20} {'PER MIN':>7} {'PER HOUR':>8} {'INTERVAL':>8} {'IN FLIGHT':>9} "
            f"{'BATCH':>5} {'BUDGET/DAY':>10}  CONNECTORS"
        )
        for row in rows:
            flags = (" (default)" if row["is_default"] else "") + (
                " [preset]" if row["is_preset"] else ""
            )
            self.stdout.write(
                f"{row['name']:<20} {row['commands_per_minute']:>7} "
                f"{row['commands_per_hour']:>8} "
                f"{str(row['min_interval_seconds']) + 's':>8} {row['max_in_flight']:>9} "
                f"{row['batch_size']:>5} {row['daily_budget']:>10}  "
                f"{', '.join(row['connectors']) or '-'}{flags}"
            )

    def handle_show(self, **options) -> None:
        row = profiles.profile_as_dict(self._profile(options["name"]))
        if options["json"]:
            self.stdout.write(json.dumps(row, indent=2))
            return
        for key, value in row.items():
            if isinstance(value, list):
                value = ", ".join(value) or "-"
            self.stdout.write(f"{key:<26} {value}")
        self.stdout.write(profiles.BUDGET_RULE)

    def handle_create(self, **options) -> None:
        based_on = self._profile(options["based_on"]) if options["based_on"] else None
        profile = profiles.throttle_profile_create(
            name=options["name"],
            description=options["description"] or "",
            based_on=based_on,
            **self._fields(options),
        )
        self.stdout.write(f"Created throttle profile {profile.name}.")

    def handle_update(self, **options) -> None:
        profile = self._profile(options["name"])
        fields = self._fields(options)
        if (
            not (fields or options["rename"] or options["description"] is not None)
            and not (options["make_default"])
        ):
            raise CommandError("nothing to update: give at least one field option")
        profile = profiles.throttle_profile_update(
            profile=profile,
            name=options["rename"],
            description=options["description"],
            **fields,
        )
        if options["make_default"]:
            profiles.throttle_profile_make_default(profile=profile)
        self.stdout.write(f"Updated throttle profile {profile.name}.")

    def handle_assign(self, **options) -> None:
        connector = Connector.objects.filter(name=options["connector"]).first()
        if connector is None:
            raise CommandError(
                f"No connector named {options['connector']!r} (see `manage.py connectors list`)."
            )
        if options["profile"].lower() == "default":
            profiles.connector_throttle_assign(connector=connector, profile=None)
            self.stdout.write(f"{connector.name} now follows the default throttle profile.")
            return
        profile = self._profile(options["profile"])
        profiles.connector_throttle_assign(connector=connector, profile=profile)
        self.stdout.write(f"{connector.name} now uses throttle profile {profile.name}.")
