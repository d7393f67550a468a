"""Running a sync of one connector (or all): the ledger, locking, failures and events.

``connector_sync`` is the one entry point the task, the command and the
webhook follow-up use. It never raises for a failure of the *arr app or of
the sync itself: the failure is recorded on the SyncRun and the SyncState,
so one connector failing never stops the others.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from comradarr import events
from comradarr.locks import advisory_lock
from connectors.common.errors import ArrError
from connectors.models import Connector
from content.models import SyncRun, SyncState
from content.sync.common import Progress, SyncStats, no_progress
from content.sync.full import full_sync
from content.sync.incremental import incremental_sync

logger = logging.getLogger(__name__)

# Scheduled syncs back off after a failure: 1, 2, 4 ... minutes, at most 1 hour.
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=1)
# /history/since asks from a little before the last successful run started,
# so a clock difference between us and the *arr app loses nothing; events of
# the overlap already acted on are skipped by id (SyncState.last_history_id).
HISTORY_OVERLAP = timedelta(minutes=5)
# The ledger keeps this much history (runs every 15 minutes add up).
RUN_RETENTION = timedelta(days=90)


def _default_client_for(connector):
    from connectors.registry import client_for

    return client_for(connector)


ClientFactory = Callable[[Connector], object]


def backoff_for(failures: int) -> timedelta:
    """Wait before the next scheduled attempt after ``failures`` consecutive failures."""
    if failures <= 0:
        return timedelta(0)
    return min(BACKOFF_BASE * (2 ** min(failures - 1, 16)), BACKOFF_CAP)


def sync_state_for(connector: Connector) -> SyncState:
    state, _ = SyncState.objects.get_or_create(connector=connector)
    return state


@transaction.atomic  # the event's outbox row commits with the run's outcome
def _set_health(connector: Connector, current: str, message: str) -> None:
    previous = connector.health_status
    if previous == current:
        return
    changed = Connector.objects.filter(pk=connector.pk, health_status=previous).update(
        health_status=current, health_message=message
    )
    if changed:
        connector.health_status, connector.health_message = current, message
        events.emit(
            events.connector_health_changed,
            connector=connector,
            previous=previous,
            current=current,
            message=message,
        )


def connector_sync(
    *,
    connector: Connector,
    kind: str = SyncRun.Kind.INCREMENTAL,
    trigger: str = SyncRun.Trigger.SCHEDULE,
    progress: Progress = no_progress,
    client_factory: ClientFactory | None = None,
) -> SyncRun | None:
    """Sync one connector and record the run; returns None when skipped by backoff.

    An incremental sync of a connector that never completed a full sync runs
    as a full one.
    """
    if not connector.is_library:
        return None  # an indexer manager (Prowlarr) has no library to mirror
    state = sync_state_for(connector)
    now = timezone.now()
    if trigger == SyncRun.Trigger.SCHEDULE and state.retry_after and state.retry_after > now:
        logger.info(
            "sync skipped: backing off after failures",
            extra={"connector": connector.name, "retry_after": state.retry_after.isoformat()},
        )
        return None
    if kind == SyncRun.Kind.INCREMENTAL and state.last_full_sync_at is None:
        kind = SyncRun.Kind.FULL

    # Two syncs of one connector never overlap (a webhook's and the schedule's).
    with advisory_lock("sync", connector.pk) as acquired:
        if not acquired:
            return SyncRun.objects.create(
                connector=connector,
                trigger=trigger,
                kind=kind,
                status=SyncRun.Status.SKIPPED,
                started_at=now,
                finished_at=now,
                error="Another sync of this connector is running.",
            )
        return _run_locked(
            connector=connector,
            state=state,
            kind=kind,
            trigger=trigger,
            progress=progress,
            client_factory=client_factory or _default_client_for,
            started=now,
        )


def _run_locked(
    *,
    connector: Connector,
    state: SyncState,
    kind: str,
    trigger: str,
    progress: Progress,
    client_factory: ClientFactory,
    started: datetime,
) -> SyncRun:
    # Holding the lock means no other sync of this connector is alive: a run
    # still marked running was cut off (worker killed at its timeout, crash).
    SyncRun.objects.filter(connector=connector, status=SyncRun.Status.RUNNING).update(
        status=SyncRun.Status.FAILED,
        finished_at=started,
        error="Interrupted: the worker stopped before the sync finished.",
    )
    run = SyncRun.objects.create(
        connector=connector, trigger=trigger, kind=kind, started_at=started
    )
    SyncState.objects.filter(pk=state.pk).update(last_attempt_at=started)
    client = None
    stats = SyncStats()
    try:
        client = client_factory(connector)
        if kind == SyncRun.Kind.FULL:
            full_sync(connector=connector, client=client, progress=progress, stats=stats)
        else:
            since = state.history_since - HISTORY_OVERLAP if state.history_since else None
            incremental_sync(
                connector=connector,
                client=client,
                state=state,
                history_since=since,
                progress=progress,
                stats=stats,
            )
    except Exception as exc:
        # ArrError carries a user-facing sentence; anything else is our bug or
        # the database, logged with its traceback. Either way the mirror keeps
        # its previous state for whatever was not written.
        if isinstance(exc, ArrError):
            error = str(exc)
            logger.warning("sync failed", extra={"connector": connector.name, "error": error})
        else:
            error = f"Unexpected error: {exc.__class__.__name__}: {exc}"
            logger.exception("sync crashed", extra={"connector": connector.name})
        return _record_failure(connector, state, run, client, error, stats)
    return _record_success(connector, state, run, client, stats)


def _http_requests(client) -> int:
    # None when building the client failed: no request was made.
    return client.http.request_count if client is not None else 0


@transaction.atomic  # the event's outbox row commits with the run's outcome
def _record_success(connector, state, run, client, stats: SyncStats) -> SyncRun:
    finished = timezone.now()
    run.status = SyncRun.Status.SUCCEEDED
    run.finished_at = finished
    run.added, run.updated, run.removed = stats.added, stats.updated, stats.removed
    run.items_seen, run.series_fetched = stats.items_seen, stats.series_fetched
    run.http_requests = _http_requests(client) + stats.extra_http_requests
    run.error = "; ".join(stats.notes)[:2000]
    run.save()
    watermark = {
        "last_full_sync_at" if run.kind == SyncRun.Kind.FULL else "last_incremental_sync_at": (
            finished
        )
    }
    SyncState.objects.filter(pk=state.pk).update(
        last_success_at=finished,
        history_since=run.started_at,
        consecutive_failures=0,
        retry_after=None,
        last_error="",
        **watermark,
        **({"last_history_id": stats.last_history_id} if stats.last_history_id else {}),
        **_signal_baseline(run, stats),
        **_mirror_size(state, stats),
    )
    if stats.listed:
        # An Added webhook that came in after this run started still wants the list.
        SyncState.objects.filter(pk=state.pk, list_requested_at__lte=run.started_at).update(
            list_requested_at=None
        )
    SyncRun.objects.filter(connector=connector, started_at__lt=finished - RUN_RETENTION).delete()
    if connector.health_status in (Connector.Health.UNHEALTHY, Connector.Health.UNKNOWN):
        _set_health(connector, Connector.Health.HEALTHY, "Library sync succeeded.")
    events.emit(events.sync_completed, connector=connector, run=run)
    return run


def _mirror_size(state: SyncState, stats: SyncStats) -> dict:
    """The mirror's counts, recounted only when this run added or removed something."""
    if state.mirror_episodes is not None and not (stats.added or stats.removed):
        return {}
    return state.count_mirror()


