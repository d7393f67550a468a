"""Table or posters: which view of the library list a user sees, remembered per user.

The choice is stored in LibraryPreference (one row per user) and copied into
the session on first read, so a list page costs no query for it after that;
``?view=posters`` (or ``table``) in the URL wins for that page without
changing what is remembered. The toggle is a POST (web.library_view.set_view)
that saves the choice and goes back to the page it came from.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from web.models import LibraryPreference

VIEWS = tuple(LibraryPreference.View.values)
TABLE = LibraryPreference.View.TABLE
POSTERS = LibraryPreference.View.POSTERS
SESSION_KEY = "library_view"


def current_view(request: HttpRequest) -> str:
    """The view this request shows: the URL's ``view``, else the user's remembered one."""
    asked = request.GET.get("view")
    if asked in VIEWS:
        return asked
    remembered = request.session.get(SESSION_KEY)
    if remembered in VIEWS:
        return remembered
    stored = (
        LibraryPreference.objects.filter(user_id=request.user.pk)
        .values_list("view", flat=True)
        .first()
    )
    view = stored if stored in VIEWS else TABLE
    request.session[SESSION_KEY] = view
    return view


def remember_view(request: HttpRequest, view: str) -> None:
    if view not in VIEWS:
        raise ValueError(f"unknown library view {view!r}")
    LibraryPreference.objects.update_or_create(user_id=request.user.pk, defaults={"view": view})
    request.session[SESSION_KEY] = view


def _back_to(request: HttpRequest) -> str:
    """The list page the toggle was on, without its ``view`` (the new choice must show)."""
    fallback = reverse("library:list")
    target = request.POST.get("next") or fallback
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return fallback
    parts = urlsplit(target)
    if parts.path != fallback:
        return fallback
    query = QueryDict(parts.query, mutable=True)
    query.pop("view", None)
    return f"{fallback}?{urlencode(list(query.lists()), doseq=True)}" if query else fallback


@login_required
@require_POST
def set_view(request: HttpRequest) -> HttpResponse:
    view = request.POST.get("view", "")
    if view in VIEWS:
        remember_view(request, view)
    return redirect(_back_to(request))
