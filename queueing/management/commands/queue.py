"""manage.py queue: pause, resume, clear, remove an entry, set an entry's priority, status.

Exit status 0 on success; otherwise non-zero and one line on stderr saying why.
"""

from __future__ import annotations

import json
import logging

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from comradarr.management.parsing import (
    BIGINT_MAX,
    INT_MAX,
    OneLineErrorsCommand,
    OneLineParser,
    int_range,
    positive_int,
)
from connectors.management.arguments import connector_name
from connectors.models import Connector
from queueing import control
from queueing import throttle as limits
from queueing.models import ConnectorThrottle, GlobalThrottle, RequestQueue

_entry_id = positive_int(BIGINT_MAX, what="the entry id")


class Command(OneLineErrorsCommand):
    help = "Control queue processing: pause, resume, clear, remove, priority, status."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(
            dest="action",
            metavar="{status,pause,resume,clear,remove,priority}",
            parser_class=OneLineParser,
        )
        sub.required = True
        status = sub.add_parser("status", help="Pauses, in flight, due and limits per connector.")
        status.add_argument("--json", action="store_true")
        for name, text in (
            ("pause", "Stop dispatching (all connectors, or one)."),
            ("resume", "Resume dispatching; also lifts automatic pauses of a connector."),
            ("clear", "Cancel every queued entry; their items return to pending."),
        ):
            p = sub.add_parser(name, help=text)
            p.add_argument("--connector", default=None, metavar="NAME", type=connector_name)
        remove = sub.add_parser("remove", help="Cancel one queued entry.")
        remove.add_argument("entry_id", type=_entry_id)
        priority = sub.add_parser("priority", help="Set a queued entry's priority.")
        priority.add_argument("entry_id", type=_entry_id)
        priority.add_argument(
            "priority",
            # The column's bounds here; queueing.control owns the narrower rule.
            type=int_range(-INT_MAX, INT_MAX, what="the priority"),
        )

    def handle(self, *args, action: str, **options) -> None:
        if options.get("json"):
            logging.getLogger("comradarr.embedded_db").setLevel(logging.WARNING)
        try:
            getattr(self, f"handle_{action}")(**options)
        except control.ControlError as err:
            raise CommandError(" ".join(str(err).split())) from None

    def _connector(self, name: str | None) -> Connector | None:
        if name is None:
            return None
        connector = Connector.objects.filter(name=name).first()
        if connector is None:
            raise CommandError(f"No connector named {name!r} (see `manage.py connectors list`).")
        return connector

    def _entry(self, entry_id: int) -> RequestQueue:
        entry = RequestQueue.objects.filter(pk=entry_id).first()
        if entry is None:
            raise CommandError(f"No queue entry {entry_id}.")
        return entry

    def handle_pause(self, **options) -> None:
        connector = self._connector(options["connector"])
        control.queue_pause(connector=connector)
        self.stdout.write(f"Paused {connector.name if connector else 'queue processing'}.")

    def handle_resume(self, **options) -> None:
        connector = self._connector(options["connector"])
        control.queue_resume(connector=connector)
        self.stdout.write(f"Resumed {connector.name if connector else 'queue processing'}.")

    def handle_clear(self, **options) -> None:
        n = control.queue_clear(connector=self._connector(options["connector"]))
        self.stdout.write(f"Cancelled {n} queued entries.")

    def handle_remove(self, **options) -> None:
        control.queue_entry_remove(entry=self._entry(options["entry_id"]))
        self.stdout.write(f"Removed queue entry {options['entry_id']}.")

    def handle_priority(self, **options) -> None:
        entry = control.queue_entry_set_priority(
            entry=self._entry(options["entry_id"]), priority=options["priority"]
        )
        self.stdout.write(f"Queue entry {entry.pk} now has priority {entry.priority}.")

    def handle_status(self, **options) -> None:
        now = timezone.now()
        rows = []
        global_throttle = GlobalThrottle.load()
        for connector in Connector.objects.order_by("name"):
            throttle = ConnectorThrottle.for_connector(connector)
            profile = throttle.effective_profile()
            allowance = limits.check(
                throttle, profile=profile, global_throttle=global_throttle, now=now
            )
            spent = limits.spent(connector_id=connector.pk, now=now)
            entries = RequestQueue.objects.filter(connector=connector)
            rows.append(
                {
                    "connector": connector.name,
                    "profile": profile.name,
                    "paused": throttle.paused,
                    "paused_until": throttle.paused_until.isoformat()
                    if throttle.paused_until and throttle.paused_until > now
                    else None,
                    "pause_reason": throttle.pause_reason or None,
                    "in_flight": entries.filter(status="dispatched").count(),
                    "due": entries.filter(status="queued", scheduled_at__lte=now).count(),
                    "queued": entries.filter(status="queued").count(),
                    "last_hour": spent.hour,
                    "queries_today": spent.day_queries,
                    "daily_budget": profile.daily_budget,
                    "can_dispatch": allowance.ok,
                    "blocked": allowance.reason or None,
                }
            )
        if options["json"]:
            self.stdout.write(
                json.dumps({"global_paused": global_throttle.paused, "connectors": rows}, indent=2)
            )
            return
        if global_throttle.paused:
            self.stdout.write("Queue processing is PAUSED for all connectors.")
        for r in rows:
            state = "ready" if r["can_dispatch"] else f"waiting ({r['blocked']})"
            self.stdout.write(
                f"{r['connector']}: {state}; profile {r['profile']}; in flight {r['in_flight']}, "
                f"due {r['due']}, queued {r['queued']}; {r['last_hour']} commands last hour, "
                f"{r['queries_today']}/{r['daily_budget']} queries in 24 h"
            )
