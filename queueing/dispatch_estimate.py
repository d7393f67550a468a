"""When each queued entry is likely to go out, and why a connector is not dispatching.

A read model: it walks a connector's queued entries in dispatch order
(``scheduled_at``, then priority) and replays the throttle's rules
(queueing.throttle) on a simulated clock: the next slot (minimum interval plus
the jitter's mean), the per-minute and per-hour windows (counted from the real
DispatchLog rows of the last hour plus the simulated sends), the daily budget
and the in-flight cap. A connector that cannot dispatch at all gets the reason
in words instead of a time: a pause, a spent budget (with when it frees when
that is known), or back-pressure from the app's download queue (remembered by
dispatch in ConnectorThrottle.back_pressure_at, so no page calls the app).

It assumes each search finishes before the next slot (the usual case: a search
takes seconds, slots are minutes apart). Cost: one DispatchLog query per
connector with entries shown, no *arr call.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from queueing import indexer_budget
from queueing import throttle as limits
from queueing.models import DispatchLog, RequestQueue

#: Reasons a connector is not dispatching, in the queue page's words.
STOP_TEXT = {
    limits.GLOBAL_PAUSED: "all processing paused by the user",
    limits.PAUSED: "paused by the user",
    limits.DAILY_BUDGET: "daily budget spent",
    limits.GLOBAL_BUDGET: "global daily budget spent",
    indexer_budget.INDEXER_LIMIT: "indexer budget spent",
    indexer_budget.INDEXER_GRABS: "indexers at their grab limit",
    indexer_budget.NO_INDEXER: "no usable indexer",
    "back_pressure": "waiting for the download queue to drain",
    "unusable": "the connector is disabled or unhealthy",
}

#: What the entry waits for when no time can be given ("after the pause ends").
AFTER_TEXT = {
    limits.GLOBAL_PAUSED: "after processing is resumed",
    limits.PAUSED: "after the pause ends",
    limits.AUTO_PAUSED: "after the pause ends",
    limits.IN_FLIGHT: "after a running search finishes",
    "back_pressure": "after the download queue drains",
    "unusable": "once the connector is usable again",
}
AFTER_BUDGET = "after the budget frees up"


@dataclass(frozen=True)
class Estimate:
    """One entry's expected dispatch: a time, or what it waits for."""

    at: datetime | None
    #: Why its connector is not dispatching ("" when it is, or only spacing delays it).
    reason: str = ""
    #: Shown instead of a time when ``at`` is None ("after the pause ends").
    after: str = ""

    def words(self, now: datetime) -> str:
        """ "now", "in about 4 min", "at 14:05" (local time), or ``after``."""
        if self.at is None:
            return self.after
        seconds = (self.at - now).total_seconds()
        if seconds < 30:
            return "now"
        minutes = round(seconds / 60)
        if minutes < 60:
            return f"in about {minutes} min"
        if minutes < 24 * 60:
            hours, rest = divmod(minutes, 60)
            return f"in about {hours} h {rest:02d} min"
        return "at " + timezone.localtime(self.at).strftime("%b %-d, %H:%M")


