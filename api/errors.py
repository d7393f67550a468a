"""One error shape for every API answer: {"error": {"code", "message", "details"}}.

401 when no valid key was sent, 403 when the key may not do this, 429 with
Retry-After when over the rate; anything unexpected is logged here and answered
as a plain 500 in the same shape, never a traceback.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

logger = logging.getLogger(__name__)


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def _message_and_details(exc: exceptions.APIException) -> tuple[str, Any]:
    detail = exc.detail
    if isinstance(exc, exceptions.ValidationError):
        # Per field: {"field": ["message", ...]}; a bare list is non-field errors.
        details = detail if isinstance(detail, dict) else {"non_field_errors": detail}
        return "the request is not valid", details
    return str(detail), {}


def exception_handler(exc: Exception, context: dict) -> Response:
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("not found")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        logger.exception(
            "api: unexpected error", extra={"view": type(context.get("view")).__name__}
        )
        set_rollback()
        return Response(
            error_body("server_error", "an unexpected error occurred; see the server log"),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None) is not None:
        headers["Retry-After"] = str(int(exc.wait) + (0 if exc.wait == int(exc.wait) else 1))
    code = exc.get_codes() if not isinstance(exc, exceptions.ValidationError) else "invalid"
    if not isinstance(code, str):
        code = exc.default_code
    message, details = _message_and_details(exc)
    set_rollback()
    return Response(error_body(code, message, details), status=exc.status_code, headers=headers)
