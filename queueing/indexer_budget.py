"""The indexer-aware budget: spend what the user's indexers allow, never more.

Reads what the last refresh of an indexer manager (Prowlarr) stored
(connectors.indexers) and answers, for one library connector, how many more
queries its indexers allow now. Per indexer with a query limit (docs/arr-api.md
section 10):

    left = limit - used - rss_reserve - margin

- ``used``: what Prowlarr counted in its sliding window (IndexerQuery and
  IndexerRss events in the last hour or 24 hours) plus the queries every
  connector searching that indexer was sent by Comradarr since the snapshot
  (so connectors sharing an indexer share one allowance);
- ``rss_reserve``: the RSS polls the connected apps will make that the window
  does not show yet: the observed RSS rate over a full window, less what is
  already counted (in steady state the polls arriving replace those leaving);
- ``margin``: ``INDEXER_SAFETY_MARGIN`` percent of what RSS leaves.

A connector's allowance is the smallest ``left`` among its usable limited
indexers (a search hits all of them), in the same unit as the commands'
estimated queries, so it caps the throttle profile's budget directly (the
stricter wins). Indexers switched off or disabled after failures are left out;
no usable indexer, or all of them at their grab limit, holds the connector.
With no manager, no matching application, or a manager that could not be read
lately, the answer is "no cap" and the profile alone decides (with a warning
for the unreachable case): never slower than without Prowlarr.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Sum

from connectors.models import (
    IndexerApplication,
    IndexerLink,
    IndexerManagerState,
    IndexerSnapshot,
)
from queueing.models import DispatchLog

#: A snapshot older than this is not trusted (the refresh runs every 5 minutes).
STALE_AFTER = timedelta(minutes=15)
#: A command sent just before a refresh may not be in Prowlarr's history yet, so
#: dispatches from this long before the snapshot count too (twice at worst: stricter).
IN_TRANSIT = timedelta(minutes=2)

#: Why a connector may not dispatch now (throttle Allowance.reason).
INDEXER_LIMIT = "indexer_limit"
INDEXER_GRABS = "indexer_grabs"
NO_INDEXER = "no_indexer"

#: Modes of a Budget.
NONE = "none"  # no indexer manager for this connector: the profile alone
FALLBACK = "fallback"  # the manager could not be read lately: the profile alone, warned
ACTIVE = "active"

#: Status of one indexer row.
OK, AT_LIMIT, GRABS_FULL, DISABLED, OFF, UNLIMITED = (
    "ok",
    "at_limit",
    "grabs_full",
    "disabled",
    "off",
    "unlimited",
)


@dataclass(frozen=True)
class IndexerRow:
    name: str
    indexer_id: int
    unit: str  # day | hour
    limit: int | None
    used: int
    reserve: int
    margin: int
    left: int | None  # None: no query limit
    grab_limit: int | None
    grabs: int
    resets_at: datetime | None  # when the window frees room (or the indexer is enabled again)
    status: str
    shared_by: tuple[str, ...] = ()
    binds: bool = False

    @property
    def usable(self) -> bool:
        return self.status not in (DISABLED, OFF)


@dataclass(frozen=True)
class Budget:
    mode: str = NONE
    queries_left: int | None = None  # the cap; None = no indexer-aware cap
    reason: str = ""  # set when the connector must wait
    retry_at: datetime | None = None
    binding: IndexerRow | None = None
    rows: tuple[IndexerRow, ...] = ()
    manager: str = ""
    application: str = ""
    warning: str = ""
    refreshed_at: datetime | None = None

    @property
    def blocked(self) -> bool:
        return bool(self.reason)


def margin_percent() -> int:
    return int(getattr(settings, "INDEXER_SAFETY_MARGIN_PERCENT", 10))


def connector_budget(connector_id: int, *, now: datetime, lock: bool = False) -> Budget:
    """The indexer-aware allowance of one library connector at ``now``.

    ``lock``: inside a transaction, lock the indexers' snapshot rows (in id
    order, after the throttle rows) so workers of connectors sharing an indexer
    spend it one at a time.
    """
    link = (
        IndexerLink.objects.select_related("application__manager")
        .filter(connector_id=connector_id, application__isnull=False)
        .first()
    )
    if link is None or not link.application.manager.enabled:
        return Budget()
    app = link.application
    manager = app.manager
    state = IndexerManagerState.objects.filter(manager=manager).first()
    names = {"manager": manager.name, "application": app.name}
    if _unreadable(state, now):
        why = f": {state.error}" if state is not None and state.error else ""
        return Budget(
            FALLBACK,
            warning=f"{manager.name} could not be read lately{why}. Searches are limited by "
            "the throttle profile alone until it answers again.",
            **names,
        )
    snapshots = IndexerSnapshot.objects.filter(manager=manager, indexer_id__in=app.indexer_ids)
    if lock and connection.in_atomic_block:
        snapshots = snapshots.select_for_update()
    snapshots = list(snapshots.order_by("pk"))
    rows = _rows(snapshots, manager_id=manager.pk, now=now)
    return _decide(rows, refreshed_at=state.refreshed_at, **names)


def _unreadable(state: IndexerManagerState | None, now: datetime) -> bool:
    if state is None or state.refreshed_at is None:
        return True
    failed_since = bool(state.error) and (state.attempted_at or now) >= state.refreshed_at
    return failed_since or state.refreshed_at < now - STALE_AFTER


def _sharing(manager_id: int) -> tuple[dict[int, set[int]], dict[int, str]]:
    """indexer id -> connector ids searching it; connector id -> name."""
    by_indexer: dict[int, set[int]] = defaultdict(set)
    names: dict[int, str] = {}
    links = IndexerLink.objects.select_related("connector", "application").filter(
        application__manager_id=manager_id
    )
    for link in links:
        names[link.connector_id] = link.connector.name
        for indexer_id in link.application.indexer_ids:
            by_indexer[indexer_id].add(link.connector_id)
    return by_indexer, names


def _rows(snapshots: list[IndexerSnapshot], *, manager_id: int, now: datetime) -> list[IndexerRow]:
    if not snapshots:
        return []
    by_indexer, names = _sharing(manager_id)
    since = min(s.taken_at for s in snapshots) - IN_TRANSIT
    sent = dict(
        DispatchLog.objects.filter(connector_id__in=names, dispatched_at__gt=since)
        .values("connector_id")
        .annotate(q=Sum("estimated_queries"))
        .values_list("connector_id", "q")
    )
    rows = []
    for snap in snapshots:
        sharers = by_indexer.get(snap.indexer_id, set())
        extra = sum(sent.get(c, 0) for c in sharers)
        rows.append(
            indexer_row(snap, extra=extra, now=now, shared_by=sorted(names[c] for c in sharers))
        )
    return rows


def indexer_row(
    snap: IndexerSnapshot, *, extra: int, now: datetime, shared_by: list[str] | tuple = ()
) -> IndexerRow:
    """One indexer's arithmetic (pure: no database access)."""
    window = snap.window_seconds
    rate = snap.rss_per_hour / 3600
    expected_rss = rate * window
    # RSS a full window would hold that the window does not show yet (Prowlarr just
    # started, an app was added); in steady state the polls arriving replace those leaving.
    reserve = math.ceil(max(0.0, expected_rss - snap.rss_queries))
    used = snap.queries + extra
    limit = snap.query_limit
    left = margin = None
    if limit:
        spare = max(0.0, limit - max(expected_rss, snap.rss_queries))
        margin = math.floor(spare * margin_percent() / 100)
        left = limit - used - reserve - margin
    status, resets_at = OK if limit else UNLIMITED, None
    if limit and left <= 0:
        status, resets_at = AT_LIMIT, _frees_at(snap, needed=1 - left)
    if snap.grab_limit and snap.grabs >= snap.grab_limit:
        status = GRABS_FULL
    if snap.disabled_till and snap.disabled_till > now:
        status, resets_at = DISABLED, snap.disabled_till
    if not snap.enabled:
        status, resets_at = OFF, None
    return IndexerRow(
        name=snap.name,
        indexer_id=snap.indexer_id,
        unit=snap.limits_unit,
        limit=limit,
        used=used,
        reserve=reserve,
        margin=margin or 0,
        left=max(0, left) if left is not None else None,
        grab_limit=snap.grab_limit,
        grabs=snap.grabs,
        resets_at=resets_at,
        status=status,
        shared_by=tuple(shared_by),
    )


