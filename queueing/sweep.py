"""Sweeps: resolve, discover, plan, queue, for one connector at a time.

A sweep never runs twice at once for one connector, however it was started
(schedule, manual, "search now"): its writes happen in one transaction while
it holds the connector's "sweep" lock (comradarr.locks), so a second sweep
gives up at once (status "skipped") instead of waiting. Sweeps of different connectors run in
parallel. The download queue is read from the *arr before the transaction
opens, because no HTTP runs inside a database transaction.

A dry run reads only: no resolution, no registry rows, no queue entries and
no ledger row; it returns the plan it would have queued.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from comradarr import events
from comradarr.locks import advisory_lock
from connectors.models import Connector
from queueing.models import RequestQueue, RequestQueueItem, SweepRun
from queueing.planner import PlannedEntry, SearchPlan, build_plan
from queueing.throttle import batch_size_for
from searchstate.discovery import DiscoveryContext, discover
from searchstate.downloads import downloading_arr_ids
from searchstate.models import PriorityWeights, SearchSettings
from searchstate.reasons import Reason
from searchstate.resolution import resolve_acquisitions
from searchstate.seasons import season_facts
from searchstate.services import registry_enqueue
from searchstate.states import SearchType

logger = logging.getLogger(__name__)

LINK_BATCH = 20000


class SweepBusy(Exception):
    """Another sweep of the same connector holds the lock."""


@dataclass
class SweepResult:
    connector: Connector
    kind: str
    dry_run: bool
    status: str = SweepRun.Status.SUCCEEDED
    plan: SearchPlan = field(default_factory=SearchPlan)
    skipped: Counter = field(default_factory=Counter)
    found: int = 0
    selected: int = 0
    queued: int = 0
    entries: int = 0
    resolved: int = 0
    seconds: float = 0.0
    error: str = ""
    run: SweepRun | None = None

    def as_dict(self) -> dict:
        return {
            "connector": self.connector.name,
            "kind": self.kind,
            "dry_run": self.dry_run,
            "status": self.status,
            "found": self.found,
            "selected": self.selected,
            "queued": self.queued,
            "entries": self.entries,
            "resolved": self.resolved,
            "skipped": dict(sorted(self.skipped.items())),
            "seconds": round(self.seconds, 3),
            "error": self.error,
            "plan": [entry_as_dict(e) for e in self.plan.entries],
        }


def entry_as_dict(entry: PlannedEntry) -> dict:
    return {
        "command": entry.command,
        "search_type": entry.search_type,
        "priority": entry.priority,
        "reason": entry.reason,
        "payload": entry.payload,
        "estimated_queries": entry.estimated_queries,
        "items": [
            {
                "arr_id": c.arr_id,
                "label": c.label,
                "priority": c.priority,
                "breakdown": c.score.parts,
            }
            for c in entry.items
        ],
    }


def _types(kind: str, settings: SearchSettings) -> list[str]:
    types = []
    if kind in (SweepRun.Kind.GAPS, SweepRun.Kind.BOTH) and settings.gaps_enabled:
        types.append(SearchType.GAP)
    if kind in (SweepRun.Kind.UPGRADES, SweepRun.Kind.BOTH) and settings.upgrades_enabled:
        types.append(SearchType.UPGRADE)
    return types


def sweep_connector(
    *,
    connector: Connector,
    kind: str = SweepRun.Kind.BOTH,
    item_limit: int | None = None,
    dry_run: bool = False,
    trigger: str = SweepRun.Trigger.MANUAL,
    downloading: Collection[int] | None = None,
    only: Collection[int] | None = None,
    force: bool = False,
    batch_size: int | None = None,
    now: datetime | None = None,
) -> SweepResult:
    """Run one sweep; ``downloading`` skips the queue fetch (tests, callers that have it).

    ``only`` limits the sweep to these item pks and ``force`` ignores cooldown
    and exhaustion: together they are the manual "search now". ``batch_size``
    (ids per command) overrides the connector's profile: a sweep schedule's
    throttle profile override.
    """
    if kind not in SweepRun.Kind.values:
        raise ValueError(f"unknown sweep kind {kind!r}: gaps, upgrades or both")
    if item_limit is not None and item_limit < 1:
        raise ValueError("item_limit must be at least 1")
    started = time.monotonic()
    now = now or timezone.now()
    result = SweepResult(connector=connector, kind=kind, dry_run=dry_run)
    run = None
    if not dry_run:
        with transaction.atomic():
            run = SweepRun.objects.create(
                connector=connector,
                trigger=trigger,
                kind=kind,
                item_limit=item_limit,
                started_at=now,
            )
            events.emit(events.sweep_started, connector=connector, run=run)
        result.run = run
    try:
        if downloading is None:
            downloading = downloading_arr_ids(connector) if connector.is_usable else frozenset()
        if dry_run:
            _discover_and_plan(
                result, connector, kind, item_limit, downloading, only, force, now, batch_size
            )
        else:
            with advisory_lock("sweep", connector.pk) as acquired, transaction.atomic():
                if not acquired:
                    raise SweepBusy(f"a sweep of {connector.name} is already running")
                result.resolved = resolve_acquisitions(connector=connector, now=now).acquisitions
                _drop_empty_entries(connector)
                _discover_and_plan(
                    result, connector, kind, item_limit, downloading, only, force, now, batch_size
                )
                _write(result, connector, run, force, now)
        if not connector.is_usable:
            result.status = SweepRun.Status.SKIPPED
            result.error = f"{connector.name} is disabled or unhealthy"
    except SweepBusy as exc:
        result.status = SweepRun.Status.SKIPPED
        result.error = str(exc)
    except Exception as exc:  # recorded on the ledger, then raised for the caller
        result.status = SweepRun.Status.FAILED
        result.error = str(exc) or type(exc).__name__
        logger.exception("sweep failed", extra={"connector": connector.name})
        _finish(result, run, started)
        raise
    _finish(result, run, started)
    return result


def _discover_and_plan(
    result, connector, kind, item_limit, downloading, only, force, now, batch_size=None
):
    settings = SearchSettings.for_connector(connector)
    ctx = DiscoveryContext(
        connector=connector,
        settings=settings,
        now=now,
        weights=PriorityWeights.current(),
        downloading=frozenset(downloading),
        force=force,
    )
    found = {SearchType.GAP: [], SearchType.UPGRADE: []}
    for search_type in _types(kind, settings):
        discovery = discover(ctx, search_type, only=only)
        found[search_type] = discovery.candidates
        result.skipped.update(discovery.skipped)
        result.found += discovery.found
    gaps, upgrades = found[SearchType.GAP], found[SearchType.UPGRADE]
    seasons = None
    if gaps and connector.shape.is_series:
        seasons = season_facts(ctx, gaps)
    result.plan = build_plan(
        gaps=gaps,
        upgrades=upgrades,
        seasons=seasons,
        pack=settings.pack_settings(),
        series_search=settings.use_series_search,
        batch_size=batch_size or batch_size_for(connector, settings=settings),
        item_limit=item_limit,
        now=now,
        force=force,
    )
    if result.plan.over_limit:
        result.skipped[Reason.BUDGET_USED.value] += result.plan.over_limit
    if result.plan.held:  # their season's pack search found nothing and cools down
        result.skipped[Reason.COOLDOWN.value] += result.plan.held
    result.selected = result.plan.item_count
    # Candidates the planner dropped (their series vanished mid-sweep) are not "selected".
    lost = len(gaps) + len(upgrades) - result.selected - result.plan.over_limit - result.plan.held
    if lost > 0:
        result.found -= lost
    result.queued = result.selected
    result.entries = len(result.plan.entries)


def _drop_empty_entries(connector: Connector) -> int:
    deleted, _ = RequestQueue.objects.filter(connector=connector).empty().delete()
    return deleted


def _write(result: SweepResult, connector: Connector, run, force: bool, now: datetime) -> None:
    plan = result.plan
    candidates = [c for e in plan.entries for c in e.items]
    queued = registry_enqueue(connector=connector, candidates=candidates, force=force, now=now)
    entries: list[RequestQueue] = []
    covered: list[list[int]] = []
    for planned in plan.entries:
        items = [c for c in planned.items if (c.search_type, c.item_id) in queued]
        if not items:
            continue
        if len(items) != len(planned.items) and planned.command in (
            "EpisodeSearch",
            "MoviesSearch",
        ):
            planned = PlannedEntry(planned.command, planned.search_type, items, planned.reason)
        entries.append(
            RequestQueue(
                connector=connector,
                command=planned.command,
                payload=planned.payload,
                search_type=planned.search_type,
                priority=max(c.priority for c in items),
                scheduled_at=now,
                reason=planned.reason[:200],
                item_count=len(items),
                estimated_queries=planned.estimated_queries,
                series_arr_id=planned.series_arr_id,
                season_number=planned.season_number,
                sweep=run,
            )
        )
        covered.append([queued[(c.search_type, c.item_id)] for c in items])
    RequestQueue.objects.bulk_create(entries, batch_size=1000)
    entry_ids: list[int] = []
    registry_ids: list[int] = []
    for entry, ids in zip(entries, covered, strict=True):
        entry_ids.extend([entry.pk] * len(ids))
        registry_ids.extend(ids)
    # Two integer arrays per statement rather than a model instance per link:
    # at 100,000 items that is the difference between ~20 MB and ~150 MB.
    table = RequestQueueItem._meta.db_table
    with connection.cursor() as cursor:
        for start in range(0, len(entry_ids), LINK_BATCH):
            cursor.execute(
                f"INSERT INTO {table} (entry_id, registry_id) "  # noqa: S608 - our table name
                "SELECT * FROM unnest(%s::bigint[], %s::bigint[])",
                [entry_ids[start : start + LINK_BATCH], registry_ids[start : start + LINK_BATCH]],
            )
    result.queued = len(registry_ids)
    result.entries = len(entries)


def _finish(result: SweepResult, run: SweepRun | None, started: float) -> None:
    result.seconds = time.monotonic() - started
    if run is None:
        return
    run.status = result.status
    run.finished_at = timezone.now()
    run.resolved = result.resolved
    run.found = result.found
    run.selected = result.selected
    run.queued = result.queued if result.status == SweepRun.Status.SUCCEEDED else 0
    run.entries = result.entries if result.status == SweepRun.Status.SUCCEEDED else 0
    run.skipped = dict(result.skipped)
    run.error = result.error
    with transaction.atomic():  # the event's outbox row commits with the run's outcome
        run.save()
        events.emit(events.sweep_completed, connector=result.connector, run=run)


def sweep_task(
    connector_id: int,
    *,
    kind: str = SweepRun.Kind.BOTH,
    item_limit: int | None = None,
    trigger: str = SweepRun.Trigger.SCHEDULE,
    only: list[int] | None = None,
    force: bool = False,
) -> dict | None:
    """django-q2 task: loads by id, returns quietly if the connector is gone (may run twice:
    the advisory lock and the registry's state guard make a second run queue nothing new)."""
    connector = Connector.objects.filter(pk=connector_id).first()
    if connector is None:
        return None
    result = sweep_connector(
        connector=connector,
        kind=kind,
        item_limit=item_limit,
        trigger=trigger,
        only=only,
        force=force,
    )
    return {k: v for k, v in result.as_dict().items() if k != "plan"}
