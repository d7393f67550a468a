"""Applying *arr webhook events to the mirror at once.

Payload shapes: ../shared/arr-openapi/NOTES.md section 6 (Sonarr/Whisparr v2
send ``series`` + ``episodes``, Radarr/Whisparr v3 send ``movie``). Each
handler touches only the rows the event names, with set-based UPDATEs that
keep the acquisition timestamps' rules:

* Grab: ``last_grabbed_at`` (nothing else changed yet);
* Download: the items have a file now (``file_acquired_at`` set if it was
  not); the payload has no cutoff flag, so ``cutoff_met_at`` is left unknown
  and an incremental sync is requested to confirm it;
* EpisodeFileDelete / MovieFileDelete: the file is gone, timestamps cleared;
  only when the stored file is the deleted one, so an upgrade's delete that
  arrives after its Download does not erase the new file;
* SeriesDelete / MovieDelete: the rows go (search state follows by cascade).
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

from connectors.models import Connector
from content.models import Episode, Movie, Series, SyncState
from content.sync.reconcile import mark_series_stale

logger = logging.getLogger(__name__)

# Several Download webhooks in a row (a season pack import) ask for one sync.
FOLLOW_UP_DEBOUNCE = timedelta(seconds=60)

EVENTS_HANDLED = (
    "Test",
    "Grab",
    "Download",
    "EpisodeFileDelete",
    "MovieFileDelete",
    "SeriesDelete",
    "MovieDelete",
    "SeriesAdd",
    "MovieAdded",
)


class MalformedPayload(ValueError):
    """The body is JSON but not a webhook payload we can act on."""


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
    state = SyncState.objects.select_related("connector").filter(connector_id=connector_id).first()
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


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _object(payload: dict, key: str, *, required: bool = True) -> dict:
    value = payload.get(key)
    if isinstance(value, dict):
        return value
    if required:
        raise MalformedPayload(f"'{key}' must be an object")
    return {}


def _ids(items: Any, key: str = "id") -> list[int]:
    if not isinstance(items, list):
        raise MalformedPayload("'episodes' must be a list")
    ids = [_int(item.get(key)) for item in items if isinstance(item, dict)]
    return [i for i in ids if i is not None]


def _required_id(obj: dict, what: str) -> int:
    value = _int(obj.get("id"))
    if value is None:
        raise MalformedPayload(f"'{what}.id' must be an integer")
    return value


def _quality_name(file: dict) -> str:
    quality = file.get("quality")
    if isinstance(quality, dict):  # some versions nest {quality: {name}}
        quality = (quality.get("quality") or {}).get("name") or quality.get("name")
    return str(quality or "")[:100]


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


def _table(shape: str) -> tuple[str, str]:
    if shape == "movies":
        return "content_movie", "movie_file_id"
    return "content_episode", "episode_file_id"


# ----------------------------------------------------------------------- events


def _items(connector: Connector, shape: str, payload: dict) -> tuple[list[int], int | None]:
    """The arr ids of the items an event names, and (series shape) the series arr id."""
    if shape == "movies":
        return [_required_id(_object(payload, "movie"), "movie")], None
    series_id = _required_id(_object(payload, "series"), "series")
    return _ids(payload.get("episodes", [])), series_id


def _on_grab(connector, shape, payload, result: WebhookResult) -> None:
    ids, _series = _items(connector, shape, payload)
    model = Movie if shape == "movies" else Episode
    result.updated = model.objects.filter(connector=connector, arr_id__in=ids).update(
        last_grabbed_at=timezone.now()
    )


def _on_download(connector, shape, payload, result: WebhookResult) -> None:
    ids, series_arr_id = _items(connector, shape, payload)
    file_key = "movieFile" if shape == "movies" else "episodeFile"
    file = _object(payload, file_key, required=False)
    files = payload.get("episodeFiles") if shape != "movies" else None
    if not file and isinstance(files, list) and len(files) == 1 and isinstance(files[0], dict):
        file = files[0]  # Sonarr's "On Import Complete" form with a single file
    table, file_column = _table(shape)
    result.updated = _execute(
        _SET_FILE.format(table=table, file_column=file_column),
        {
            "file_id": _int(file.get("id")),
            "quality": _quality_name(file) if file else "",
            "now": timezone.now(),
            "connector": connector.pk,
            "ids": ids,
        },
    )
    if series_arr_id is not None:
        mark_series_stale(connector_id=connector.pk, arr_ids=[series_arr_id])
    result.sync_requested = request_follow_up_sync(connector)


def _on_file_delete(connector, shape, payload, result: WebhookResult) -> None:
    ids, series_arr_id = _items(connector, shape, payload)
    file_key = "movieFile" if shape == "movies" else "episodeFile"
    file = _object(payload, file_key, required=False)
    table, file_column = _table(shape)
    result.updated = _execute(
        _CLEAR_FILE.format(table=table, file_column=file_column),
        {
            "file_id": _int(file.get("id")),
            "now": timezone.now(),
            "connector": connector.pk,
            "ids": ids,
        },
    )
    if series_arr_id is not None:
        mark_series_stale(connector_id=connector.pk, arr_ids=[series_arr_id])


def _on_series_delete(connector, shape, payload, result: WebhookResult) -> None:
    if shape == "movies":
        raise MalformedPayload("SeriesDelete sent to a movie connector")
    series_id = _required_id(_object(payload, "series"), "series")
    rows = Series.objects.filter(connector=connector, arr_id=series_id)
    episodes = Episode.objects.filter(series__in=rows).count()
    _total, per_model = rows.delete()
    result.removed = per_model.get(Series._meta.label, 0) + episodes


def _on_movie_delete(connector, shape, payload, result: WebhookResult) -> None:
    if shape != "movies":
        raise MalformedPayload("MovieDelete sent to a series connector")
    movie_id = _required_id(_object(payload, "movie"), "movie")
    _total, per_model = Movie.objects.filter(connector=connector, arr_id=movie_id).delete()
    result.removed = per_model.get(Movie._meta.label, 0)


def _on_added(connector, shape, payload, result: WebhookResult) -> None:
    result.sync_requested = request_follow_up_sync(connector)


def _on_test(connector, shape, payload, result: WebhookResult) -> None:
    result.notes.append("test event received")


HANDLERS: dict[str, Callable[..., None]] = {
    "Test": _on_test,
    "Grab": _on_grab,
    "Download": _on_download,
    "EpisodeFileDelete": _on_file_delete,
    "MovieFileDelete": _on_file_delete,
    "SeriesDelete": _on_series_delete,
    "MovieDelete": _on_movie_delete,
    "SeriesAdd": _on_added,
    "MovieAdded": _on_added,
}


def webhook_apply(*, connector: Connector, payload: Any) -> WebhookResult:
    """Apply one webhook payload; raises MalformedPayload when it cannot be acted on."""
    if not isinstance(payload, dict):
        raise MalformedPayload("the body must be a JSON object")
    event = payload.get("eventType")
    if not isinstance(event, str) or not event:
        raise MalformedPayload("'eventType' is missing")
    result = WebhookResult(event=event)
    handler = HANDLERS.get(event)
    if handler is None:
        result.notes.append("event ignored")
        return result
    shape = connector.shape.name
    with transaction.atomic():
        handler(connector, shape, payload, result)
    logger.info(
        "webhook applied",
        extra={
            "connector": connector.name,
            "event": event,
            "updated": result.updated,
            "removed": result.removed,
        },
    )
    return result
