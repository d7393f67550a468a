"""SECRET_KEY persistence: generated once, kept in the data directory.

Encrypted secrets are keyed from SECRET_KEY, so a key that changed on every
restart would make every stored API key unreadable.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

FILENAME = "secret_key"
MIN_LENGTH = 32


def load_or_create(data_dir: Path) -> str:
    """Return the key stored in ``data_dir``, creating it (mode 0600) on first run."""
    path = Path(data_dir) / FILENAME
    try:
        if not path.exists():
            _create(path)
        key = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ImproperlyConfigured(
            f"COMRADARR_DATA_DIR: cannot read or create {path}: {exc.strerror}"
        ) from None
    if len(key) < MIN_LENGTH:
        raise ImproperlyConfigured(
            f"SECRET_KEY file {path} is shorter than {MIN_LENGTH} characters"
        )
    return key


def _create(path: Path) -> None:
    """Write a fresh key, complete or not at all.

    The key goes to a private temporary file first and is then hard-linked into
    place: two processes starting together never see a half-written file, and
    the second one's link fails, so both end up reading the same key.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{FILENAME}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(50))
            handle.flush()
            os.fsync(handle.fileno())
        # If another process won the race, its key is the key.
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
