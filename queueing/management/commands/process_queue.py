"""manage.py process_queue: run the search engine's tick now, once or until idle.

--once (default): one tick (resolve, poll, dispatch within the limits).
--until-idle: tick again and again, sleeping while the throttle or commands in
flight ask for it, until nothing is due and nothing is in flight. It stops
early, with a message, when everything left waits on something a loop cannot
outwait (daily budget used, paused, connector unusable or backing off).
"""

from __future__ import annotations

import json
import logging
import time
from datetime import datetime

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from comradarr.management.parsing import OneLineErrorsCommand
from connectors.management.arguments import connector_name
from connectors.models import Connector
from queueing import dispatch
from queueing import throttle as limits
from queueing.engine import TickReport, run_tick

#: Seconds between ticks while commands are in flight.
POLL_SECONDS = 2.0
#: Longest single sleep (the loop re-checks everything after it).
MAX_SLEEP = 60.0
#: Blocks a loop waits out; anything else with nothing in flight ends --until-idle.
WAITABLE = limits.SHORT_WAITS | {dispatch.BACK_PRESSURE}


def _line(n: int, report: TickReport) -> str:
    finished = ", ".join(f"{k} {v}" for k, v in sorted(report.finished.items())) or "none"
    blocked = sorted(
        {c["blocked"] for c in report.connectors if c.get("blocked") and c.get("blocked") != "idle"}
    )
    text = (
        f"tick {n}: dispatched {report.dispatched}, finished {finished}, "
        f"in flight {report.in_flight}, due {report.due}, queued {report.queued}"
    )
    if report.recovered:
        text += f", recovered {report.recovered}"
    if blocked:
        text += f" (waiting: {', '.join(blocked)})"
    if report.global_paused:
        text += " (queue processing is paused)"
    return text


def _sleep_for(report: TickReport, now: datetime) -> float | None:
    """Seconds to sleep before the next tick, or None when waiting cannot help."""
    if report.in_flight:
        return POLL_SECONDS
    if report.global_paused:
        return None
    waits = []
    for c in report.connectors:
        if c.get("blocked") in WAITABLE:
            at = c.get("retry_at")
            waits.append((datetime.fromisoformat(at) - now).total_seconds() if at else POLL_SECONDS)
    if not waits:
        return None
    return min(MAX_SLEEP, max(0.2, min(waits)))


class Command(OneLineErrorsCommand):
    help = "Process the search queue now: dispatch and poll within the throttle limits."

    def add_arguments(self, parser: CommandParser) -> None:
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--once", action="store_true", help="One tick (the default).")
        mode.add_argument(
            "--until-idle",
            action="store_true",
            dest="until_idle",
            help="Repeat until nothing is due and nothing is in flight.",
        )
        parser.add_argument(
            "--connector",
            default=None,
            metavar="NAME",
            type=connector_name,
        )
        parser.add_argument("--json", action="store_true", help="One JSON object per tick.")

    def handle(self, *args, **options) -> None:
        if options["json"]:
            logging.getLogger("comradarr.embedded_db").setLevel(logging.WARNING)
        connector = None
        if options["connector"]:
            connector = Connector.objects.filter(name=options["connector"]).first()
            if connector is None:
                raise CommandError(
                    f"No connector named {options['connector']!r} "
                    "(see `manage.py connectors list`)."
                )
            if not connector.enabled:
                raise CommandError(f"{connector.name} is disabled.")
        tick = 0
        totals: dict[str, int] = {"dispatched": 0}
        while True:
            tick += 1
            report = run_tick(connector=connector)
            totals["dispatched"] += report.dispatched
            for outcome, n in report.finished.items():
                totals[outcome] = totals.get(outcome, 0) + n
            self._print(tick, report, options["json"])
            if not options["until_idle"]:
                return
            if report.idle:
                self._done(f"idle after {tick} ticks", totals, options["json"])
                return
            pause = _sleep_for(report, timezone.now())
            if pause is None:
                self._done(
                    f"stopped after {tick} ticks: the rest waits on a pause, the daily "
                    "budget or an unusable connector",
                    totals,
                    options["json"],
                )
                return
            time.sleep(pause)

    def _print(self, tick: int, report: TickReport, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps({"tick": tick, **report.as_dict()}))
        else:
            self.stdout.write(_line(tick, report))
        for error in report.errors:
            self.stderr.write(" ".join(error.split()))

    def _done(self, text: str, totals: dict, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps({"done": text, "totals": totals}))
        else:
            parts = ", ".join(f"{k} {v}" for k, v in totals.items())
            self.stdout.write(f"{text} ({parts}).")
