"""The dashboard's live activity feed: the latest rows of every ledger, newest first.

One bounded query per ledger (each ``ORDER BY time DESC LIMIT n``) plus one to
link searches to their queue entries: the feed costs the same on any library.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse

from connectors.models import Connector, ConnectorHealthCheck
from content.models import SyncRun
from queueing.models import RequestQueue, SweepRun
from searchstate.models import Acquisition, SearchHistory

FEED_LENGTH = 20
OUTCOME_TONE = {
    "grabbed": "success",
    "no_results": "muted",
    "failed": "danger",
    "timeout": "warning",
    "connector_error": "danger",
    "rate_limited": "warning",
    "auth_rejected": "danger",
    "pending": "info",
}


@dataclass(frozen=True)
class FeedLine:
    at: datetime
    kind: str  # search, acquisition, sweep, sync, health
    tone: str  # a badge modifier
    label: str
    text: str
    url: str


def _titles(items: list) -> str:
    titles = [str(i.get("title") or "?") for i in items if isinstance(i, dict)]
    if len(titles) > 2:
        return f"{', '.join(titles[:2])} and {len(titles) - 2} more"
    return ", ".join(titles) or "(no items)"


def _searches(limit: int) -> list[FeedLine]:
    rows = list(
        SearchHistory.objects.exclude(connector=None)
        .only(
            "connector_id",
            "connector_name",
            "command_name",
            "items",
            "item_count",
            "outcome",
            "dispatched_at",
        )
        .order_by("-dispatched_at")[:limit]
    )
    entries = dict(
        RequestQueue.objects.filter(history_id__in=[h.pk for h in rows]).values_list(
            "history_id", "pk"
        )
    )
    lines = []
    for h in rows:
        entry = entries.get(h.pk)
        url = (
            reverse("queueing:entry_detail", args=[entry])
            if entry
            else reverse("connectors:detail", args=[h.connector_id])
        )
        verb = "Searching" if h.outcome == "pending" else "Searched"
        lines.append(
            FeedLine(
                at=h.dispatched_at,
                kind="search",
                tone=OUTCOME_TONE.get(h.outcome, "muted"),
                label=h.get_outcome_display(),
                text=f"{verb} {_titles(h.items)} on {h.connector_name}",
                url=url,
            )
        )
    return lines


def _acquisitions(limit: int) -> list[FeedLine]:
    # Newest per connector through its (connector, acquired_at) index, then the newest of
    # those: a year of acquisitions costs the same as a day's.
    table = Acquisition._meta.db_table
    rows = Acquisition.objects.raw(
        f"SELECT a.*, c.name AS connector_name FROM {Connector._meta.db_table} c "  # noqa: S608
        f"CROSS JOIN LATERAL (SELECT * FROM {table} x WHERE x.connector_id = c.id "
        "ORDER BY x.acquired_at DESC LIMIT %s) a ORDER BY a.acquired_at DESC LIMIT %s",
        [limit, limit],
    )
    lines = []
    for a in rows:
        if a.episode_id:
            url = reverse("library:item", args=["episode", a.episode_id])
        elif a.movie_id:
            url = reverse("library:item", args=["movie", a.movie_id])
        else:
            url = reverse("connectors:detail", args=[a.connector_id])
        how = "after our search" if a.source == "search" else "by the app's RSS"
        lines.append(
            FeedLine(
                at=a.acquired_at,
                kind="acquisition",
                tone="success",
                label="Acquired" if a.search_type == "gap" else "Upgraded",
                text=f"{a.title or 'An item'} on {a.connector_name}, {how}",
                url=url,
            )
        )
    return lines


def _sweeps(limit: int) -> list[FeedLine]:
    rows = SweepRun.objects.filter(dry_run=False).select_related("connector")
    lines = []
    for s in rows.order_by("-started_at")[:limit]:
        if s.status == "running":
            text = f"{s.get_kind_display()} sweep of {s.connector.name} running"
        elif s.status == "failed":
            text = f"{s.get_kind_display()} sweep of {s.connector.name} failed: {s.error[:120]}"
        else:
            text = (
                f"{s.get_kind_display()} sweep of {s.connector.name}: {s.found} found, "
                f"{s.queued} queued"
            )
        tone = {"failed": "danger", "running": "info"}.get(s.status, "muted")
        lines.append(
            FeedLine(
                at=s.started_at,
                kind="sweep",
                tone=tone,
                label="Sweep",
                text=text,
                url=reverse("connectors:detail", args=[s.connector_id]),
            )
        )
    return lines


def _syncs(limit: int) -> list[FeedLine]:
    rows = SyncRun.objects.select_related("connector").order_by("-started_at")[:limit]
    lines = []
    for r in rows:
        name = r.connector.name
        if r.status == "failed":
            text, tone = f"{r.get_kind_display()} sync of {name} failed: {r.error[:120]}", "danger"
        elif r.status == "running":
            text, tone = f"{r.get_kind_display()} sync of {name} running", "info"
        else:
            changed = r.added + r.updated + r.removed
            text, tone = f"{r.get_kind_display()} sync of {name}: {changed} changed", "muted"
        lines.append(
            FeedLine(
                at=r.started_at,
                kind="sync",
                tone=tone,
                label="Sync",
                text=text,
                url=reverse("connectors:detail", args=[r.connector_id]),
            )
        )
    return lines


def _health(limit: int) -> list[FeedLine]:
    rows = (
        ConnectorHealthCheck.objects.exclude(status="healthy")
        .select_related("connector")
        .order_by("-checked_at")[:limit]
    )
    return [
        FeedLine(
            at=c.checked_at,
            kind="health",
            tone=c.status,
            label=c.get_status_display(),
            text=f"Health check of {c.connector.name}: "
            + (str(c.messages[0].get("message", ""))[:120] if c.messages else c.status),
            url=reverse("connectors:detail", args=[c.connector_id]),
        )
        for c in rows
    ]


def activity_feed(*, limit: int = FEED_LENGTH) -> list[FeedLine]:
    """The newest ``limit`` lines across searches, acquisitions, sweeps, syncs and health."""
    lines = [
        *_searches(limit),
        *_acquisitions(limit),
        *_sweeps(limit),
        *_syncs(limit),
        *_health(limit),
    ]
    lines.sort(key=lambda line: line.at, reverse=True)
    return lines[:limit]
