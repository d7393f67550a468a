"""Sign-in, sign-out and the general settings page (Security has its own module)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from comradarr.accounts import services, sessions
from comradarr.accounts.client_ip import bypass_ip, client_ip
from comradarr.accounts.forms import AppSettingsForm, LoginForm
from comradarr.accounts.gateway import GATEWAY_WARNING, is_container_gateway
from comradarr.accounts.modes import request_bypasses_login
from comradarr.models import AppSettings
from comradarr.redirects import next_url


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(next_url(request, resolve_url(settings.LOGIN_REDIRECT_URL)))

    form = LoginForm(request.POST if request.method == "POST" else None)
    error, status = "", 200
    if request.method == "POST" and form.is_valid():
        outcome = services.login_check(
            request=request,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
            ip=client_ip(request),
        )
        if outcome.user is not None:
            login(request, outcome.user)  # lists the session too (sessions.connect_login_hook)
            return redirect(next_url(request, resolve_url(settings.LOGIN_REDIRECT_URL)))
        error = outcome.error
        # 429 tells scripts and password managers to stop; the page still explains.
        status = 429 if outcome.locked else 200
    context = {
        "form": form,
        "error": error,
        "next": request.POST.get("next") or request.GET.get("next", ""),
        "page_title": "Sign in",
    }
    return render(request, "accounts/login.html", context, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    sessions.session_ended(request)
    logout(request)
    # Where sign-in is bypassed for this client, the login page would only be a detour.
    if request_bypasses_login(getattr(request, "auth_mode", ""), request):
        return redirect(settings.LOGIN_REDIRECT_URL)
    return redirect(settings.LOGOUT_REDIRECT_URL)


@login_required
@require_http_methods(["GET", "POST"])
def settings_view(request: HttpRequest) -> HttpResponse:
    row = AppSettings.load()
    form = AppSettingsForm(request.POST if request.method == "POST" else None, instance=row)
    if request.method == "POST" and form.is_valid():
        # Authentication is saved on Settings > Security; it is kept as it is here.
        services.app_settings_update(
            **{
                name: form.cleaned_data[name]
                for name in services.EDITABLE_FIELDS
                if name in form.cleaned_data
            }
        )
        messages.success(request, "Settings saved.")
        return redirect("settings")
    context = {
        "form": form,
        "page_title": "Settings",
        # The time zone check: this moment as every page shows it now.
        "now": timezone.now(),
    }
    return render(request, "settings/general.html", context)


def bypass_warning(request: HttpRequest, ip: str) -> str:
    """Why local bypass would not let this browser in although its address looks local."""
    if is_container_gateway(ip):
        return GATEWAY_WARNING.format(ip=ip)
    if ip and not bypass_ip(request):
        return (
            f"This request came through the trusted proxy {ip} without an X-Forwarded-For "
            "address, so Comradarr cannot tell who sent it: local network bypass treats it as "
            "remote. Make the proxy send X-Forwarded-For."
        )
    return ""
