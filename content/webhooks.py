"""Applying *arr webhook facts to the mirror at once.

Reading the body and mapping the payload belong to connectors
(connectors.common.webhook: size and depth bounds, one mapper per shape,
typed WebhookEvent facts); this module only applies those facts. Each
handler touches only the rows the event names, with set-based UPDATEs that
keep the acquisition timestamps' rules:

* Grab: ``last_grabbed_at`` (nothing else changed yet);
* Download: the items have a file now (``file_acquired_at`` set if it was
  not); the payload has no cutoff flag, so ``cutoff_met_at`` is left unknown
  and an incremental sync is requested to confirm it;
* EpisodeFileDelete / MovieFileDelete: the file is gone, timestamps cleared;
  only when the stored file is the deleted one, so an upgrade's delete that
  arrives after its Download does not erase the new file;
* SeriesDelete / MovieDelete: the rows go (search state follows by cascade);
* SeriesAdd / MovieAdded: no history tells of an added item, so the sync this
  requests reads the whole list (SyncState.list_requested_at).
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from comradarr.crypto import DecryptionError
from connectors.common.types import WebhookEvent
from connectors.common.webhook import Action, map_event, read_body
from connectors.models import Connector
from content.models import Episode, Movie, Series, SyncState
from content.sync.reconcile import mark_series_stale

logger = logging.getLogger(__name__)

# Several Download webhooks in a row (a season pack import) ask for one sync.
FOLLOW_UP_DEBOUNCE = timedelta(seconds=60)


@dataclass
class WebhookResult:
    event: str
    updated: int = 0
    removed: int = 0
    sync_requested: bool = False
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "status": "ok",
            "event": self.event,
            "updated": self.updated,
            "removed": self.removed,
            "sync_requested": self.sync_requested,
        }


def secret_matches(*, connector_id: int, secret: str) -> Connector | None:
    """The connector whose webhook secret equals ``secret`` (constant-time), else None."""
    try:
        state = (
            SyncState.objects.select_related("connector").filter(connector_id=connector_id).first()
        )
    except DecryptionError:
        # SECRET_KEY changed since the secret was stored: refuse (401), say what to do.
        logger.warning(
            "webhook refused: the stored secret cannot be decrypted "
            "(SECRET_KEY changed since it was stored)",
            extra={"connector_id": connector_id},
        )
        state = None
    expected = state.webhook_secret if state else ""
    # Always one comparison of similar cost, whether or not the connector exists.
    matches = hmac.compare_digest((expected or "-").encode(), (secret or "").encode())
    return state.connector if (state and expected and matches) else None


def webhook_secret_for(connector: Connector) -> str:
    """The connector's webhook secret, created on first use."""
    state, _ = SyncState.objects.get_or_create(connector=connector)
    return state.webhook_secret


def rotate_webhook_secret(*, connector: Connector) -> str:
    from content.models import new_webhook_secret

    secret = new_webhook_secret()
    SyncState.objects.update_or_create(connector=connector, defaults={"webhook_secret": secret})
    return secret


def request_follow_up_sync(connector: Connector) -> bool:
    """Enqueue one incremental sync (after commit), at most once per debounce window.

    The window is claimed with a conditional UPDATE, so concurrent webhooks
    (several gunicorn workers) enqueue one sync between them.
    """
    now = timezone.now()
    SyncState.objects.get_or_create(connector=connector)
    due = Q(webhook_sync_requested_at__isnull=True) | Q(
        webhook_sync_requested_at__lt=now - FOLLOW_UP_DEBOUNCE
    )
    claimed = SyncState.objects.filter(due, connector=connector).update(
        webhook_sync_requested_at=now
    )
    if not claimed:
        return False
    connector_id = connector.pk

    def enqueue() -> None:
        from django_q.tasks import async_task

        async_task("content.tasks.sync_connector", connector_id, "incremental", "webhook")

    transaction.on_commit(enqueue)
    return True


# --------------------------------------------------------------------------- SQL

_SET_FILE = """
UPDATE {table} SET
    has_file = TRUE,
    {file_column} = COALESCE(%(file_id)s, {file_column}),
    quality_name = CASE WHEN %(quality)s = '' THEN quality_name ELSE %(quality)s END,
    quality_resolution = CASE WHEN %(quality)s = '' THEN quality_resolution ELSE NULL END,
    quality_cutoff_not_met = FALSE,
    file_acquired_at = COALESCE(file_acquired_at, %(now)s),
    cutoff_met_at = NULL,
    updated_at = %(now)s
WHERE connector_id = %(connector)s AND arr_id = ANY(%(ids)s::integer[])
"""

