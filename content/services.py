"""Services the content pages call: sync requests and the sync status of a connector."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from comradarr.crypto import mask
from connectors.models import Connector
from content.models import SyncRun, SyncState

RECENT_RUNS = 10


def sync_request(*, connector: Connector, kind: str = SyncRun.Kind.INCREMENTAL) -> None:
    """Enqueue a manual sync once the current transaction commits (never run in the request)."""
    connector_id = connector.pk

    def enqueue() -> None:
        from django_q.tasks import async_task

        async_task("content.tasks.sync_connector", connector_id, kind, SyncRun.Trigger.MANUAL)

    transaction.on_commit(enqueue)


@dataclass(frozen=True)
class SyncStatus:
    state: SyncState
    runs: list[SyncRun]
    running: SyncRun | None
    series_count: int
    episode_count: int
    movie_count: int

    @property
    def webhook_secret_masked(self) -> str:
        return mask(self.state.webhook_secret)


def sync_status(*, connector: Connector) -> SyncStatus:
    """What the connector page shows: watermarks, failures, the last runs, mirror size."""
    state, _ = SyncState.objects.get_or_create(connector=connector)
    runs = list(SyncRun.objects.filter(connector=connector)[:RECENT_RUNS])
    running = next((run for run in runs if run.status == SyncRun.Status.RUNNING), None)
    size = state.mirror_size()
    return SyncStatus(
        state=state,
        runs=runs,
        running=running,
        series_count=size["mirror_series"],
        episode_count=size["mirror_episodes"],
        movie_count=size["mirror_movies"],
    )
