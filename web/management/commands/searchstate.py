"""manage.py searchstate why|search-now|priority|exhaust|reset|exclude on an item or series.

A surface like the library pages, so it lives in web: search-now runs queueing's
sweep command, which searchstate itself never names.
"""

from __future__ import annotations

import json

from django.core.management import call_command
from django.core.management.base import CommandError

from comradarr.management.parsing import (
    INT_MAX,
    OneLineErrorsCommand,
    bounded_text,
    int_range,
    positive_int,
)
from connectors.management.arguments import connector_name
from connectors.models import Connector
from content.models import Series
from searchstate import services
from searchstate.downloads import downloading_arr_ids
from searchstate.models import Exclusion
from searchstate.targets import MAX_TITLE, Target, TargetError, find_target
from searchstate.why import why

#: `why` on a whole series prints at most this many items (the rest are counted).
WHY_LIMIT = 200


NOTE_MAX = Exclusion._meta.get_field("note").max_length


class Command(OneLineErrorsCommand):
    help = (
        "Inspect and steer search state. Actions: why, search-now, priority VALUE|clear, "
        "exhaust, reset, exclude [--include]. Targets: --series ID|TITLE [--season N], "
        "--episode ARR_ID, --movie ID|TITLE."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "action", choices=["why", "search-now", "priority", "exhaust", "reset", "exclude"]
        )
        parser.add_argument(
            "value",
            nargs="?",
            type=bounded_text(10, what="the priority"),
            help="priority: -100..100, or 'clear'",
        )
        parser.add_argument("--connector", metavar="NAME", type=connector_name)
        parser.add_argument(
            "--series", metavar="ID|TITLE", type=bounded_text(MAX_TITLE, what="the series")
        )
        parser.add_argument("--season", type=int_range(0, INT_MAX, what="the season"), metavar="N")
        parser.add_argument("--episode", type=positive_int(what="the episode id"), metavar="ARR_ID")
        parser.add_argument(
            "--movie", metavar="ID|TITLE", type=bounded_text(MAX_TITLE, what="the movie")
        )
        parser.add_argument("--include", action="store_true", help="exclude: undo it")
        parser.add_argument(
            "--note",
            default="",
            type=bounded_text(NOTE_MAX, what="the note"),
            help=f"exclude: why (at most {NOTE_MAX} characters)",
        )
        parser.add_argument(
            "--check-queue",
            action="store_true",
            help="why: also read the *arr's download queue (one HTTP call)",
        )
        parser.add_argument("--dry-run", action="store_true", help="search-now: show the plan")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options) -> None:
        connector = self._connector(options["connector"])
        try:
            target = find_target(
                connector=connector,
                series=options["series"],
                season=options["season"],
                episode=options["episode"],
                movie=options["movie"],
            )
        except TargetError as exc:
            raise CommandError(str(exc)) from exc
        handler = getattr(self, "do_" + options["action"].replace("-", "_"))
        handler(target, options)

    def _connector(self, name: str | None) -> Connector:
        if name:
            found = Connector.objects.filter(name=name).first()
            if found is None:
                raise CommandError(f"unknown connector: {name}")
            return found
        connectors = list(Connector.objects.all()[:2])
        if len(connectors) != 1:
            raise CommandError("--connector NAME is required when there is not exactly one")
        return connectors[0]

    def _emit(self, options, payload: dict, text: str) -> None:
        if options["json"]:
            self.stdout.write(json.dumps(payload, indent=2, default=str))
        else:
            self.stdout.write(text)

    def do_why(self, target: Target, options) -> None:
        downloading = None
        items = list(target.items.select_related("connector")[: WHY_LIMIT + 1])
        if options["check_queue"]:
            downloading = downloading_arr_ids(target.connector)
        reports = [why(item, downloading=downloading) for item in items[:WHY_LIMIT]]
        more = len(items) > WHY_LIMIT
        self._emit(
            options,
            {
                "target": target.description,
                "items": [r.as_dict() for r in reports],
                "truncated": more,
            },
            "\n".join(str(r) for r in reports)
            + (f"\n... more items not shown (limit {WHY_LIMIT})" if more else ""),
        )

    def do_search_now(self, target: Target, options) -> None:
        pks = list(target.items.values_list("pk", flat=True))
        call_command(
            "sweep",
            connector=[target.connector.name],
            only=pks,
            force=True,
            dry_run=options["dry_run"],
            json=options["json"],
            stdout=self.stdout,
            stderr=self.stderr,
        )

    def do_priority(self, target: Target, options) -> None:
        raw = options["value"]
        if raw is None:
            raise CommandError("priority needs a value from -100 to 100, or 'clear'")
        if raw == "clear":
            value = None
        else:
            try:
                value = int(raw)
            except ValueError:
                raise CommandError(f"priority must be an integer or 'clear', not {raw!r}") from None
            if not -100 <= value <= 100:
                raise CommandError("priority must be between -100 and 100")
        if isinstance(target.obj, Series) and target.season_number is not None:
            changed = services.items_set_priority(items=target.items.iterator(), priority=value)
            text = f"priority of {changed} episodes of {target.description} set to {value}"
        else:
            services.item_set_priority(target=target.obj, priority=value)
            text = f"priority of {target.description} set to {value}"
            if isinstance(target.obj, Series):
                text += " (its episodes inherit it unless they have their own)"
        self._emit(options, {"target": target.description, "priority": value}, text)

    def do_exhaust(self, target: Target, options) -> None:
        changed = services.registry_mark_exhausted(
            connector=target.connector, items=target.items.iterator()
        )
        self._emit(
            options,
            {"target": target.description, "exhausted": changed},
            f"{changed} items of {target.description} marked exhausted",
        )

    def do_reset(self, target: Target, options) -> None:
        changed = services.registry_reset(items=target.items.iterator())
        self._emit(
            options,
            {"target": target.description, "reset": changed},
            f"search state of {changed} items of {target.description} cleared",
        )

    def do_exclude(self, target: Target, options) -> None:
        objs = [target.obj]
        if isinstance(target.obj, Series) and target.season_number is not None:
            objs = list(target.items)
        if options["include"]:
            changed = sum(services.item_include(target=o) for o in objs)
            text = f"{target.description} included again ({changed} exclusions removed)"
        else:
            for o in objs:
                services.item_exclude(target=o, note=options["note"])
            changed = len(objs)
            text = f"{target.description} excluded"
        self._emit(
            options,
            {"target": target.description, "include": options["include"], "changed": changed},
            text,
        )
