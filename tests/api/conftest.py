"""Fixtures of the API tests: keys of each scope and state, a client that sends them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import caches
from django.test import Client
from django.utils import timezone

from api import keys
from api.models import ApiKey
from tests.security.conftest import (  # noqa: F401  (fixtures)
    API_KEY,
    WEBHOOK_SECRET,
    admin_user,
    connector,
    fresh_runtime,
    install,
    signed_in,
)


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """The throttle counts in the cache: no test inherits another's requests."""
    from api.throttling import SHARED_CACHE

    for alias in (SHARED_CACHE, "default"):  # throttle counts, the cached summary
        caches[alias].clear()
    yield
    for alias in (SHARED_CACHE, "default"):
        caches[alias].clear()


@pytest.fixture
def read_key(db) -> keys.CreatedKey:
    return keys.create_key(name="Homepage", scope=ApiKey.Scope.READ)


@pytest.fixture
def full_key(db) -> keys.CreatedKey:
    return keys.create_key(name="Scripts", scope=ApiKey.Scope.FULL)


@pytest.fixture
def revoked_key(db) -> keys.CreatedKey:
    created = keys.create_key(name="Old", scope=ApiKey.Scope.FULL)
    keys.revoke_key(key=created.key)
    return created


@pytest.fixture
def expired_key(db) -> keys.CreatedKey:
    created = keys.create_key(name="Temp", scope=ApiKey.Scope.FULL)
    ApiKey.objects.filter(pk=created.key.pk).update(expires_at=timezone.now() - timedelta(1))
    return created


def api(raw: str | None = None, *, bearer: bool = False) -> Client:
    """A client sending ``raw`` as X-Api-Key (or as a bearer token)."""
    if raw is None:
        return Client()
    if bearer:
        return Client(headers={"Authorization": f"Bearer {raw}"})
    return Client(headers={"X-Api-Key": raw})


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["message"]
    if code:
        assert body["error"]["code"] == code, body
    assert b"Traceback" not in response.content
    return body["error"]


#: SQL of the bookkeeping around every API request: the key lookup and its use, the
#: throttle in the database cache, the usage log (which prunes now and then).
_BOOKKEEPING = ("api_apikey", "throttle_", 'COUNT(*) FROM "comradarr_cache"', "SAVEPOINT")


def own_queries(captured) -> list[str]:
    """The queries of the view itself, without the per-request bookkeeping."""
    return [q["sql"] for q in captured if not any(b in q["sql"] for b in _BOOKKEEPING)]
