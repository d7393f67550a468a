"""Fixtures for the accounts tests: the admin account, auth modes, lockout clock."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import F

from comradarr import logs
from comradarr.accounts import runtime, services
from comradarr.models import AppSettings, FailedLogin, LoginLockout

PASSWORD = "Tr0ub4dor&3-horse-staple"


@pytest.fixture(autouse=True)
def fresh_runtime():
    """The per-process settings cache and log level must not leak between tests."""
    runtime.invalidate()
    yield
    runtime.invalidate()
    logs.set_level(settings.LOG_LEVEL)


@pytest.fixture
def admin_user(db):
    User = get_user_model()
    return User.objects.create_superuser(username=settings.ADMIN_USER, password=PASSWORD)


@pytest.fixture
def set_auth_mode(db):
    def set_mode(mode: str) -> AppSettings:
        row = AppSettings.load()
        return services.app_settings_update(auth_mode=mode, log_level=row.log_level)

    return set_mode


@pytest.fixture
def age_lockout_rows(db):
    """Moves every failure and lock into the past: the lockout runs on the DB clock,
    which time-machine cannot move, so the rows travel instead."""

    def age(seconds: float) -> None:
        delta = timedelta(seconds=seconds)
        FailedLogin.objects.update(attempted_at=F("attempted_at") - delta)
        LoginLockout.objects.update(locked_until=F("locked_until") - delta)

    return age


@pytest.fixture
def root_level():
    return lambda: logging.getLogger().level
