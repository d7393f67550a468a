"""SECRET_KEY persistence: generated once, kept in the data directory.

Encrypted secrets are keyed from SECRET_KEY, so a key that changed on every
restart would make every stored API key unreadable.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

FILENAME = "secret_key"


def load_or_create(data_dir: Path) -> str:
    path = Path(data_dir) / FILENAME
    try:
        if path.exists():
            key = path.read_text(encoding="utf-8").strip()
            if len(key) < 32:
                raise ImproperlyConfigured(f"SECRET_KEY file {path} is shorter than 32 characters")
            return key
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        # O_EXCL: two processes starting together must not write two keys.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return load_or_create(data_dir)
    except OSError as exc:
        raise ImproperlyConfigured(
            f"COMRADARR_DATA_DIR: cannot read or create {path}: {exc.strerror}"
        ) from None
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key
