"""API keys: their form, their storage, and the checks that refuse them."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from api import keys
from api.models import ApiKey

pytestmark = pytest.mark.django_db


def test_a_key_is_shown_once_and_stored_only_as_its_hash():
    created = keys.create_key(name="Homepage")
    raw = created.raw
    assert raw.startswith("cmr_") and len(raw) >= len("cmr_") + 43  # 32 bytes, base64url
    row = ApiKey.objects.get()
    assert row.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert row.prefix == raw[:12] and raw not in str(row.__dict__)
    assert keys.create_key(name="Other").raw != raw


def test_check_key_accepts_the_key_and_refuses_the_rest():
    created = keys.create_key(name="a", scope=ApiKey.Scope.FULL)
    assert keys.check_key(created.raw) == created.key
    for bad in ("", "cmr_", created.raw + "x", created.raw[:-1], "x" * 10_000, "Bearer"):
        with pytest.raises(keys.InvalidKey, match="invalid API key"):
            keys.check_key(bad)
    keys.revoke_key(key=created.key)
    with pytest.raises(keys.InvalidKey, match="revoked"):
        keys.check_key(created.raw)


def test_an_expired_key_is_refused():
    created = keys.create_key(name="a", expires_at=timezone.now() + timedelta(minutes=1))
    assert keys.check_key(created.raw)
    ApiKey.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(keys.InvalidKey, match="expired"):
        keys.check_key(created.raw)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"name": "  "}, "name"),
        ({"name": "a", "scope": "admin"}, "scope"),
        ({"name": "a", "expires_at": timezone.now() - timedelta(days=1)}, "future"),
    ],
)
def test_create_refuses_bad_values(kwargs, message):
    with pytest.raises(ValueError, match=message):
        keys.create_key(**kwargs)
    assert not ApiKey.objects.exists()


def test_revoking_twice_says_so():
    created = keys.create_key(name="a")
    assert keys.revoke_key(key=created.key) is True
    assert keys.revoke_key(key=created.key) is False


# ------------------------------------------------------------------ the command


def test_command_creates_lists_and_revokes(capsys):
    call_command("apikeys", "create", "Grafana", "--scope", "full", "--expires-days", "30")
    out = capsys.readouterr().out
    raw = out.split(": ", 1)[1].split()[0]
    key = ApiKey.objects.get()
    assert keys.check_key(raw) == key and key.scope == "full" and key.expires_at
    call_command("apikeys", "list")
    listed = capsys.readouterr().out
    assert "Grafana" in listed and key.prefix in listed and raw not in listed
    assert "active" in listed and "never used" in listed
    call_command("apikeys", "revoke", str(key.pk))
    assert "Revoked" in capsys.readouterr().out
    call_command("apikeys", "list")
    assert "revoked" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args, message",
    [
        (["create", ""], "cannot be empty"),
        (["create", "x" * 101], "too long"),
        (["create", "a", "--scope", "admin"], "invalid choice"),
        (["create", "a", "--expires-days", "0"], "between 1 and 3650"),
        (["create", "a", "--expires-days", "soon"], "whole number"),
        (["revoke", "99"], "no API key with id 99"),
        (["revoke", "-1"], "at least 1"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_command_errors_are_one_line(args, message):
    with pytest.raises(CommandError) as err:
        call_command("apikeys", *args)
    assert message in str(err.value) and "\n" not in str(err.value)
    assert not ApiKey.objects.exists()
