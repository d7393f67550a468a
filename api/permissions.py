"""Scopes: a read-only key may call safe methods; writing needs a full key."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from api.models import ApiKey


class ScopePermission(BasePermission):
    message = "this API key is read-only: writing needs a key with full scope"
    code = "insufficient_scope"

    def has_permission(self, request, view) -> bool:
        key = request.auth
        if not isinstance(key, ApiKey):
            return False  # DRF answers 401: no key was sent
        return request.method in SAFE_METHODS or key.can_write