_CLEAR_FILE = """
UPDATE {table} SET
    has_file = FALSE,
    {file_column} = NULL,
    quality_name = '',
    quality_resolution = NULL,
    quality_cutoff_not_met = FALSE,
    custom_format_score = NULL,
    file_acquired_at = NULL,
    cutoff_met_at = NULL,
    updated_at = %(now)s
WHERE connector_id = %(connector)s AND arr_id = ANY(%(ids)s::integer[])
  AND (%(file_id)s::integer IS NULL OR {file_column} IS NULL OR {file_column} = %(file_id)s)
"""


def _execute(sql: str, params: dict) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _table(connector: Connector) -> tuple[str, str]:
    if connector.shape.is_movies:
        return "content_movie", "movie_file_id"
    return "content_episode", "episode_file_id"


# ----------------------------------------------------------------------- events


def _on_grab(connector: Connector, event: WebhookEvent, result: WebhookResult) -> None:
    model = Movie if connector.shape.is_movies else Episode
    result.updated = model.objects.filter(connector=connector, arr_id__in=event.item_ids).update(
        last_grabbed_at=timezone.now()
    )


def _on_imported(connector: Connector, event: WebhookEvent, result: WebhookResult) -> None:
    table, file_column = _table(connector)
    result.updated = _execute(
        _SET_FILE.format(table=table, file_column=file_column),
        {
            "file_id": event.file.arr_id if event.file else None,
            "quality": event.file.quality if event.file else "",
            "now": timezone.now(),
            "connector": connector.pk,
            "ids": list(event.item_ids),
        },
    )
    if event.series_id is not None:
        mark_series_stale(connector_id=connector.pk, arr_ids=[event.series_id])
    result.sync_requested = request_follow_up_sync(connector)


def _on_file_deleted(connector: Connector, event: WebhookEvent, result: WebhookResult) -> None:
    table, file_column = _table(connector)
    result.updated = _execute(
        _CLEAR_FILE.format(table=table, file_column=file_column),
        {
            "file_id": event.file.arr_id if event.file else None,
            "now": timezone.now(),
            "connector": connector.pk,
            "ids": list(event.item_ids),
        },
    )
    if event.series_id is not None:
        mark_series_stale(connector_id=connector.pk, arr_ids=[event.series_id])


def _on_series_deleted(connector: Connector, event: WebhookEvent, result: WebhookResult) -> None:
    rows = Series.objects.filter(connector=connector, arr_id=event.series_id)
    episodes = Episode.objects.filter(series__in=rows).count()
    _total, per_model = rows.delete()
    result.removed = per_model.get(Series._meta.label, 0) + episodes


def _on_movie_deleted(connector: Connector, event: WebhookEvent, result: WebhookResult) -> None:
    rows = Movie.objects.filter(connector=connector, arr_id__in=event.item_ids)
    _total, per_model = rows.delete()
    result.removed = per_model.get(Movie._meta.label, 0)


def _on_added(connector: Connector, event: WebhookEvent, result: WebhookResult) -> None:
    # Adding an item writes no history: the next sync reads the whole list to find it.
    SyncState.objects.get_or_create(connector=connector)
    SyncState.objects.filter(connector=connector).update(list_requested_at=timezone.now())
    result.sync_requested = request_follow_up_sync(connector)


def _on_test(connector: Connector, event: WebhookEvent, result: WebhookResult) -> None:
    result.notes.append("test event received")


HANDLERS: dict[str, Callable[[Connector, WebhookEvent, WebhookResult], None]] = {
    Action.TEST: _on_test,
    Action.GRABBED: _on_grab,
    Action.IMPORTED: _on_imported,
    Action.FILE_DELETED: _on_file_deleted,
    Action.SERIES_DELETED: _on_series_deleted,
    Action.MOVIE_DELETED: _on_movie_deleted,
    Action.ADDED: _on_added,
}


def webhook_receive_body(*, connector: Connector, body: bytes) -> WebhookResult:
    """Read, map and apply one webhook body; raises MalformedWebhook (or WebhookTooLarge)."""
    return webhook_apply(connector=connector, payload=read_body(body))


def webhook_apply(*, connector: Connector, payload: Any) -> WebhookResult:
    """Apply one decoded webhook payload; raises MalformedWebhook when it cannot be acted on."""
    event = map_event(payload, connector.shape)
    result = WebhookResult(event=event.event)
    handler = HANDLERS.get(event.action)
    if handler is None:
        result.notes.append("event ignored")
        return result
    with transaction.atomic():
        handler(connector, event, result)
        if result.removed:
            # The mirror's recorded size is stale: counted afresh until the next sync records it.
            SyncState.objects.filter(connector=connector).update(
                mirror_series=None, mirror_episodes=None, mirror_movies=None
            )
    logger.info(
        "webhook applied",
        extra={
            "connector": connector.name,
            "event": event.event,
            "updated": result.updated,
            "removed": result.removed,
        },
    )
    return result
