"""DRF authentication by API key (X-Api-Key or Authorization: Bearer).

A key in the query string is refused outright, even next to a valid header:
URLs end up in proxy and access logs, so such a key must be treated as leaked
and the caller told so.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from rest_framework import authentication, exceptions

from api import keys
from api.models import ApiKey
from comradarr.accounts.client_ip import client_ip

QUERY_REFUSED = (
    "API keys are not accepted in the query string (URLs end up in logs): "
    "send the key in the X-Api-Key header or as Authorization: Bearer <key>, "
    "and consider this key leaked: revoke it and create a new one"
)


class KeyUser(AnonymousUser):
    """The caller behind a key: not a Django user, but authenticated for DRF."""

    def __init__(self, key: ApiKey):
        super().__init__()
        self.key = key

    @property
    def is_authenticated(self) -> bool:  # type: ignore[override]
        return True


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        if keys.key_in_query(request):
            raise exceptions.AuthenticationFailed(QUERY_REFUSED, code="key_in_query")
        raw = keys.key_from_headers(request)
        if raw is None:
            return None
        try:
            key = keys.check_key(raw)
        except keys.InvalidKey as err:
            raise exceptions.AuthenticationFailed(str(err), code="invalid_key") from None
        keys.record_use(key=key, ip=client_ip(request))
        return KeyUser(key), key

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (not 403) when no key was sent.
        return 'Bearer realm="api"'
