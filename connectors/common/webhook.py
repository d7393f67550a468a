"""*arr webhook bodies -> typed facts (WebhookEvent), with the body's size and depth bounded.

The apps agree by shape (docs/arr-api.md section 6): Sonarr and Whisparr v2
send ``series`` + ``episodes``, Radarr and Whisparr v3 send ``movie``; the
event names differ only where the shapes do. So one mapper per shape serves
every app, picked by Connector.shape; the values are read with the same
forgiving readers as the API mappers (connectors.common.parsing).

The receiver is reachable without a session, so the body is read defensively:
at most MAX_BODY_BYTES, at most MAX_DEPTH nested arrays/objects (the json
module recurses per level: 100,000 brackets are a RecursionError), and every
id must fit the mirror's integer columns.
"""

from __future__ import annotations

import json
import re
from typing import Any

from connectors.common.parsing import as_positive_id, as_str
from connectors.common.shape import Shape
from connectors.common.types import WebhookEvent, WebhookFile

#: A Download of a season pack with mediaInfo for every file stays far below this.
MAX_BODY_BYTES = 1024 * 1024
#: The payloads nest four levels (episodeFile.quality.quality.name); room to spare.
MAX_DEPTH = 32
#: Mirror arr_id columns are PostgreSQL integers.
MAX_ARR_ID = 2**31 - 1


class MalformedWebhook(ValueError):
    """The body is not a webhook payload Comradarr can act on (the receiver answers 400)."""


class WebhookTooLarge(MalformedWebhook):
    """The body is larger than MAX_BODY_BYTES (the receiver answers 413)."""


class Action:
    """What a webhook asks of the mirror."""

    TEST = "test"
    GRABBED = "grabbed"  # a release was sent to the download client
    IMPORTED = "imported"  # the items have a file now
    FILE_DELETED = "file_deleted"
    SERIES_DELETED = "series_deleted"
    MOVIE_DELETED = "movie_deleted"
    ADDED = "added"  # a new series or movie: the next sync mirrors it
    IGNORED = "ignored"  # an event that changes nothing Comradarr mirrors


#: eventType -> Action, per shape (docs/arr-api.md section 6 lists the names).
_SERIES_EVENTS = {
    "Test": Action.TEST,
    "Grab": Action.GRABBED,
    "Download": Action.IMPORTED,
    "EpisodeFileDelete": Action.FILE_DELETED,
    "SeriesDelete": Action.SERIES_DELETED,
    "SeriesAdd": Action.ADDED,
}
_MOVIE_EVENTS = {
    "Test": Action.TEST,
    "Grab": Action.GRABBED,
    "Download": Action.IMPORTED,
    "MovieFileDelete": Action.FILE_DELETED,
    "MovieDelete": Action.MOVIE_DELETED,
    "MovieAdded": Action.ADDED,
}
#: Events of the other shape: refused rather than ignored, the URL is probably wrong.
_WRONG_SHAPE = {
    "SeriesDelete": "SeriesDelete sent to a movie connector",
    "MovieDelete": "MovieDelete sent to a series connector",
}

# A JSON string (skipped whole, so brackets inside it do not count) or one bracket.
_DEPTH_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def read_body(body: bytes) -> Any:
    """The JSON document of a webhook body, refusing what could exhaust a worker."""
    if len(body) > MAX_BODY_BYTES:
        raise WebhookTooLarge(f"payload larger than {MAX_BODY_BYTES} bytes")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedWebhook("malformed JSON: not UTF-8") from None
    if _too_deep(text, MAX_DEPTH):
        raise MalformedWebhook(f"malformed JSON: nested deeper than {MAX_DEPTH} levels")
    try:
        return json.loads(text)
    except ValueError:  # json.JSONDecodeError, and integers beyond Python's digit limit
        raise MalformedWebhook("malformed JSON") from None


def _too_deep(text: str, limit: int) -> bool:
    depth = 0
    for match in _DEPTH_TOKENS.finditer(text):
        mark = match.group()
        if mark in "[{":
            depth += 1
            if depth > limit:
                return True
        elif mark in "]}":
            depth -= 1
    return False


def map_event(payload: Any, shape: Shape) -> WebhookEvent:
    """The facts of one webhook payload sent by an app of ``shape``."""
    if not isinstance(payload, dict):
        raise MalformedWebhook("the body must be a JSON object")
    event = payload.get("eventType")
    if not isinstance(event, str) or not event:
        raise MalformedWebhook("'eventType' is missing")
    event = event[:100]
    actions = _SERIES_EVENTS if shape.is_series else _MOVIE_EVENTS
    action = actions.get(event)
    if action is None:
        if event in _WRONG_SHAPE:
            raise MalformedWebhook(_WRONG_SHAPE[event])
        return WebhookEvent(event=event, action=Action.IGNORED)
    if not shape.mirrored:
        return WebhookEvent(event=event, action=Action.IGNORED)
    if action in (Action.TEST, Action.ADDED):  # nothing in the body is needed
        return WebhookEvent(event=event, action=action)
    if shape.is_series:
        return _series_event(event, action, payload)
    return _movie_event(event, action, payload)


def _series_event(event: str, action: str, payload: dict) -> WebhookEvent:
    series_id = _required_id(_object(payload, "series"), "series")
    if action == Action.SERIES_DELETED:
        return WebhookEvent(event=event, action=action, series_id=series_id)
    episodes = payload.get("episodes", [])
    if not isinstance(episodes, list):
        raise MalformedWebhook("'episodes' must be a list")
    ids = tuple(
        i for i in (_id(e.get("id")) for e in episodes if isinstance(e, dict)) if i is not None
    )
    file = None
    if action in (Action.IMPORTED, Action.FILE_DELETED):
        raw = _object(payload, "episodeFile", required=False)
        files = payload.get("episodeFiles")
        if not raw and isinstance(files, list) and len(files) == 1 and isinstance(files[0], dict):
            raw = files[0]  # Sonarr's "On Import Complete" form with a single file
        file = _file(raw)
    return WebhookEvent(event=event, action=action, item_ids=ids, series_id=series_id, file=file)


def _movie_event(event: str, action: str, payload: dict) -> WebhookEvent:
    movie_id = _required_id(_object(payload, "movie"), "movie")
    file = None
    if action in (Action.IMPORTED, Action.FILE_DELETED):
        file = _file(_object(payload, "movieFile", required=False))
    return WebhookEvent(event=event, action=action, item_ids=(movie_id,), file=file)


def _id(value: Any) -> int | None:
    number = as_positive_id(value)
    return number if number is not None and number <= MAX_ARR_ID else None


def _required_id(obj: dict, what: str) -> int:
    value = _id(obj.get("id"))
    if value is None:
        raise MalformedWebhook(f"'{what}.id' must be a positive integer")
    return value


def _object(payload: dict, key: str, *, required: bool = True) -> dict:
    value = payload.get(key)
    if isinstance(value, dict):
        return value
    if required:
        raise MalformedWebhook(f"'{key}' must be an object")
    return {}


def _file(raw: dict) -> WebhookFile | None:
    if not raw:
        return None
    return WebhookFile(arr_id=_id(raw.get("id")), quality=_quality_name(raw))


def _quality_name(file: dict) -> str:
    """Webhook files carry the quality as a name; some versions nest {quality: {name}}."""
    quality = file.get("quality")
    if isinstance(quality, dict):
        inner = quality.get("quality")
        quality = (inner.get("name") if isinstance(inner, dict) else None) or quality.get("name")
    return (as_str(quality) or "")[:100]
