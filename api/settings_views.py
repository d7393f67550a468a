"""Settings > API keys: create (the key shown once), list with last use, revoke."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from api import keys, usage
from api.forms import ApiKeyCreateForm
from api.models import ApiKey


@never_cache
@login_required
def index(request: HttpRequest) -> HttpResponse:
    form = ApiKeyCreateForm(request.POST if request.method == "POST" else None)
    created = None
    if request.method == "POST" and form.is_valid():
        days = form.cleaned_data["expires_days"]
        created = keys.create_key(
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
            expires_at=timezone.now() + timedelta(days=days) if days else None,
        )
        # Rendered, not redirected: the key exists only in this response (never_cache).
        form = ApiKeyCreateForm()
    api_keys = list(ApiKey.objects.all())
    last_day = usage.last_day(api_keys)
    for key in api_keys:
        key.last_day = last_day.get(key.pk, {"requests": 0, "errors": 0})
    context = {
        "tab": "api_keys",
        "page_title": "API keys",
        "form": form,
        "created": created,
        "api_keys": api_keys,
    }
    return render(request, "settings/api_keys.html", context)


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    key = get_object_or_404(ApiKey, pk=pk)
    if keys.revoke_key(key=key):
        messages.success(request, f"API key “{key.name}” revoked.")
    return redirect("apikeys:index")
