"""Content pages: the webhook receiver, "Sync now" and the sync status fragment.

The webhook receiver is the only endpoint the *arr apps call; it is outside
the login (the auth middleware leaves /webhooks/ open) and authenticates with
the connector's secret, in the URL or as the HTTP Basic password.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from connectors.models import Connector
from content import services, webhooks
from content.models import SyncRun

logger = logging.getLogger(__name__)


def _basic_password(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value:
        return ""
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return ""
    return decoded.partition(":")[2]


@csrf_exempt
@require_POST
def webhook_receive(request: HttpRequest, connector_id: int, secret: str = "") -> HttpResponse:
    """POST /webhooks/<connector>/<secret> (or Basic auth with the secret as password)."""
    connector = webhooks.secret_matches(
        connector_id=int(connector_id), secret=secret or _basic_password(request)
    )
    if connector is None:
        logger.warning("webhook refused: wrong secret", extra={"connector_id": connector_id})
        return JsonResponse({"error": "unauthorized"}, status=401)
    try:
        payload = json.loads(request.body)
    except RequestDataTooBig:
        return JsonResponse({"error": "payload too large"}, status=413)
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"error": "malformed JSON"}, status=400)
    try:
        result = webhooks.webhook_apply(connector=connector, payload=payload)
    except webhooks.MalformedPayload as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse(result.as_json())


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
    return redirect(reverse("connectors:detail", args=[connector.pk]))


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
