"""The manifest.json of a backup: what it holds, and whether this install may restore it.

A backup is refused before anything is restored when it was made by a newer
Comradarr, or when its database has migrations this code does not know (a
newer or a different version made it). One with fewer migrations is restored
and then migrated forward.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from comradarr import crypto

FORMAT = 1
#: Manifests are small; anything bigger is not one (read before json parses it).
MAX_MANIFEST_BYTES = 1024 * 1024
KEY_NOTE = (
    "Secrets (API keys, notification credentials) are stored encrypted with this "
    "install's SECRET_KEY. Restoring on another install needs the same SECRET_KEY, "
    "unless the key file is included (then the backup is encrypted with a passphrase)."
)


class InvalidBackup(ValueError):
    """The backup cannot be restored here; the message says why in words a user can act on."""


def parse_version(text: str) -> tuple[int, ...]:
    parts = []
    for piece in str(text).split("."):
        digits = "".join(ch for ch in piece if ch.isdigit()) or "0"
        parts.append(int(digits[:9]))
    return tuple(parts)


def applied_migrations() -> dict[str, list[str]]:
    """The live database's applied migrations, per app, sorted."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        rows = cursor.fetchall()
    state: dict[str, list[str]] = {}
    for app, name in rows:
        state.setdefault(app, []).append(name)
    return state


def known_migrations() -> set[tuple[str, str]]:
    """Every migration this code ships (on disk), as (app, name)."""
    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def key_fingerprint(secret_key: str | None = None) -> str:
    """A fingerprint of SECRET_KEY that reveals nothing of it (a hash of the derived key)."""
    derived = crypto.derive_key(secret_key or settings.SECRET_KEY)
    return hashlib.sha256(b"comradarr key fingerprint\0" + derived).hexdigest()[:16]


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class Manifest:
    app_version: str
    created_at: str  # ISO 8601, UTC
    migrations: dict[str, list[str]]
    dump_sha256: str
    dump_bytes: int
    config_sha256: str
    server_version: str
    client_version: str
    trigger: str
    key_fingerprint: str
    key_included: bool = False
    #: None, or the passphrase sealing's parameters (backups.sealing).
    encryption: dict[str, Any] | None = None
    format: int = FORMAT
    note: str = KEY_NOTE
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> bytes:
        body = {
            "format": self.format,
            "app": "comradarr",
            "app_version": self.app_version,
            "created_at": self.created_at,
            "migrations": self.migrations,
            "database": {
                "server_version": self.server_version,
                "client_version": self.client_version,
                "dump": {"name": "database.dump", "sha256": self.dump_sha256,
                         "bytes": self.dump_bytes},
                "config": {"name": "config.json", "sha256": self.config_sha256},
            },
            "trigger": self.trigger,
            "secrets": {
                "key_included": self.key_included,
                "key_fingerprint": self.key_fingerprint,
                "note": self.note,
            },
            "encryption": self.encryption,
        }  # fmt: skip
        return json.dumps(body, indent=2, sort_keys=True).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        if len(raw) > MAX_MANIFEST_BYTES:
            raise InvalidBackup("manifest.json is too large to be a Comradarr manifest")
        try:
            body = json.loads(raw.decode("utf-8"))
            if body.get("app") != "comradarr":
                raise InvalidBackup("manifest.json is not a Comradarr backup manifest")
            database, secrets = body["database"], body["secrets"]
            migrations = body["migrations"]
            if not isinstance(migrations, dict) or not all(
                isinstance(v, list) and all(isinstance(n, str) for n in v)
                for v in migrations.values()
            ):
                raise InvalidBackup("manifest.json: the migration state is malformed")
            return cls(
                format=int(body["format"]),
                app_version=str(body["app_version"]),
                created_at=str(body["created_at"]),
                migrations=migrations,
                dump_sha256=str(database["dump"]["sha256"]),
                dump_bytes=int(database["dump"]["bytes"]),
                config_sha256=str(database["config"]["sha256"]),
                server_version=str(database["server_version"]),
                client_version=str(database["client_version"]),
                trigger=str(body.get("trigger") or ""),
                key_fingerprint=str(secrets.get("key_fingerprint") or ""),
                key_included=bool(secrets.get("key_included")),
                note=str(secrets.get("note") or KEY_NOTE),
                encryption=body.get("encryption"),
            )
        except InvalidBackup:
            raise
        except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise InvalidBackup(f"manifest.json is damaged or incomplete ({exc})") from None

    @property
    def created(self) -> datetime | None:
        try:
            return datetime.fromisoformat(self.created_at).astimezone(UTC)
        except ValueError:
            return None

    @property
    def migration_count(self) -> int:
        return sum(len(names) for names in self.migrations.values())

    def same_key(self) -> bool:
        return self.key_fingerprint == key_fingerprint()


def check_restorable(manifest: Manifest) -> list[str]:
    """Raise InvalidBackup when this install must not restore it; else the pending migrations."""
    if manifest.format > FORMAT:
        raise InvalidBackup(
            f"this backup uses format {manifest.format}; this Comradarr reads format {FORMAT}. "
            "Update Comradarr first."
        )
    ours = settings.COMRADARR_VERSION
    if parse_version(manifest.app_version) > parse_version(ours):
        raise InvalidBackup(
            f"this backup was made by Comradarr {manifest.app_version}, newer than this "
            f"install ({ours}). Update Comradarr first, then restore."
        )
    # A row the live database has too (a migration since removed from the code) is no sign
    # of a newer version.
    known = known_migrations() | {
        (app, name) for app, names in applied_migrations().items() for name in names
    }
    theirs = {(app, name) for app, names in manifest.migrations.items() for name in names}
    unknown = sorted(theirs - known)
    if unknown:
        shown = ", ".join(f"{app}.{name}" for app, name in unknown[:5])
        raise InvalidBackup(
            f"this backup's database has {len(unknown)} migration(s) this version does not "
            f"know ({shown}): it was made by a newer or a different version of Comradarr."
        )
    return sorted(f"{app}.{name}" for app, name in known_migrations() - theirs)
