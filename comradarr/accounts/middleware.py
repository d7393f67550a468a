"""Authentication modes: who may see pages without signing in.

- full: every page needs a signed-in user, except the open paths below.
- local_bypass: clients on the local network (RFC 1918, loopback, IPv6
  unique-local and link-local, as decided by client_ip, so a forged
  X-Forwarded-For from an untrusted peer changes nothing) act as the admin;
  never a trusted proxy that forwarded no client address, nor the gateway of
  the container's network (modes.request_bypasses_login).
- disabled: everyone acts as the admin (the layout shows a warning banner).

Open paths never touch the database here, so /health can report a database
outage instead of failing in this middleware.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from comradarr.accounts import runtime, sessions
from comradarr.accounts.modes import admin_user, request_bypasses_login

# Paths below BASE_URL that are reachable without signing in. Webhooks carry
# their own secret; /health is for load balancers and container health checks;
# api/ and /metrics authenticate every request by API key themselves (in every auth mode).
OPEN_PATHS = ("health", "metrics")
OPEN_PREFIXES = ("health/", "webhooks/", "api/")


def is_open_path(path: str) -> bool:
    # The admin's login page only redirects to ours (comradarr/admin.py), passing `next` on.
    if path.startswith(settings.STATIC_URL) or path in (reverse("login"), reverse("admin:login")):
        return True
    if not path.startswith(settings.BASE_URL):
        return False
    relative = path[len(settings.BASE_URL) :]
    return relative in OPEN_PATHS or relative.startswith(OPEN_PREFIXES)


class AuthModeMiddleware:
    """Runs after AuthenticationMiddleware: attaches the admin or sends to the login page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_open_path(request.path_info):
            return self.get_response(request)

        mode = runtime.current().auth_mode
        request.auth_mode = mode
        if not request.user.is_authenticated and request_bypasses_login(mode, request):
            user = admin_user()
            if user is not None:
                # Attached for this request only: no session is created, so
                # leaving the local network (or turning auth on) takes effect
                # on the very next request.
                request.user = user

                async def auser(user=user):
                    return user

                request.auser = auser

        if not request.user.is_authenticated:
            return self._to_login(request)
        return self.get_response(request)

    @staticmethod
    def _to_login(request: HttpRequest) -> HttpResponse:
        login_url = reverse("login")
        if request.headers.get("HX-Request") == "true":
            # A redirect would swap the login page into a fragment: ask htmx
            # to load it as a full page, coming back to the page the user was on.
            current = urlsplit(request.headers.get("HX-Current-URL", ""))
            back = current.path + (f"?{current.query}" if current.query else "")
            target = redirect_to_login(back, login_url)["Location"] if back else login_url
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect_to_login(request.get_full_path(), login_url)


class SessionActivityMiddleware:
    """Keeps Settings > Security's session list current: who was last seen when, from where.

    Writes at most once a minute per session and process (sessions.session_touch),
    so a page full of htmx polling costs nothing extra.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Probes, webhooks and the API carry no sign-in session: reading one would make
        # /health depend on the sessions table (it must answer with the database gone).
        if not is_open_path(request.path):
            sessions.session_touch(request)
        return self.get_response(request)
