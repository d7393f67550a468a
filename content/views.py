"""Content pages: "Sync now" and the sync status fragment (the webhook receiver is
content.webhook_views)."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from comradarr.redirects import next_url
from connectors.models import Connector
from content import services, webhooks
from content.models import SyncRun

logger = logging.getLogger(__name__)


@login_required
@require_POST
def sync_now(request: HttpRequest, pk: int) -> HttpResponse:
    """Enqueue a manual sync; the worker runs it, never this request."""
    connector = get_object_or_404(Connector, pk=pk)
    kind = SyncRun.Kind.FULL if request.POST.get("kind") == "full" else SyncRun.Kind.INCREMENTAL
    services.sync_request(connector=connector, kind=kind)
    if request.htmx:
        context = {"connector": connector, "queued_message": f"{kind.capitalize()} sync queued."}
        return render(request, "content/partials/sync_status.html", context)
    messages.success(request, f"{kind.capitalize()} sync of “{connector.name}” queued.")
    return redirect(next_url(request, reverse("connectors:detail", args=[connector.pk])))


@login_required
@require_GET
def sync_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The sync status fragment alone (htmx polls it while a run is going)."""
    connector = get_object_or_404(Connector, pk=pk)
    return render(request, "content/partials/sync_status.html", {"connector": connector})


@login_required
@require_POST
def webhook_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    """Replace the connector's webhook secret (the old URL stops working at once)."""
    connector = get_object_or_404(Connector, pk=pk)
    webhooks.rotate_webhook_secret(connector=connector)
    if request.htmx:
        context = {"connector": connector, "queued_message": "New webhook URL: update the app."}
        return render(request, "content/partials/sync_status.html", context)
    messages.success(request, f"New webhook secret for “{connector.name}”: update its URL.")
    return redirect(reverse("connectors:detail", args=[connector.pk]))
