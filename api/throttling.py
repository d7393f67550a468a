"""The rate limit per API key (API_RATE_PER_MINUTE, default 120 a minute)."""

from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiKey


class PerKeyThrottle(SimpleRateThrottle):
    scope = "api_key"

    def get_cache_key(self, request, view) -> str | None:
        if not isinstance(request.auth, ApiKey):
            return None  # refused before it costs anything
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
