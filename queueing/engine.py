"""One tick of the search engine: resolve, poll, dispatch, for every enabled connector.

Used by the dispatch task (queueing.tasks.dispatch) every minute and by
``manage.py process_queue`` in a loop. Safe to run in any number of processes
at once: claims skip locked rows, limits are spent under a row lock, and
outcomes are recorded once (the entry row is locked and re-checked).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from comradarr import events
from connectors.common.errors import ArrError
from connectors.models import Connector
from connectors.registry import client_for
from queueing import control
from queueing.dispatch import DispatchResult, dispatch_connector
from queueing.models import GlobalThrottle, RequestQueue
from queueing.polling import PollResult, poll_connector
from searchstate.resolution import resolve_acquisitions

logger = logging.getLogger(__name__)

#: The engine retries by ticks, so its HTTP client retries once, quickly, not for minutes.
CLIENT_RETRIES = 1
CLIENT_BACKOFF_CAP = 5.0


@dataclass
class TickReport:
    started_at: datetime
    dispatched: int = 0
    in_flight: int = 0
    due: int = 0
    queued: int = 0
    finished: dict[str, int] = field(default_factory=dict)
    recovered: int = 0
    global_paused: bool = False
    connectors: list[dict] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def idle(self) -> bool:
        """Nothing due and nothing in flight."""
        return self.due == 0 and self.in_flight == 0

    def as_dict(self) -> dict:
        return {
            "at": self.started_at.isoformat(),
            "dispatched": self.dispatched,
            "finished": self.finished,
            "recovered": self.recovered,
            "in_flight": self.in_flight,
            "due": self.due,
            "queued": self.queued,
            "global_paused": self.global_paused,
            "connectors": self.connectors,
            "errors": self.errors,
        }


def engine_client(connector: Connector):
    client = client_for(connector)
    client.http.max_retries = CLIENT_RETRIES
    client.http.backoff_cap = CLIENT_BACKOFF_CAP
    return client


def _merge(report: TickReport, polled: PollResult | None, sent: DispatchResult | None) -> None:
    entry: dict = {}
    if polled is not None:
        for outcome, n in polled.finished.items():
            report.finished[outcome] = report.finished.get(outcome, 0) + n
        report.recovered += polled.recovered
        report.errors += [f"{polled.connector}: {e}" for e in polled.errors]
        entry.update(connector=polled.connector, polled=polled.polled, requeued=polled.requeued)
    if sent is not None:
        report.dispatched += sent.dispatched
        report.errors += [f"{sent.connector}: {e}" for e in sent.errors]
        entry.update(
            connector=sent.connector,
            dispatched=sent.dispatched,
            blocked=sent.blocked,
            retry_at=sent.retry_at.isoformat() if sent.retry_at else None,
            dropped_downloading=sent.dropped_downloading,
        )
    if entry:
        report.connectors.append(entry)


def run_tick(
    *, connector: Connector | None = None, now: datetime | None = None, dispatch: bool = True
) -> TickReport:
    """Resolve acquisitions, poll commands in flight, then dispatch within the limits."""
    report = TickReport(started_at=now or timezone.now())
    # Disabled connectors still get their commands in flight timed out (without HTTP).
    in_flight = RequestQueue.objects.filter(
        connector=OuterRef("pk"), status=RequestQueue.Status.DISPATCHED
    )
    connectors = Connector.objects.libraries().filter(Q(enabled=True) | Exists(in_flight))
    if connector is not None:
        connectors = connectors.filter(pk=connector.pk)
    report.global_paused = GlobalThrottle.load().paused
    for conn in connectors.order_by("name"):
        tick_now = now or timezone.now()
        client = None
        try:
            # An unusable connector is not contacted (a client may probe the app).
            client = engine_client(conn) if conn.is_usable else None
            resolve_acquisitions(connector=conn, now=tick_now)
            control.connector_recovered(connector=conn, now=tick_now)
            polled = poll_connector(connector=conn, client=client, now=tick_now)
            sent = None
            if dispatch and not report.global_paused:
                sent = dispatch_connector(connector=conn, client=client, now=now)
            _merge(report, polled, sent)
        except ArrError as err:  # the client could not even be built (probe failed)
            control.connector_error(connector=conn, message=str(err), now=tick_now)
            report.errors.append(f"{conn.name}: {err}")
        except Exception as err:  # one broken connector must not stop the others
            logger.exception("queue tick failed", extra={"connector": conn.name})
            report.errors.append(f"{conn.name}: {err.__class__.__name__}: {err}")
        finally:
            if client is not None:
                client.http.close()
    _count(report, connector, now or timezone.now())
    events.emit(events.dispatch_ticked, now=now or timezone.now(), report=report)
    return report


def _count(report: TickReport, connector: Connector | None, now: datetime) -> None:
    entries = RequestQueue.objects.filter(connector__enabled=True)
    if connector is not None:
        entries = entries.filter(connector=connector)
    report.in_flight = entries.filter(status=RequestQueue.Status.DISPATCHED).count()
    queued = entries.filter(status=RequestQueue.Status.QUEUED)
    report.queued = queued.count()
    report.due = queued.filter(Q(scheduled_at__lte=now)).count()
