"""ArrClient.media_cover: the app's MediaCover file, bounded, typed by its bytes, key in the header."""

from __future__ import annotations

import pytest

from connectors.common.errors import (
    AuthenticationError,
    BadResponseError,
    NotFoundError,
    ResponseTooLargeError,
)
from connectors.common.images import sniff

from .conftest import API_KEY

BASE = "http://arr.test:8989/sonarr"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


@pytest.mark.parametrize(
    ("kind", "version"),
    [("sonarr", "4.0.19.2979"), ("radarr", "5.28.0.10205"), ("whisparr", "3.2.0.66")],
)
def test_fetches_the_cover_by_the_mirrored_id_with_the_key_in_the_header(
    rsps, make_client, kind, version
):
    client = make_client(kind, version, base_url=BASE)
    rsps.get(
        f"{BASE}/api/v3/mediacover/42/poster.jpg",
        body=JPEG,
        content_type="image/jpeg",
    )
    image = client.media_cover(42, "poster")
    assert image.content == JPEG and image.content_type == "image/jpeg"
    sent = rsps.calls[0].request
    assert sent.headers["X-Api-Key"] == API_KEY
    assert "image/" in sent.headers["Accept"]
    assert API_KEY not in sent.url and "apikey" not in sent.url.lower()


def test_fanart_and_the_type_the_bytes_show(rsps, make_client):
    client = make_client("sonarr", "4.0.19.2979", base_url=BASE)
    # Sonarr names the file .jpg and types it by extension; the bytes decide.
    rsps.get(f"{BASE}/api/v3/mediacover/7/fanart.jpg", body=PNG, content_type="image/jpeg")
    assert client.media_cover(7, "fanart").content_type == "image/png"


@pytest.mark.parametrize("cover", ["banner", "../poster", "poster.jpg", ""])
def test_only_known_cover_types(make_client, cover):
    client = make_client("radarr", "5.28.0.10205")
    with pytest.raises(ValueError, match="cover type"):
        client.media_cover(1, cover)


@pytest.mark.parametrize("arr_id", [0, -3])
def test_only_positive_ids(make_client, arr_id):
    with pytest.raises(ValueError):
        make_client("radarr", "5.28.0.10205").media_cover(arr_id, "poster")


def test_a_body_past_the_cap_is_refused(rsps, make_client):
    client = make_client("radarr", "5.28.0.10205", base_url=BASE)
    rsps.get(
        f"{BASE}/api/v3/mediacover/1/poster.jpg",
        body=JPEG + b"\x00" * 2000,
        content_type="image/jpeg",
    )
    with pytest.raises(ResponseTooLargeError):
        client.media_cover(1, "poster", max_bytes=1000)


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/html; charset=utf-8", b"<html><body>Login</body></html>"),
        ("image/svg+xml", b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>"),
        ("application/json", b'{"message": "x"}'),
        ("image/jpeg", b"<html>not really an image</html>"),
        ("", JPEG),
    ],
)
def test_anything_but_a_raster_image_is_refused(rsps, make_client, content_type, body):
    client = make_client("sonarr", "4.0.19.2979", base_url=BASE)
    rsps.get(f"{BASE}/api/v3/mediacover/3/poster.jpg", body=body, content_type=content_type)
    with pytest.raises(BadResponseError) as caught:
        client.media_cover(3, "poster")
    assert API_KEY not in str(caught.value)


def test_missing_cover_and_bad_key_are_typed(rsps, make_client):
    client = make_client("sonarr", "4.0.19.2979", base_url=BASE)
    rsps.get(f"{BASE}/api/v3/mediacover/5/poster.jpg", status=404)
    rsps.get(f"{BASE}/api/v3/mediacover/6/poster.jpg", status=401)
    with pytest.raises(NotFoundError):
        client.media_cover(5, "poster")
    with pytest.raises(AuthenticationError):
        client.media_cover(6, "poster")


def test_sniff_knows_the_four_formats_and_nothing_else():
    assert sniff(b"GIF89a...") == "image/gif"
    assert sniff(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert sniff(b"<svg") is None and sniff(b"") is None
