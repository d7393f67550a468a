"""System checks for the account settings (run by `check`, `migrate` and so `serve`)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

from comradarr.accounts.client_ip import parse_trusted_proxies


@register()
def check_trusted_proxies(app_configs=None, **kwargs) -> list[Error]:
    """A typo in TRUSTED_PROXIES stops start-up instead of failing every request."""
    try:
        parse_trusted_proxies(getattr(settings, "TRUSTED_PROXIES", ()))
    except ImproperlyConfigured as exc:
        return [
            Error(
                str(exc),
                hint="Use IP addresses or CIDR ranges, comma-separated: 10.0.0.5,172.18.0.0/16",
                id="comradarr.accounts.E001",
            )
        ]
    return []
