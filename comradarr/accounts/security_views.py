"""Settings > Security: who must sign in, the password, signed-in sessions, network trust."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from comradarr.accounts import services, sessions
from comradarr.accounts.client_ip import client_ip
from comradarr.accounts.forms import AuthModeForm, PasswordChangeForm
from comradarr.accounts.modes import admin_user
from comradarr.accounts.network import network_facts
from comradarr.accounts.passwords import password_change
from comradarr.accounts.views import bypass_warning
from comradarr.models import AppSettings


def _password_check(request: HttpRequest):
    return lambda password: services.confirm_password(
        request=request, user=request.user, password=password
    )


def _auth_form(request: HttpRequest, data=None) -> AuthModeForm:
    admin = admin_user()
    return AuthModeForm(
        data,
        instance=AppSettings.load(),
        admin_has_password=admin is not None and admin.has_usable_password(),
        password_check=_password_check(request),
    )


def _page(
    request: HttpRequest,
    *,
    auth_form: AuthModeForm | None = None,
    password_form: PasswordChangeForm | None = None,
) -> HttpResponse:
    facts = network_facts(request)
    context = {
        "page_title": "Security",
        "tab": "security",
        "auth_form": auth_form or _auth_form(request),
        "password_form": password_form
        or PasswordChangeForm(user=request.user, password_check=_password_check(request)),
        "has_password": request.user.has_usable_password(),
        "sessions": sessions.sessions_of(request.user, current_key=_current_key(request)),
        "network": facts,
        "client_address": facts.request.client,
        "client_is_local": facts.request.counts_as_local,
        "bypass_warning": bypass_warning(request, client_ip(request)),
    }
    return render(request, "settings/security.html", context)


def _current_key(request: HttpRequest) -> str | None:
    return request.session.session_key


@sensitive_post_parameters("current_password")
@login_required
@require_http_methods(["GET", "POST"])
def security_view(request: HttpRequest) -> HttpResponse:
    """The page; a POST saves the authentication mode."""
    if request.method != "POST":
        return _page(request)
    form = _auth_form(request, request.POST)
    if not form.is_valid():
        return _page(request, auth_form=form)
    row = AppSettings.load()
    services.app_settings_update(auth_mode=form.cleaned_data["auth_mode"], log_level=row.log_level)
    messages.success(request, "Authentication saved.")
    return redirect(reverse("settings_security") + "#auth-mode")


@sensitive_post_parameters("current_password", "new_password1", "new_password2")
@login_required
@require_POST
def password_view(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(
        request.POST, user=request.user, password_check=_password_check(request)
    )
    if not form.is_valid():
        return _page(request, password_form=form)
    signed_out = password_change(
        request=request, user=request.user, new_password=form.cleaned_data["new_password2"]
    )
    others = f" {signed_out} other session{'s' if signed_out != 1 else ''} signed out."
    messages.success(request, "Password changed; this browser stays signed in." + others)
    return redirect(reverse("settings_security") + "#password")


@login_required
@require_POST
def revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    key = sessions.session_revoke(user=request.user, pk=pk)
    if key is None:
        raise Http404("No such session.")
    if key == _current_key(request):
        logout(request)
        return redirect("login")
    messages.success(request, "Session signed out.")
    return redirect(reverse("settings_security") + "#sessions")


@login_required
@require_POST
def revoke_others_view(request: HttpRequest) -> HttpResponse:
    count = sessions.sessions_revoke_others(user=request.user, keep_key=_current_key(request))
    messages.success(
        request, f"Signed out everywhere else ({count} session{'s' if count != 1 else ''})."
    )
    return redirect(reverse("settings_security") + "#sessions")
