"""Scopes: a read-only key may call safe methods; writing needs a full key.

Without a key, reads are allowed only when the user opted in (API_ANONYMOUS_READ)
and sign-in is "disabled": an install that asks for a password never answers
its API to anyone without a key, whatever the setting says.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework.permissions import SAFE_METHODS, BasePermission

from api.models import ApiKey
from comradarr.models import AppSettings


def anonymous_read_allowed() -> bool:
    if not settings.API_ANONYMOUS_READ:
        return False
    return AppSettings.load().auth_mode == AppSettings.AuthMode.DISABLED


class ScopePermission(BasePermission):
    message = "this API key is read-only: writing needs a key with full scope"
    code = "insufficient_scope"

    def has_permission(self, request, view) -> bool:
        key = request.auth
        if not isinstance(key, ApiKey):
            # DRF answers 401 when this is False: no key was sent.
            return request.method in SAFE_METHODS and anonymous_read_allowed()
        return request.method in SAFE_METHODS or key.can_write
