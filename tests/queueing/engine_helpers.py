"""Shared set-up for the dispatch engine tests (throttle, dispatch, outcomes, control)."""

from __future__ import annotations

from datetime import datetime

from connectors.models import Connector
from content.models import SyncRun
from content.sync import runner
from queueing.engine import TickReport, run_tick
from queueing.models import ConnectorThrottle, RequestQueue, ThrottleProfile
from queueing.sweep import sweep_connector

FAST = {
    "commands_per_minute": 600,
    "commands_per_hour": 36000,
    "min_interval_seconds": 0,
    "interval_jitter_seconds": 0,
    "max_in_flight": 50,
    "batch_size": 10,
    "daily_budget": 1_000_000,
}


def profile(name: str = "fast", **fields) -> ThrottleProfile:
    values = {**FAST, **fields}
    return ThrottleProfile.objects.create(name=name, **values)


def assign(connector: Connector, prof: ThrottleProfile) -> ConnectorThrottle:
    row = ConnectorThrottle.for_connector(connector)
    row.profile = prof
    row.save()
    return row


def synced(arr, *, name: str | None = None, prof: ThrottleProfile | None = None) -> Connector:
    connector = Connector.objects.create(
        name=name or arr.profile.kind, kind=arr.kind, url=arr.url, api_key=arr.api_key
    )
    run = runner.connector_sync(
        connector=connector, kind=SyncRun.Kind.FULL, trigger=SyncRun.Trigger.MANUAL
    )
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    connector.refresh_from_db()
    if prof is not None:
        assign(connector, prof)
    return connector


def queued(arr, connector: Connector) -> int:
    from django.utils import timezone

    # A sped-up fakearr's clock runs ahead of ours: entries must be due on both.
    result = sweep_connector(connector=connector, now=min(arr.now(), timezone.now()))
    assert result.status == "succeeded", result
    return RequestQueue.objects.filter(connector=connector, status="queued").count()


def run_until_idle(arr, *, step: float = 30, limit: int = 200) -> list[TickReport]:
    """Tick on fakearr's clock, advancing it between ticks, until idle."""
    reports = []
    for _ in range(limit):
        report = run_tick(now=arr.now())
        reports.append(report)
        if report.idle:
            return reports
        arr.advance(step)
    raise AssertionError(f"not idle after {limit} ticks: {reports[-1].as_dict()}")


def now_of(arr) -> datetime:
    return arr.now()


# --- unit tests: ORM-built library, `responses` for the app -----------------------------

RADARR_URL = "http://127.0.0.1:1"
API = RADARR_URL + "/api/v3"


def radarr(n_movies: int, *, prof: ThrottleProfile | None = None, now=None, **fields):
    """A Radarr connector with ``n_movies`` missing movies swept into queue entries."""
    from tests.searchstate import builders as b

    now = now or b.NOW
    fields.setdefault("app_version", "5.28.0.10205")
    conn = b.connector(fields.pop("name", "radarr"), kind="radarr", **fields)
    if prof is not None:
        assign(conn, prof)
    movies = [b.movie(conn, title=f"Film {i}") for i in range(n_movies)]
    result = sweep_connector(connector=conn, downloading=frozenset(), now=now)
    assert result.status == "succeeded", result
    return conn, movies


def mock_radarr(rsps, *, queue_total: int = 0, queue_movies=(), command_id: int = 101):
    """Register the endpoints dispatch reads before posting, and the POST itself."""
    import re

    rsps.get(
        API + "/queue/status",
        json={"totalCount": queue_total, "count": queue_total, "unknownCount": 0},
    )
    records = [{"id": i + 1, "movieId": m, "title": f"q{m}"} for i, m in enumerate(queue_movies)]
    rsps.get(
        re.compile(re.escape(API) + r"/queue\b.*"),
        json={"page": 1, "pageSize": 1000, "totalRecords": len(records), "records": records},
    )
    rsps.post(API + "/command", json=command_json(command_id, "queued"), status=201)


def command_json(command_id: int, status: str, *, body=None, message=None, queued=None) -> dict:
    return {
        "id": command_id,
        "name": (body or {}).get("name", "MoviesSearch"),
        "status": status,
        "message": message,
        "queued": (queued or "2026-11-26T12:00:00Z"),
        "body": body or {},
    }
