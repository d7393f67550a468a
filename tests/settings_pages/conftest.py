"""Fixtures of the settings pages tests: a signed-in admin and a clean settings cache."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from comradarr import logs
from comradarr.accounts import runtime

PASSWORD = "Tr0ub4dor&3-horse-staple"
#: A complete, valid General form (auth mode unchanged, so no password is needed).
GENERAL = {
    "display_name": "Comradarr",
    "time_zone": "UTC",
    "public_url": "",
    "auth_mode": "full",
    "log_level": "warning",
}


@pytest.fixture(autouse=True)
def fresh_runtime():
    """The per-process settings cache, log level and time zone must not leak between tests."""
    runtime.invalidate()
    yield
    runtime.invalidate()
    logs.set_level(settings.LOG_LEVEL)
    timezone.deactivate()


@pytest.fixture
def admin_user(db):
    return get_user_model().objects.create_superuser(
        username=settings.ADMIN_USER, password=PASSWORD
    )


@pytest.fixture
def signed_in(client, admin_user):
    client.force_login(admin_user)
    return client
