"""Reading an image an *arr app serves (its MediaCover files): bounded, and only real images.

The answer is believed only when both its Content-Type and its first bytes
say it is a raster image Comradarr is willing to pass on (JPEG, PNG, GIF,
WebP). SVG is refused on purpose: it can carry script, and the image is
served again from Comradarr's own origin. The type handed on is the one the
bytes show, not the one the header claims.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import requests

from connectors.common import transport
from connectors.common.errors import BadResponseError

if TYPE_CHECKING:
    from connectors.common.http import HttpClient

#: The Accept header of an image request: errors (404 and the like) still come back as JSON.
ACCEPT = "image/jpeg, image/png, image/gif, image/webp, application/json;q=0.5"
#: Posters and fanart the apps cache are a few hundred KB; anything far past that is no cover.
MAX_IMAGE_BYTES = 5 * transport.MB
#: Content types accepted from the app (the header, before a byte is read).
IMAGE_TYPES = frozenset({"image/jpeg", "image/jpg", "image/png", "image/gif", "image/webp"})


@dataclass(frozen=True)
class Image:
    """An image's bytes and the content type its bytes show."""

    content: bytes
    content_type: str


def sniff(content: bytes) -> str | None:
    """The content type the leading bytes of ``content`` show, or None for no accepted image."""
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return None


def read_image(
    client: HttpClient, response: requests.Response, shown: str, max_bytes: int
) -> Image:
    """The image of a 2xx streamed answer, or BadResponseError / ResponseTooLargeError.

    The declared type is checked before the body is read, so a page of HTML is
    refused without reading it; the size cap is the one every answer has
    (connectors.common.transport.read_body).
    """
    declared = response.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
    if declared not in IMAGE_TYPES:
        response.close()
        raise BadResponseError(
            f"{client.where} answered {shown} with {declared or 'no content type'}, not an image."
        )
    content = transport.read_body(client, response, shown, max_bytes)
    kind = sniff(content)
    if kind is None:
        raise BadResponseError(
            f"{client.where} answered {shown} with {len(content)} bytes that are not an image."
        )
    return Image(content=content, content_type=kind)
