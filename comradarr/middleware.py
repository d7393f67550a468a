"""Request middleware: correlation ids, forwarded scheme, secure cookies, security headers,
the time zone of the request."""

from __future__ import annotations

import re
import uuid

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from comradarr import csp
from comradarr.accounts import runtime
from comradarr.accounts.client_ip import forwarded_scheme
from comradarr.accounts.middleware import is_open_path
from comradarr.logs import correlation_id, origin

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
        # The log viewer shows which request a line came from (the path, never the query).
        origin_token = origin.set(f"{request.method} {request.path}"[:300])
        try:
            response = self.get_response(request)
        finally:
            origin.reset(origin_token)
            correlation_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


class TimeZoneMiddleware:
    """Shows the request's times in the time zone in effect (TZ, else the settings page's).

    Runs after AuthModeMiddleware, which has read the cached settings row already;
    open paths (/health, the API, webhooks) are skipped so they never need the row.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_open_path(request.path_info):
            return self.get_response(request)
        runtime.activate_time_zone()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class ForwardedProtoMiddleware:
    """Believes a trusted proxy's X-Forwarded-Proto (TLS ended at the proxy).

    Behind an HTTPS reverse proxy the app itself speaks plain HTTP, so Django
    would think the browser did too: the CSRF check would refuse the login form
    (its Origin says https) and HSTS would never be sent. The header is taken
    only from TRUSTED_PROXIES, like X-Forwarded-For, because anyone can send it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        scheme = forwarded_scheme(request)
        if scheme is not None:
            # WSGIRequest.scheme reads this on every access.
            request.META["wsgi.url_scheme"] = scheme
        return self.get_response(request)


class SecureCookiesMiddleware:
    """Marks the session and CSRF cookies Secure whenever the request came over HTTPS.

    Django's *_COOKIE_SECURE settings are fixed at start-up, but one install is
    often reached both ways (https through the proxy, http on the LAN); a cookie
    set over HTTPS must never travel back over plain HTTP. request.is_secure()
    already believes a trusted proxy's X-Forwarded-Proto (ForwardedProtoMiddleware)
    and nobody else's. SECURE_COOKIES forces the flag through the settings.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.is_secure():
            for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME):
                if name in response.cookies:
                    response.cookies[name]["secure"] = True
        return response


class SecurityHeadersMiddleware:
    """The security headers on every response, HSTS never in DEBUG.

    SecurityMiddleware sets nosniff, Referrer-Policy and (on HTTPS) HSTS, and
    XFrameOptionsMiddleware X-Frame-Options, but only on responses that pass
    through them: whitenoise's static files do not. This middleware sits
    outside both (right after the correlation id), so it completes every
    response last and can take HSTS back out in DEBUG (development) mode.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("X-Content-Type-Options", "nosniff")
        response.setdefault("Referrer-Policy", settings.SECURE_REFERRER_POLICY)
        response.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        response.setdefault("Content-Security-Policy", csp.policy())
        if settings.DEBUG and "Strict-Transport-Security" in response:
            del response["Strict-Transport-Security"]
        return response
