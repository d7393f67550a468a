"""AES-256-GCM helper and the encrypted model field."""

from __future__ import annotations

import base64

import pytest
from django.db import connection, models
from django.test.utils import isolate_apps, override_settings

from comradarr import crypto
from comradarr.fields import EncryptedTextField

KEY = crypto.derive_key("a-secret-key-of-reasonable-length-0123456789")
OTHER_KEY = crypto.derive_key("another-secret-key-of-reasonable-length-987")


def test_round_trip():
    token = crypto.encrypt("api-key-1234567890abcdef", KEY)
    assert token.startswith(crypto.PREFIX)
    assert "api-key" not in token
    assert crypto.decrypt(token, KEY) == "api-key-1234567890abcdef"


def test_round_trip_unicode_and_empty():
    assert crypto.decrypt(crypto.encrypt("pässwörd ✓", KEY), KEY) == "pässwörd ✓"
    assert crypto.decrypt(crypto.encrypt("", KEY), KEY) == ""


def test_fresh_nonce_every_time():
    assert crypto.encrypt("same", KEY) != crypto.encrypt("same", KEY)


def test_key_is_256_bits_and_deterministic():
    assert len(KEY) == 32
    assert crypto.derive_key("a-secret-key-of-reasonable-length-0123456789") == KEY


def test_default_key_comes_from_settings():
    token = crypto.encrypt("secret")
    assert crypto.decrypt(token) == "secret"
    with (
        override_settings(SECRET_KEY="a-completely-different-secret-key-0123456789"),
        pytest.raises(crypto.DecryptionError, match="SECRET_KEY changed"),
    ):
        crypto.decrypt(token)


def test_wrong_key_is_a_clear_error():
    token = crypto.encrypt("secret", KEY)
    with pytest.raises(crypto.DecryptionError, match="SECRET_KEY changed since it was saved"):
        crypto.decrypt(token, OTHER_KEY)


def test_tampered_ciphertext():
    token = crypto.encrypt("secret", KEY)
    raw = bytearray(base64.urlsafe_b64decode(token[len(crypto.PREFIX) :]))
    raw[-1] ^= 0x01
    tampered = crypto.PREFIX + base64.urlsafe_b64encode(bytes(raw)).decode()
    with pytest.raises(crypto.DecryptionError, match="altered"):
        crypto.decrypt(tampered, KEY)


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("plain text", "missing v1: prefix"),
        ("v1:", "too short"),
        ("v1:" + base64.urlsafe_b64encode(b"short").decode(), "too short"),
        ("v1:***not base64***", "base64"),
        ("v1:é", "base64"),
        ("v1:" + "A" * 64, "SECRET_KEY changed"),
    ],
)
def test_garbage_tokens(token, message):
    with pytest.raises(crypto.DecryptionError, match=message):
        crypto.decrypt(token, KEY)


@pytest.mark.parametrize(
    ("secret", "masked"),
    [
        ("abcdef123456", "••••••••3456"),
        ("12345", "••••••••2345"),
        ("1234", "••••••••"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask(secret, masked):
    assert crypto.mask(secret) == masked


@pytest.mark.django_db
@isolate_apps("comradarr")
def test_encrypted_field_stores_ciphertext():
    class Vault(models.Model):
        secret = EncryptedTextField(blank=True, null=True)

        class Meta:
            app_label = "comradarr"
            db_table = "foundation_test_vault"

        def __str__(self) -> str:
            return f"vault {self.pk}"

    # DDL inside the test's transaction: rolled back with it.
    with connection.schema_editor() as editor:
        editor.create_model(Vault)

    stored = Vault.objects.create(secret="my-api-key-0123456789")
    Vault.objects.create(secret=None)
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM foundation_test_vault WHERE id = %s", [stored.pk])
        (raw,) = cursor.fetchone()
    assert raw.startswith(crypto.PREFIX)
    assert "my-api-key" not in raw
    assert Vault.objects.get(pk=stored.pk).secret == "my-api-key-0123456789"
    assert Vault.objects.filter(secret__isnull=True).get().secret is None

    # A value written under another key fails loudly on read, never as garbage.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE foundation_test_vault SET secret = %s WHERE id = %s",
            [crypto.encrypt("x", OTHER_KEY), stored.pk],
        )
    with pytest.raises(crypto.DecryptionError):
        Vault.objects.get(pk=stored.pk)