def _signal_baseline(run: SyncRun, stats: SyncStats) -> dict:
    """What the next incremental sync compares its change signals with."""
    values: dict = {}
    if stats.listed:
        # The signals were read before the list: a change after this moment shows next run.
        values["library_listed_at"] = run.started_at
    if stats.wanted_totals is not None:
        values["wanted_missing_total"] = stats.wanted_totals.missing
        values["wanted_cutoff_total"] = stats.wanted_totals.cutoff
    return values


@transaction.atomic  # the event's outbox row commits with the run's outcome
def _record_failure(connector, state, run, client, error: str, stats: SyncStats) -> SyncRun:
    finished = timezone.now()
    run.status = SyncRun.Status.FAILED
    run.finished_at = finished
    run.added, run.updated, run.removed = stats.added, stats.updated, stats.removed
    run.items_seen, run.series_fetched = stats.items_seen, stats.series_fetched
    run.http_requests = _http_requests(client) + stats.extra_http_requests
    run.error = error[:2000]
    run.save()
    SyncState.objects.filter(pk=state.pk).update(
        consecutive_failures=F("consecutive_failures") + 1, last_error=run.error
    )
    state.refresh_from_db(fields=["consecutive_failures"])
    failures = state.consecutive_failures
    SyncState.objects.filter(pk=state.pk).update(retry_after=finished + backoff_for(failures))
    # Consecutive failed syncs after which the connector is marked unhealthy.
    if failures >= settings.SYNC_FAILURE_THRESHOLD:
        _set_health(
            connector,
            Connector.Health.UNHEALTHY,
            f"Library sync failed {failures} times in a row: {run.error}",
        )
    events.emit(events.sync_failed, connector=connector, run=run, error=run.error)
    return run


def sync_all(
    *,
    kind: str = SyncRun.Kind.INCREMENTAL,
    trigger: str = SyncRun.Trigger.SCHEDULE,
    names: list[str] | None = None,
    progress_for: Callable[[Connector], Progress] | None = None,
    client_factory: ClientFactory | None = None,
) -> list[tuple[Connector, SyncRun | None]]:
    """Sync every enabled connector (or the named ones), one after another."""
    # Named connectors are synced even when disabled (an explicit request).
    connectors = (
        Connector.objects.libraries().filter(name__in=names)
        if names
        else Connector.objects.libraries().filter(enabled=True)
    )
    results = []
    for connector in connectors:
        progress = progress_for(connector) if progress_for else no_progress
        run = connector_sync(
            connector=connector,
            kind=kind,
            trigger=trigger,
            progress=progress,
            client_factory=client_factory,
        )
        results.append((connector, run))
    return results
