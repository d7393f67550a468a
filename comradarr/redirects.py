"""Where a form may send the user back to: one rule for every `next` parameter."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def next_url(request: HttpRequest, default: str) -> str:
    """`next` from the form or query when it is a path on this site, else ``default``.

    Only a path is followed: redirect() would take a bare word for a view name
    (a 500), and another host or scheme would make an open redirect.
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
