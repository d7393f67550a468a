"""The webhook receiver: the only endpoint the *arr apps call.

It is outside the login (the auth middleware leaves /webhooks/ open) and
authenticates with the connector's secret, given one of three ways:

* in the URL path, /webhooks/<connector>/<secret> (every app version can);
* in an ``X-Comradarr-Secret`` header (the apps' custom webhook headers,
  Sonarr 4.0.10+, Radarr 5.16+, Whisparr v3), to /webhooks/<connector>;
* as the HTTP Basic password (any username), to /webhooks/<connector>.

The header and Basic forms keep the secret out of URLs, so out of proxies'
access logs; Comradarr's own logs redact the path form (comradarr.logs).
"""

from __future__ import annotations

import base64
import binascii
import logging

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from connectors.common.webhook import MAX_BODY_BYTES, MalformedWebhook, WebhookTooLarge
from content import webhooks

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Comradarr-Secret"  # noqa: S105 (the header's name, not a secret)


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


def presented_secret(request: HttpRequest, path_secret: str = "") -> str:
    """The secret the caller sent: in the path, else the header, else the Basic password."""
    return path_secret or request.headers.get(SECRET_HEADER, "").strip() or _basic_password(request)


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _too_large() -> JsonResponse:
    return JsonResponse({"error": f"payload larger than {MAX_BODY_BYTES} bytes"}, status=413)


@csrf_exempt
@require_POST
def webhook_receive(request: HttpRequest, connector_id: int, secret: str = "") -> HttpResponse:
    """POST /webhooks/<connector>[/<secret>]: apply one *arr event to the mirror."""
    connector = webhooks.secret_matches(
        connector_id=int(connector_id), secret=presented_secret(request, secret)
    )
    if connector is None:
        logger.warning("webhook refused: wrong secret", extra={"connector_id": connector_id})
        return JsonResponse({"error": "unauthorized"}, status=401)
    if _declared_length(request) > MAX_BODY_BYTES:
        return _too_large()  # refused before the body is read
    try:
        body = request.body
    except RequestDataTooBig:
        return _too_large()
    try:
        result = webhooks.webhook_receive_body(connector=connector, body=body)
    except WebhookTooLarge:
        return _too_large()
    except MalformedWebhook as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse(result.as_json())
