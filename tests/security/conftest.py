"""Fixtures of the security regression suite (tests/security/).

One module per class of hole found in a peer project (Huntarr, 2026), each
test's docstring naming the class it guards, so no later change reopens one.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from comradarr.accounts import runtime
from connectors.models import Connector

PASSWORD = "Tr0ub4dor&3-horse-staple"
API_KEY = "f00dfeedcafebabe0123456789abcdef"


@pytest.fixture(autouse=True)
def fresh_runtime():
    """The per-process settings cache must not leak an auth mode between tests."""
    runtime.invalidate()
    yield
    runtime.invalidate()


@pytest.fixture
def admin_user(db):
    return get_user_model().objects.create_superuser(
        username=settings.ADMIN_USER, password=PASSWORD
    )


@pytest.fixture
def signed_in(admin_user) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.fixture
def connector(db) -> Connector:
    return Connector.objects.create(
        name="Sonarr main", kind=Connector.Kind.SONARR, url="http://sonarr:8989", api_key=API_KEY
    )
