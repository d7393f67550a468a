"""Reading a passphrase for the backup commands: from a file, never from the command line
(where `ps` and the shell history would show it)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError

from backups.sealing import MAX_PASSPHRASE, check_passphrase_text


def read_passphrase(path: str | None, *, required: bool) -> str:
    if not path:
        if required:
            raise CommandError("--passphrase-file is required here")
        return ""
    file = Path(path)
    try:
        if file.stat().st_size > MAX_PASSPHRASE * 4 + 2:
            raise CommandError(f"--passphrase-file {path}: too large for a passphrase")
        text = file.read_text(encoding="utf-8").rstrip("\r\n")
    except OSError as exc:
        raise CommandError(f"--passphrase-file {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise CommandError(f"--passphrase-file {path}: not UTF-8 text") from None
    try:
        return check_passphrase_text(text)
    except ValueError as exc:
        raise CommandError(f"--passphrase-file {path}: {exc}") from None
