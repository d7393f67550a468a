"""Passphrase encryption of a backup that includes the key file.

scrypt turns the passphrase into a 256-bit key; files are sealed with
AES-256-GCM in 1 MiB chunks (a dump can be larger than memory should hold),
each chunk with its own nonce (a random prefix and the chunk number) and the
chunk number and a last-chunk flag as associated data, so chunks cannot be
reordered, dropped or cut off without the decryption failing. A short check
value tells a wrong passphrase apart from an altered file.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import struct
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

CHUNK = 1024 * 1024
_TAG = 16
#: scrypt cost: about 0.1 s and 16 MB per derivation (OWASP's minimum is n=2**17 with r=8 for
#: passwords checked on every login; a backup passphrase is derived once per backup).
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
MIN_PASSPHRASE = 8
MAX_PASSPHRASE = 1024


class WrongPassphrase(ValueError):
    """The passphrase does not open this backup."""


class SealBroken(ValueError):
    """The sealed file was altered or cut short."""


def check_passphrase_text(passphrase: str) -> str:
    if len(passphrase) < MIN_PASSPHRASE:
        raise ValueError(f"the passphrase must be at least {MIN_PASSPHRASE} characters")
    if len(passphrase) > MAX_PASSPHRASE:
        raise ValueError(f"the passphrase must be at most {MAX_PASSPHRASE} characters")
    return passphrase


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def _check_value(key: bytes) -> str:
    return hmac.new(key, b"comradarr backup passphrase check", hashlib.sha256).hexdigest()[:16]


def new_parameters(passphrase: str) -> tuple[bytes, dict]:
    """(key, the manifest's "encryption" entry) for a new sealed backup."""
    salt = os.urandom(16)
    key = _derive(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    params = {
        "cipher": "AES-256-GCM, 1 MiB chunks",
        "kdf": "scrypt",
        "salt": base64.b64encode(salt).decode("ascii"),
        "n": SCRYPT_N,
        "r": SCRYPT_R,
        "p": SCRYPT_P,
        "check": _check_value(key),
    }
    return key, params


def key_for(passphrase: str, params: dict) -> bytes:
    """The key a sealed backup's parameters and ``passphrase`` give; WrongPassphrase if not."""
    try:
        salt = base64.b64decode(params["salt"])
        n, r, p = int(params["n"]), int(params["r"]), int(params["p"])
    except (KeyError, ValueError, TypeError):
        raise SealBroken("the backup's encryption parameters are damaged") from None
    # Bounds before deriving: a crafted manifest must not make scrypt take all memory.
    if not (2**10 <= n <= 2**20 and 1 <= r <= 16 and 1 <= p <= 4 and 8 <= len(salt) <= 64):
        raise SealBroken("the backup's encryption parameters are out of range")
    key = _derive(passphrase, salt, n, r, p)
    if not hmac.compare_digest(_check_value(key), str(params.get("check", ""))):
        raise WrongPassphrase("wrong passphrase: it does not open this backup")
    return key


def _aad(index: int, last: bool, label: bytes) -> bytes:
    return label + struct.pack(">Q?", index, last)


def seal_file(key: bytes, source: Path, target: Path, label: bytes) -> None:
    """Encrypt ``source`` into ``target``; ``label`` binds it to its role (dump, key file)."""
    prefix = os.urandom(4)
    cipher = AESGCM(key)
    with source.open("rb") as src, target.open("wb") as out:
        out.write(prefix)
        index = 0
        chunk = src.read(CHUNK)
        while True:
            following = src.read(CHUNK)
            last = not following
            nonce = prefix + struct.pack(">Q", index)
            out.write(cipher.encrypt(nonce, chunk, _aad(index, last, label)))
            if last:
                return
            chunk, index = following, index + 1


def open_file(key: bytes, source: Path, target: Path, label: bytes) -> None:
    """Decrypt ``source`` (sealed by seal_file) into ``target``; SealBroken if altered."""
    cipher = AESGCM(key)
    with source.open("rb") as src, target.open("wb") as out:
        prefix = src.read(4)
        if len(prefix) != 4:
            raise SealBroken("the encrypted file is empty or cut short")
        index = 0
        block = src.read(CHUNK + _TAG)
        while True:
            following = src.read(CHUNK + _TAG)
            last = not following
            nonce = prefix + struct.pack(">Q", index)
            try:
                out.write(cipher.decrypt(nonce, block, _aad(index, last, label)))
            except InvalidTag:
                raise SealBroken(
                    "the encrypted backup was altered or cut short (chunk "
                    f"{index} does not decrypt)"
                ) from None
            if last:
                return
            block, index = following, index + 1
