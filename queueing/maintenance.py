"""Daily maintenance: prune what has outlived its use, then VACUUM ANALYZE the big tables.

Each step is independent: one failing is logged and recorded in the report,
and the others still run. What is pruned:

* exhausted search-state rows untouched for their connector's retention
  (``SearchSettings.exhausted_retention_days``): the item becomes a candidate again;
* search history older than ``SEARCH_HISTORY_RETENTION_DAYS`` (env
  ``HISTORY_RETENTION_DAYS``, default 30);
* the throttle's dispatch log beyond its widest window (queueing.throttle.prune);
* orphaned search-state rows (their item is gone or moved to another connector);
* queue entries finished (done or cancelled) before the same retention;
* expired Django sessions (what ``clearsessions`` does).

VACUUM cannot run inside a transaction block, so it runs only in autocommit
mode (the task worker); inside a transaction (tests, a caller's atomic block)
it is skipped and the report says so.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib import import_module

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from comradarr import events
from connectors.models import ConnectorHealthCheck
from content.models import Episode, Movie, Season, Series
from queueing import throttle
from queueing.models import DispatchLog, RequestQueue, RequestQueueItem, SweepRun
from searchstate import services as searchstate_services
from searchstate.models import SearchHistory, SearchRegistry

logger = logging.getLogger(__name__)


#: The tables that grow with the library or with time; VACUUM ANALYZE keeps their
#: visibility maps and planner statistics fresh after the day's deletes.
BIG_MODELS = (
    Episode,
    Movie,
    Season,
    Series,
    SearchRegistry,
    SearchHistory,
    RequestQueue,
    RequestQueueItem,
    DispatchLog,
    SweepRun,
    ConnectorHealthCheck,
)


@dataclass
class MaintenanceReport:
    pruned: dict[str, int] = field(default_factory=dict)
    vacuumed: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "pruned": self.pruned,
            "vacuumed": self.vacuumed,
            "errors": self.errors,
            "notes": self.notes,
        }


def history_retention_days() -> int:
    return settings.SEARCH_HISTORY_RETENTION_DAYS


def prune_search_history(*, before: datetime) -> int:
    deleted, _ = SearchHistory.objects.filter(dispatched_at__lt=before).delete()
    return deleted


def prune_finished_queue(*, before: datetime) -> int:
    deleted, _ = RequestQueue.objects.finished_before(before).delete()
    return deleted


def clear_expired_sessions(*, now: datetime) -> int:
    """What ``manage.py clearsessions`` does; counts the rows when the store is the database."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    get_model = getattr(store, "get_model_class", None)
    if get_model is None:  # cache or cookie sessions expire on their own
        store.clear_expired()
        return 0
    deleted, _ = get_model().objects.filter(expire_date__lt=now).delete()
    return deleted


def vacuum_analyze(report: MaintenanceReport) -> None:
    if connection.in_atomic_block:
        report.notes.append("VACUUM ANALYZE skipped: inside a transaction")
        return
    existing = set(connection.introspection.table_names())
    for model in BIG_MODELS:
        table = model._meta.db_table
        if table not in existing:
            continue
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(table)}")
            report.vacuumed.append(table)
        except Exception as exc:
            report.errors[f"vacuum {table}"] = str(exc) or type(exc).__name__
            logger.exception("VACUUM ANALYZE failed", extra={"table": table})


def maintenance_run(
    *, now: datetime | None = None, prune: bool = True, vacuum: bool = True
) -> MaintenanceReport:
    """Run the maintenance steps; returns what each did (errors per step, never raised).

    ``prune=False`` runs VACUUM ANALYZE alone (the Database page's "Vacuum/analyze
    now"); the maintenance_completed event, whose listeners prune their own
    tables, is sent only when pruning ran.
    """
    now = now or timezone.now()
    report = MaintenanceReport()
    if prune:
        _prune(report, now=now)
    if vacuum:
        vacuum_analyze(report)
    logger.info("maintenance finished", extra=report.as_dict())
    if prune:
        events.emit(events.maintenance_completed, now=now, report=report.as_dict())
    return report


def _prune(report: MaintenanceReport, *, now: datetime) -> None:
    cutoff = now - timedelta(days=history_retention_days())
    steps = {
        "exhausted": lambda: searchstate_services.prune_exhausted(now=now),
        "orphans": searchstate_services.prune_orphans,
        "search_history": lambda: prune_search_history(before=cutoff),
        "dispatch_log": lambda: throttle.prune(now=now),
        "finished_queue_entries": lambda: prune_finished_queue(before=cutoff),
        "expired_sessions": lambda: clear_expired_sessions(now=now),
    }
    for name, step in steps.items():
        try:
            # A savepoint each: a failed step must not abort the caller's transaction.
            with transaction.atomic():
                report.pruned[name] = step()
        except Exception as exc:
            report.errors[name] = str(exc) or type(exc).__name__
            logger.exception("maintenance step failed", extra={"step": name})
