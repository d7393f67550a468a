"""AES-256-GCM for secrets at rest, keyed from SECRET_KEY through HKDF.

Tokens look like ``v1:<base64(nonce + ciphertext + tag)>``. Decrypting with the
wrong key or a tampered token raises DecryptionError, never returns garbage.
"""

from __future__ import annotations

import base64
import functools
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

PREFIX = "v1:"
_NONCE_BYTES = 12
_INFO = b"comradarr secrets at rest v1"


class DecryptionError(Exception):
    """A stored secret cannot be decrypted: SECRET_KEY changed or the value was altered."""


@functools.lru_cache(maxsize=8)
def derive_key(secret_key: str) -> bytes:
    """The 256-bit AES key for ``secret_key`` (cached: HKDF runs once per key)."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        secret_key.encode("utf-8")
    )


def _default_key() -> bytes:
    from django.conf import settings

    return derive_key(settings.SECRET_KEY)


def encrypt(plaintext: str, key: bytes | None = None) -> str:
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(key or _default_key()).encrypt(nonce, plaintext.encode("utf-8"), None)
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def decrypt(token: str, key: bytes | None = None) -> str:
    if not token.startswith(PREFIX):
        raise DecryptionError("not an encrypted value (missing v1: prefix)")
    try:
        raw = base64.urlsafe_b64decode(token[len(PREFIX) :].encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise DecryptionError("encrypted value is not valid base64") from None
    if len(raw) < _NONCE_BYTES + 16:
        raise DecryptionError("encrypted value is too short")
    try:
        plain = AESGCM(key or _default_key()).decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], None)
    except InvalidTag:
        raise DecryptionError(
            "stored secret cannot be decrypted: SECRET_KEY changed since it was saved, "
            "or the value was altered"
        ) from None
    return plain.decode("utf-8")


def mask(secret: str | None, visible: int = 4) -> str:
    """Show only the last characters: '••••••••abcd'."""
    if not secret:
        return ""
    return "\u2022" * 8 + secret[-visible:] if len(secret) > visible else "\u2022" * 8
