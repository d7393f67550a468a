"""Template context for the authentication mode."""

from __future__ import annotations

from django.http import HttpRequest

from comradarr.models import AppSettings

# partials/auth_warning.html prefixes "Authentication is disabled."
DISABLED_WARNING = (
    "Anyone who can reach this address can use Comradarr and change its settings. "
    "Turn sign-in back on in Settings."
)


def auth_warning(request: HttpRequest) -> dict[str, str]:
    """`auth_warning`: banner text when sign-in is off, else "".

    Reads the mode AuthModeMiddleware already looked up, so rendering adds no
    query (and open pages such as the login page get no banner).
    """
    mode = getattr(request, "auth_mode", None)
    return {"auth_warning": DISABLED_WARNING if mode == AppSettings.AuthMode.DISABLED else ""}
