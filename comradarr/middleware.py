"""Request middleware: correlation ids and security headers."""

from __future__ import annotations

import re
import uuid

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from comradarr.logs import correlation_id

_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class CorrelationIdMiddleware:
    """Tags the request, its log lines and its response with one id.

    An incoming X-Request-ID is kept when it is a sane token; anything else is
    replaced, so a client cannot inject text into the logs.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.correlation_id = request_id
        token = correlation_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            correlation_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


class SecurityHeadersMiddleware:
    """Headers Django does not set itself, on every response.

    SecurityMiddleware already sets nosniff and Referrer-Policy, and HSTS on
    HTTPS; this makes sure they are present on responses it skipped, and keeps
    HSTS out of DEBUG (development) mode.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("X-Content-Type-Options", "nosniff")
        response.setdefault("Referrer-Policy", settings.SECURE_REFERRER_POLICY)
        response.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        if settings.DEBUG and "Strict-Transport-Security" in response:
            del response["Strict-Transport-Security"]
        return response
