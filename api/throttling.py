"""The rate limit per API key (API_RATE_PER_MINUTE, default 120 a minute).

Counted in the database cache every process shares (the one django-q2's
heartbeats use), not the per-process memory cache: with several gunicorn
workers a key would otherwise get the allowance once per worker.
"""

from __future__ import annotations

from django.core.cache import caches
from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiKey
from comradarr.accounts.client_ip import client_ip

SHARED_CACHE = "django_q"


class PerKeyThrottle(SimpleRateThrottle):
    scope = "api_key"
    cache = caches[SHARED_CACHE]

    def get_cache_key(self, request, view) -> str | None:
        if not isinstance(request.auth, ApiKey):
            # Anonymous reads (API_ANONYMOUS_READ) share one allowance per address;
            # without a key anything else was refused before it cost anything.
            return self.cache_format % {"scope": self.scope, "ident": f"anon-{client_ip(request)}"}
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
