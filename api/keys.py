"""Creating, checking and revoking API keys: the one service the UI, the command and
the API's authentication all call.

A key is ``cmr_`` + 43 URL-safe characters (32 random bytes). Only its SHA-256
is stored; the first characters are kept so the list can tell keys apart.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.http import HttpRequest
from django.utils import timezone

from api.models import ApiKey

KEY_PREFIX = "cmr_"
RANDOM_BYTES = 32
DISPLAY_LENGTH = len(KEY_PREFIX) + 8
#: Query-string names a key would be sent under: refused, never read (URLs end up in logs).
QUERY_KEY_NAMES = ("apikey", "api_key", "key", "token", "access_token", "x-api-key")
MAX_KEY_LENGTH = 200


class InvalidKey(Exception):
    """Why an API key was refused (the message is safe to show to the caller)."""


@dataclass(frozen=True)
class CreatedKey:
    key: ApiKey
    raw: str  # shown once, never stored


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def create_key(
    *, name: str, scope: str = ApiKey.Scope.READ, expires_at: datetime | None = None
) -> CreatedKey:
    name = name.strip()
    if not name:
        raise ValueError("the name cannot be empty")
    if scope not in ApiKey.Scope.values:
        raise ValueError(f"the scope must be one of {', '.join(ApiKey.Scope.values)}")
    if expires_at is not None and expires_at <= timezone.now():
        raise ValueError("the expiry must be in the future")
    raw = KEY_PREFIX + secrets.token_urlsafe(RANDOM_BYTES)
    key = ApiKey.objects.create(
        name=name,
        scope=scope,
        prefix=raw[:DISPLAY_LENGTH],
        key_hash=hash_key(raw),
        expires_at=expires_at,
    )
    return CreatedKey(key=key, raw=raw)


def revoke_key(*, key: ApiKey) -> bool:
    """Revoke a key; False when it already was."""
    updated = ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    key.refresh_from_db(fields=["revoked_at"])
    return bool(updated)


def key_from_headers(request: HttpRequest) -> str | None:
    """The key sent as ``X-Api-Key`` or ``Authorization: Bearer``, or None."""
    header = request.headers.get("X-Api-Key", "").strip()
    if header:
        return header
    scheme, _, value = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def key_in_query(request: HttpRequest) -> bool:
    return any(name in {k.lower() for k in request.GET} for name in QUERY_KEY_NAMES)


def check_key(raw: str) -> ApiKey:
    """The active key ``raw`` stands for; raises InvalidKey saying why not."""
    if len(raw) > MAX_KEY_LENGTH or not raw.startswith(KEY_PREFIX):
        raise InvalidKey("invalid API key")
    digest = hash_key(raw)
    key = ApiKey.objects.filter(key_hash=digest).first()
    # The index finds the row; the constant-time compare keeps the final check timing-blind.
    if key is None or not hmac.compare_digest(key.key_hash, digest):
        raise InvalidKey("invalid API key")
    if key.is_revoked:
        raise InvalidKey("this API key has been revoked")
    if key.is_expired():
        raise InvalidKey("this API key has expired")
    return key


def record_use(*, key: ApiKey, ip: str | None) -> None:
    now = timezone.now()
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=now, last_used_ip=ip or None)
    key.last_used_at, key.last_used_ip = now, ip or None


def request_has_valid_key(request: HttpRequest) -> bool:
    """For /health: a valid key in a header (never the query string) shows the details."""
    raw = key_from_headers(request)
    if raw is None:
        return False
    try:
        check_key(raw)
    except InvalidKey:
        return False
    return True
