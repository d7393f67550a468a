"""GET /api/v3/mediacover/{id}/{filename}: the posters and fanart the app has cached.

Each series or movie has a poster.jpg (120x180) and a fanart.jpg (320x180): a
small PNG of one colour drawn from the seed and the id, so two items differ
and a test can tell which one it got. The real apps serve the file they
downloaded (JPEG) typed by its extension; the fake's bytes are PNG and typed
image/png (the standard library writes PNG, not JPEG). Unknown ids, other file
names and ids listed in ``missing`` answer 404 with no body, as the app's
NotFound() does. Like every /api endpoint it needs the key (server.py checks it).
"""

from __future__ import annotations

import re
import struct
import zlib
from functools import lru_cache

from . import words
from .library import Library

PATH = re.compile(r"^/api/v3/mediacover/(\d+)/([^/]+)$", re.IGNORECASE)
SIZES = {"poster.jpg": (120, 180), "fanart.jpg": (320, 180)}


def answer(library: Library, shape: str, item_id: int, filename: str, missing: set[int]):
    """(status, body, content type) for one MediaCover request."""
    items = library.series if shape == "series" else library.movies
    size = SIZES.get(filename.lower())
    if size is None or item_id not in items or item_id in missing:
        return 404, b"", "text/plain"
    rgb = tuple(40 + words.mix(library.seed, item_id, n) % 180 for n in (11, 12, 13))
    return 200, png(*size, rgb), "image/png"


@lru_cache(maxsize=512)
def png(width: int, height: int, rgb: tuple[int, ...]) -> bytes:
    """A width x height PNG of one colour, with a darker band so it reads as a picture."""
    dark = bytes(c // 2 for c in rgb)
    light = bytes(rgb)
    rows = []
    for y in range(height):
        colour = dark if height * 2 // 3 <= y < height * 5 // 6 else light
        rows.append(b"\x00" + colour * width)
    raw = zlib.compress(b"".join(rows), 9)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")
