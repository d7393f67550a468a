"""fakearr's MediaCover files: an image per series or movie, behind the key, 404 otherwise."""

from __future__ import annotations

import struct

import pytest
import requests


def cover(arr, item_id, name="poster.jpg", key=None):
    return requests.get(
        f"{arr.url}/api/v3/mediacover/{item_id}/{name}",
        headers={"X-Api-Key": arr.api_key if key is None else key, "Accept": "image/*"},
        timeout=5,
    )


@pytest.mark.parametrize(("kind", "shape_items"), [("sonarr", "series"), ("radarr", "movies")])
def test_each_item_has_a_poster_and_a_fanart(fakearr_factory, kind, shape_items):
    arr = fakearr_factory(kind, series=2, movies=2, url_base="/arr")
    poster, fanart, other = cover(arr, 1), cover(arr, 1, "fanart.jpg"), cover(arr, 2)
    assert poster.status_code == 200 and poster.headers["Content-Type"] == "image/png"
    assert poster.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert struct.unpack(">II", poster.content[16:24]) == (120, 180)
    assert struct.unpack(">II", fanart.content[16:24]) == (320, 180)
    assert other.content != poster.content  # each item its own colour
    assert cover(arr, 1).content == poster.content  # and always the same one


def test_unknown_ids_names_and_missing_covers_are_404(fakearr_factory):
    arr = fakearr_factory("radarr", movies=2)
    assert cover(arr, 99).status_code == 404
    assert cover(arr, 1, "banner.jpg").status_code == 404
    arr.covers_missing.add(1)
    assert cover(arr, 1).status_code == 404 and cover(arr, 1).content == b""


def test_the_key_is_required(fakearr_factory):
    arr = fakearr_factory("sonarr", series=1)
    assert cover(arr, 1, key="wrong").status_code == 401
    assert arr.requests["GET /api/v3/mediacover/1/poster.jpg"] == 1
