"""Domain events: the one place the engine announces what happened.

Notifications and analytics connect receivers to these signals; receivers do
side effects only (send, count), never engine logic. Emit with ``emit(...)``
so every event also leaves a structured log line.

Every event is sent with keyword arguments only; each signal's docstring
lists them. Emit inside the transaction of the change that caused the event,
never from transaction.on_commit: the notifications outbox row must commit
with the change (a crash between the commit and an on_commit callback would
lose the event).
"""

from __future__ import annotations

import logging

from django.db import DatabaseError, transaction
from django.dispatch import Signal

logger = logging.getLogger("comradarr.events")

#: connector, previous (str), current (str), message (str)
connector_health_changed = Signal()
#: connector, run (SyncRun)
sync_completed = Signal()
#: connector, run (SyncRun), error (str)
sync_failed = Signal()
#: connector, run (SweepRun)
sweep_started = Signal()
#: connector, run (SweepRun)
sweep_completed = Signal()
#: connector, entry_id, command_name, item_count
search_dispatched = Signal()
#: connector, history (SearchHistory), outcome (str)
search_completed = Signal()
#: connector, history (SearchHistory), items (list of titles)
items_grabbed = Signal()
#: connector, registry_ids (list[int])
items_exhausted = Signal()
#: connector (or None for all), reason (str)
connector_paused = Signal()
#: connector (or None for all)
connector_resumed = Signal()
#: connector, count (int), resolved_at (datetime: the Acquisition rows' resolved_at)
items_imported = Signal()
#: version (str)
application_started = Signal()
#: version (str: the newer release), current (str: the running version), url (str: its page)
#: - sent once per newer version by the daily update check (comradarr.update_check)
update_available = Signal()
#: now (datetime or None), report (dict: pruned, vacuumed, errors, notes): after the daily
#: maintenance (notifications prune their log, analytics rolls hours up into days)
maintenance_completed = Signal()
#: now (datetime), report (TickReport): after every dispatch tick (analytics samples the queue)
dispatch_ticked = Signal()
#: run (backups.BackupRun), path (Path): a backup file was written
backup_completed = Signal()
#: run (backups.BackupRun), error (str): a backup could not be made
backup_failed = Signal()
#: manager (Connector), indexer (str), indexer_id (int), limit (int), used (int), kind
#: ("queries" | "grabs"): an indexer reached its Prowlarr limit
indexer_limit_reached = Signal()
#: manager (Connector), indexer (str), indexer_id (int), disabled_till (datetime | None)
indexer_disabled = Signal()


def emit(signal: Signal, **kwargs) -> None:
    """Send a domain event; a failing receiver is logged and never breaks the engine."""
    name = next((k for k, v in globals().items() if v is signal), "event")
    logger.info("event %s", name, extra={"event": name})
    # Emitters call this inside the transaction of the change (so an outbox row
    # commits with it, and survives a crash right after the commit). The
    # savepoint keeps a receiver's failed SQL from aborting that transaction:
    # its writes roll back, the engine's stay.
    try:
        with transaction.atomic():
            results = signal.send_robust(sender=None, **kwargs)
    except DatabaseError:
        logger.exception(
            "event receivers failed; their writes were rolled back", extra={"event": name}
        )
        return
    for receiver, result in results:
        if isinstance(result, Exception):
            logger.error(
                "event receiver failed",
                extra={"event": name, "receiver": getattr(receiver, "__qualname__", str(receiver))},
                exc_info=result,
            )