def _hhmm(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


def _stop(status, now: datetime, *, due: bool) -> tuple[str, datetime | None] | None:
    """The reason a connector cannot dispatch until a known or unknown time, or None.

    ``status`` is a queueing.queue_status.ConnectorStatus (allowance already checked).
    Short waits (interval, per-minute, per-hour) are not stops: the walk spaces them.
    """
    if status.wait == "unusable":
        return "unusable", None
    if status.wait in (limits.GLOBAL_PAUSED, limits.PAUSED, limits.AUTO_PAUSED):
        return status.wait, status.retry_at
    if status.wait and status.wait not in limits.SHORT_WAITS:
        return status.wait, status.retry_at  # budgets: retry_at when the window frees
    if status.throttle.back_pressure_at is not None and due:
        # Dispatch re-reads the app's queue only while something is due: with nothing
        # due the remembered state may be stale, so it only stops a due queue.
        return "back_pressure", None
    if status.in_flight >= status.profile.max_in_flight:
        return limits.IN_FLIGHT, None
    return None


def stop_words(reason: str, until: datetime | None, pause_reason: str = "") -> str:
    """ "indexer budget spent until 14:00", "paused until 14:00: rate limited"."""
    if reason == limits.AUTO_PAUSED:
        text = f"paused until {_hhmm(until)}" if until else "paused automatically"
        return f"{text}: {pause_reason}" if pause_reason else text
    if reason == limits.IN_FLIGHT:
        return "searches in flight at the limit"
    text = STOP_TEXT.get(reason, reason.replace("_", " "))
    return f"{text} until {_hhmm(until)}" if until else text


class _Clock:
    """The throttle windows of one connector on a simulated clock."""

    def __init__(self, status, sent: list[datetime], now: datetime) -> None:
        self.profile = status.profile
        self.sent = sorted(sent)
        self.queries_left = status.queries_left_day
        budget = status.indexers
        if budget is not None and budget.queries_left is not None:
            self.queries_left = min(self.queries_left, budget.queries_left)
        self.slot = max(now, status.throttle.next_dispatch_at or now)
        self.gap = timedelta(
            seconds=self.profile.min_interval_seconds + self.profile.interval_jitter_seconds / 2
        )

    def _window_clear(self, t: datetime, window: timedelta, cap: int) -> datetime:
        inside = [s for s in self.sent if s > t - window - limits.WINDOW_SLACK]
        if len(inside) < cap:
            return t
        return inside[len(inside) - cap] + window + limits.WINDOW_SLACK

    def next_send(self, earliest: datetime) -> datetime:
        t = max(self.slot, earliest)
        for _ in range(4):  # the windows settle in a step or two
            moved = self._window_clear(t, limits.MINUTE, self.profile.commands_per_minute)
            moved = self._window_clear(moved, limits.HOUR, self.profile.commands_per_hour)
            if moved == t:
                break
            t = moved
        return t

    def send(self, t: datetime, queries: int) -> None:
        self.sent.append(t)
        self.slot = t + self.gap
        self.queries_left -= max(1, queries)


def _walk(entries: list[RequestQueue], status, sent: list[datetime], now: datetime) -> None:
    stop = _stop(status, now, due=bool(entries) and entries[0].scheduled_at <= now)
    if stop is not None and not (stop[0] == limits.AUTO_PAUSED and stop[1]):
        reason, until = stop
        words = stop_words(reason, until, status.throttle.pause_reason)
        after = AFTER_TEXT.get(reason, AFTER_BUDGET)
        for entry in entries:
            entry.estimate = Estimate(at=None, reason=words, after=after)
        return
    clock = _Clock(status, sent, now)
    reason = ""
    if stop is not None:  # an automatic pause with an end: the walk starts there
        clock.slot = max(clock.slot, stop[1])
        reason = stop_words(stop[0], stop[1], status.throttle.pause_reason)
    for entry in entries:
        if clock.queries_left <= 0:
            entry.estimate = Estimate(at=None, reason="daily budget spent", after=AFTER_BUDGET)
            continue
        t = clock.next_send(entry.scheduled_at)
        clock.send(t, entry.estimated_queries)
        entry.estimate = Estimate(at=t, reason=reason)


def estimate_entries(entries: list[RequestQueue], statuses: list, *, now: datetime) -> None:
    """Set ``entry.estimate`` on queued ``entries`` (the first of each connector's queue,
    in dispatch order) from the connectors' ``statuses`` (queue_status.connector_statuses).
    """
    by_connector: dict[int, list[RequestQueue]] = defaultdict(list)
    for entry in sorted(entries, key=lambda e: (e.scheduled_at, -e.priority, e.pk)):
        by_connector[entry.connector_id].append(entry)
    if not by_connector:
        return
    sent: dict[int, list[datetime]] = defaultdict(list)
    since = now - limits.HOUR - limits.WINDOW_SLACK
    recent = DispatchLog.objects.filter(
        connector_id__in=list(by_connector), dispatched_at__gt=since
    ).values_list("connector_id", "dispatched_at")
    for connector_id, at in recent:
        sent[connector_id].append(at)
    statuses_by_id = {s.connector.pk: s for s in statuses}
    for connector_id, mine in by_connector.items():
        status = statuses_by_id.get(connector_id)
        if status is None:  # not a library connector any more: nothing will send it
            for entry in mine:
                entry.estimate = Estimate(at=None, reason="connector gone", after="never")
            continue
        _walk(mine, status, sent[connector_id], now)


#: Entries walked ahead of one entry on its detail page (beyond: "later than ...").
AHEAD_LIMIT = 500


def estimate_entry(entry: RequestQueue, *, now: datetime | None = None) -> Estimate | None:
    """The estimate of one queued entry (its detail page): walks the entries before it."""
    from queueing.queue_status import connector_statuses  # the read model's statuses

    if entry.status != RequestQueue.Status.QUEUED:
        return None
    now = now or timezone.now()
    queued = RequestQueue.objects.filter(connector_id=entry.connector_id, status="queued")
    ahead = list(
        queued.filter(scheduled_at__lte=entry.scheduled_at)
        .exclude(pk=entry.pk)
        .only("pk", "connector_id", "scheduled_at", "priority", "estimated_queries")
        .order_by("scheduled_at", "-priority", "pk")[: AHEAD_LIMIT + 1]
    )
    key = (entry.scheduled_at, -entry.priority, entry.pk)
    ahead = [e for e in ahead if (e.scheduled_at, -e.priority, e.pk) < key][:AHEAD_LIMIT]
    statuses = connector_statuses(now=now, with_backlog=False)
    estimate_entries([*ahead, entry], statuses, now=now)
    return entry.estimate
