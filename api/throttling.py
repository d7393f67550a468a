"""The rate limit per API key (API_RATE_PER_MINUTE, default 120 a minute).

Counted in the database cache every process shares (the one django-q2's
heartbeats use), not the per-process memory cache: with several gunicorn
workers a key would otherwise get the allowance once per worker.
"""

from __future__ import annotations

from django.core.cache import caches
from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiKey

SHARED_CACHE = "django_q"


class PerKeyThrottle(SimpleRateThrottle):
    scope = "api_key"
    cache = caches[SHARED_CACHE]

    def get_cache_key(self, request, view) -> str | None:
        if not isinstance(request.auth, ApiKey):
            return None  # refused before it costs anything
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