def _frees_at(snap: IndexerSnapshot, *, needed: int) -> datetime | None:
    """When ``needed`` counted queries have left the sliding window (Prowlarr's retry-after)."""
    if needed < 1 or len(snap.counted_at) < needed:
        return None
    try:
        oldest = datetime.fromisoformat(sorted(snap.counted_at)[needed - 1])
    except (TypeError, ValueError):
        return None
    return oldest + timedelta(seconds=snap.window_seconds)


def _decide(rows: list[IndexerRow], **names) -> Budget:
    usable = [r for r in rows if r.usable]
    if not usable:
        waits = [r.resets_at for r in rows if r.resets_at]
        return Budget(
            ACTIVE,
            queries_left=0,
            reason=NO_INDEXER,
            retry_at=min(waits) if waits else None,
            rows=tuple(rows),
            warning="None of this connector's indexers is usable (switched off or disabled "
            "after failures in Prowlarr): nothing is searched until one is back.",
            **names,
        )
    limited = [r for r in usable if r.left is not None]
    binding = min(limited, key=lambda r: (r.left, r.name)) if limited else None
    if binding is not None:
        rows = [_marked(r, binding) for r in rows]
        binding = _marked(binding, binding)
    if all(r.status == GRABS_FULL for r in usable):
        waits = [r.resets_at for r in usable if r.resets_at]
        return Budget(
            ACTIVE,
            queries_left=0,
            reason=INDEXER_GRABS,
            retry_at=min(waits) if waits else None,
            binding=binding,
            rows=tuple(rows),
            warning="Every usable indexer is at its grab limit: searches wait until one clears.",
            **names,
        )
    if binding is None:
        return Budget(ACTIVE, rows=tuple(rows), **names)
    if binding.left <= 0:
        return Budget(
            ACTIVE,
            queries_left=0,
            reason=INDEXER_LIMIT,
            retry_at=binding.resets_at,
            binding=binding,
            rows=tuple(rows),
            **names,
        )
    return Budget(ACTIVE, queries_left=binding.left, binding=binding, rows=tuple(rows), **names)


def _marked(row: IndexerRow, binding: IndexerRow) -> IndexerRow:
    if row.indexer_id != binding.indexer_id:
        return row
    return IndexerRow(**{**row.__dict__, "binds": True})


def applications_of(manager_id: int | None = None) -> list[IndexerApplication]:
    """The applications the user may link a connector to (all managers' when None)."""
    apps = IndexerApplication.objects.select_related("manager").order_by("manager__name", "name")
    return list(apps if manager_id is None else apps.filter(manager_id=manager_id))


def manager_rows(manager_id: int, *, now: datetime) -> list[IndexerRow]:
    """Every indexer of a manager, with the spend of all the connectors that search it."""
    snapshots = list(IndexerSnapshot.objects.filter(manager_id=manager_id).order_by("pk"))
    return _rows(snapshots, manager_id=manager_id, now=now)


def manager_state(manager_id: int) -> IndexerManagerState | None:
    return IndexerManagerState.objects.filter(manager_id=manager_id).first()
