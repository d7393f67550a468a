"""Which requests skip signing in, and as whom (the single admin account)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest

from comradarr.accounts.client_ip import bypass_ip, is_local
from comradarr.accounts.gateway import is_container_gateway, warn_gateway_refused
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


def request_bypasses_login(mode: str, request: HttpRequest) -> bool:
    """bypasses_login for this request's client, with the local bypass's own rules.

    Local bypass never applies to a client the request cannot name (a trusted
    proxy that forwarded none) nor to the container network's gateway, which
    stands for every outside client under Docker's userland proxy (gateway.py).
    """
    if mode != AppSettings.AuthMode.LOCAL_BYPASS:
        return bypasses_login(mode, "")
    ip = bypass_ip(request)
    if is_container_gateway(ip):
        warn_gateway_refused(ip)
        return False
    return bypasses_login(mode, ip)
