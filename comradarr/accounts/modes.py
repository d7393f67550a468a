"""Which requests skip signing in, and as whom (the single admin account)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser

from comradarr.accounts.client_ip import is_local
from comradarr.models import AppSettings


def admin_user() -> AbstractBaseUser | None:
    """The single account (ADMIN_USER), or None before ensure_admin created it."""
    return (
        get_user_model()
        .objects.filter(username=settings.ADMIN_USER, is_active=True)
        .order_by("pk")
        .first()
    )


def bypasses_login(mode: str, ip: str) -> bool:
    """True when auth mode `mode` lets a client at `ip` in without signing in."""
    if mode == AppSettings.AuthMode.DISABLED:
        return True
    return mode == AppSettings.AuthMode.LOCAL_BYPASS and is_local(ip)
