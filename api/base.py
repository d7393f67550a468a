"""The base of every /api/v1 view: counts each answered request against its key."""

from __future__ import annotations

import logging

from django.db import DatabaseError
from rest_framework.views import APIView

from api import usage
from api.models import ApiKey

logger = logging.getLogger(__name__)


class ApiView(APIView):
    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        key = getattr(request, "_auth", None)  # set only once a key was accepted
        if isinstance(key, ApiKey):
            try:
                usage.record(
                    key=key,
                    method=request.method,
                    path=request.path,
                    status=response.status_code,
                )
            except DatabaseError:
                # The answer matters more than its bookkeeping.
                logger.warning("api: usage not recorded", exc_info=True)
        return response
