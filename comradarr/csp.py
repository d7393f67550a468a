"""The Content-Security-Policy every response carries.

Strict: scripts and styles come only from our own origin (static files), so
an injected <script> or onclick= never runs even if escaping failed somewhere.
Pages keep no inline script or style: the theme script is static/js/theme-init.js,
dynamic widths are set by static/js/app.js from data-* attributes, and htmx is
configured (base.html's htmx-config meta) to inject no style and eval nothing.
The one inline block that must stay is Django admin's own (change_list.html
styles its table when a model has no actions); it is allowed by its hash,
computed from the installed Django's template so an upgrade cannot break it silently.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache
from pathlib import Path

import django

_STYLE_BLOCK = re.compile(r"<style>(.*?)</style>", re.DOTALL)
_ADMIN_TEMPLATES_WITH_STYLE = ("admin/change_list.html",)


def _hash_source(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


@lru_cache(maxsize=1)
def admin_style_hashes() -> tuple[str, ...]:
    """Hashes of the inline <style> blocks of Django admin's templates."""
    root = Path(django.__file__).parent / "contrib" / "admin" / "templates"
    hashes = []
    for name in _ADMIN_TEMPLATES_WITH_STYLE:
        try:
            text = (root / name).read_text(encoding="utf-8")
        except OSError:
            continue
        hashes.extend(_hash_source(block) for block in _STYLE_BLOCK.findall(text))
    return tuple(hashes)


@lru_cache(maxsize=1)
def policy() -> str:
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", *admin_style_hashes()],
        # data: for the SVG icons Django admin's CSS embeds.
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    }
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())
