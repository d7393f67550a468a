"""connectors.common.webhook: payloads of every app -> WebhookEvent facts, one mapper per shape."""

from __future__ import annotations

import pytest

from connectors.common.shape import MOVIES, SERIES, shape_named
from connectors.common.types import WebhookEvent, WebhookFile
from connectors.common.webhook import Action, MalformedWebhook, map_event, read_body


def series_payload(event: str, **extra) -> dict:
    payload = {
        "eventType": event,
        "series": {"id": 3, "title": "Show"},
        "episodes": [{"id": 11}, {"id": "12"}, {"id": 0}, "junk", {"id": None}],
    }
    payload.update(extra)
    return payload


def test_sonarr_download_reads_ids_and_file_with_parsing_readers():
    event = map_event(
        series_payload("Download", episodeFile={"id": 900, "quality": "HDTV-720p"}), SERIES
    )
    assert event == WebhookEvent(
        event="Download",
        action=Action.IMPORTED,
        item_ids=(11, 12),  # "12" read as parsing.as_int does; 0 and junk skipped
        series_id=3,
        file=WebhookFile(arr_id=900, quality="HDTV-720p"),
    )


def test_import_complete_form_with_one_file_and_nested_quality():
    files = [{"id": 901, "quality": {"quality": {"name": "WEBDL-1080p"}}}]
    event = map_event(series_payload("Download", episodeFiles=files), SERIES)
    assert event.file == WebhookFile(arr_id=901, quality="WEBDL-1080p")


def test_radarr_and_whisparr_v3_movie_events():
    event = map_event(
        {"eventType": "MovieFileDelete", "movie": {"id": 7}, "movieFile": {"id": 70}}, MOVIES
    )
    assert (event.action, event.item_ids, event.file.arr_id) == (Action.FILE_DELETED, (7,), 70)
    deleted = map_event({"eventType": "MovieDelete", "movie": {"id": 7}}, MOVIES)
    assert (deleted.action, deleted.item_ids) == (Action.MOVIE_DELETED, (7,))


@pytest.mark.parametrize(
    ("payload", "shape", "action"),
    [
        ({"eventType": "Test"}, SERIES, Action.TEST),
        ({"eventType": "SeriesAdd"}, SERIES, Action.ADDED),
        ({"eventType": "MovieAdded"}, MOVIES, Action.ADDED),
        ({"eventType": "Health", "level": "warning"}, SERIES, Action.IGNORED),
        ({"eventType": "Rename"}, MOVIES, Action.IGNORED),
        ({"eventType": "Grab", "movie": {"id": 1}}, shape_named("music"), Action.IGNORED),
    ],
)
def test_events_that_need_no_ids(payload, shape, action):
    assert map_event(payload, shape).action == action


@pytest.mark.parametrize(
    ("payload", "shape", "message"),
    [
        ([], SERIES, "JSON object"),
        ({}, SERIES, "eventType"),
        ({"eventType": "SeriesDelete", "series": {"id": 1}}, MOVIES, "movie connector"),
        ({"eventType": "MovieDelete", "movie": {"id": 1}}, SERIES, "series connector"),
        ({"eventType": "Grab", "movie": {"id": 1}}, SERIES, "'series' must be an object"),
        ({"eventType": "Grab", "movie": {"id": 2**31}}, MOVIES, "positive integer"),
        ({"eventType": "Grab", "series": {"id": 1}, "episodes": {}}, SERIES, "list"),
    ],
)
def test_unusable_payloads_say_why(payload, shape, message):
    with pytest.raises(MalformedWebhook, match=message):
        map_event(payload, shape)


def test_read_body_refuses_what_is_not_json():
    assert read_body(b'{"eventType": "Test"}') == {"eventType": "Test"}
    for body in (b"", b"{", b"\xff", b"[" * 40 + b"]" * 40):
        with pytest.raises(MalformedWebhook):
            read_body(body)
