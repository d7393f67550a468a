"""What decides who a request comes from, as in effect now (Settings > Security, read-only).

The rules are client_ip's and modes'; this module only gathers their current
inputs and says where each comes from, so the page cannot drift from them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest

from comradarr.accounts.client_ip import LOCAL_NETWORKS, client_ip, from_trusted_proxy
from comradarr.accounts.gateway import container_gateways, in_container, is_container_gateway
from comradarr.accounts.modes import request_bypasses_login
from comradarr.models import AppSettings

_DEFAULTS = {
    "TRUSTED_PROXIES": "none: X-Forwarded-For is never believed",
    "SESSION_DAYS": "7",
    "SECURE_COOKIES": "false: Secure on HTTPS requests only",
    "LOCKOUT_ATTEMPTS": "5",
    "LOCKOUT_WINDOW_MINUTES": "15",
    "LOCKOUT_DURATION_MINUTES": "15",
}


@dataclass(frozen=True)
class Setting:
    """One deployment setting: its value in effect and where that value comes from."""

    name: str
    value: str
    from_environment: bool
    default: str


@dataclass(frozen=True)
class ThisRequest:
    peer: str
    via_trusted_proxy: bool
    client: str
    counts_as_local: bool
    container_gateway: bool


@dataclass(frozen=True)
class NetworkFacts:
    trusted_proxies: list[str]
    local_networks: list[str]
    container_gateways: list[str]
    in_container: bool
    settings: list[Setting]
    request: ThisRequest


def _value(name: str) -> str:
    values = {
        "TRUSTED_PROXIES": ", ".join(settings.TRUSTED_PROXIES) or "none",
        "SESSION_DAYS": str(settings.SESSION_COOKIE_AGE // 86400),
        "SECURE_COOKIES": "true" if settings.SESSION_COOKIE_SECURE else "false",
        "LOCKOUT_ATTEMPTS": str(settings.LOCKOUT_ATTEMPTS),
        "LOCKOUT_WINDOW_MINUTES": str(settings.LOCKOUT_WINDOW_SECONDS // 60),
        "LOCKOUT_DURATION_MINUTES": str(settings.LOCKOUT_DURATION_SECONDS // 60),
    }
    return values[name]


def network_facts(request: HttpRequest) -> NetworkFacts:
    ip = client_ip(request)
    return NetworkFacts(
        trusted_proxies=list(settings.TRUSTED_PROXIES),
        local_networks=[str(net) for net in LOCAL_NETWORKS],
        container_gateways=sorted(container_gateways()),
        in_container=in_container(),
        settings=[
            Setting(
                name=name,
                value=_value(name),
                from_environment=bool(os.environ.get(name, "").strip()),
                default=default,
            )
            for name, default in _DEFAULTS.items()
        ],
        request=ThisRequest(
            peer=request.META.get("REMOTE_ADDR", "") or "unknown",
            via_trusted_proxy=from_trusted_proxy(request),
            client=ip or "unknown",
            # The bypass's own decision, whatever mode is in effect now.
            counts_as_local=request_bypasses_login(AppSettings.AuthMode.LOCAL_BYPASS, request),
            container_gateway=is_container_gateway(ip),
        ),
    )
