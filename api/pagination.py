"""Keyset pagination: ``?limit=`` and an opaque ``?cursor=`` from the previous page.

Each page continues after the last row's sort key (its ordering columns plus
the id), so a page costs one index range scan however deep it is, and rows
added or removed meanwhile never shift a row onto two pages or off all of them.
Every ordering column must be non-null.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


def _encode(values: list[Any]) -> str:
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def _decode(cursor: str, count: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError):
        raise ValidationError({"cursor": ["not a cursor this API gave out"]}) from None
    if (
        not isinstance(values, list)
        or len(values) != count
        or not all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in values)
    ):
        raise ValidationError({"cursor": ["not a cursor this API gave out"]})
    return values


def limit_from(raw: str | None) -> int:
    if raw in (None, ""):
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise ValidationError({"limit": [f"must be a whole number from 1 to {MAX_LIMIT}"]})
    return int(raw)


def _after(fields: list[str], values: list[Any], descending: bool) -> Q:
    """Rows strictly after ``values`` in the order of ``fields`` (all one direction)."""
    op = "lt" if descending else "gt"
    condition = Q()
    for i, field in enumerate(fields):
        step = Q(**{f"{field}__{op}": values[i]})
        for prior, value in zip(fields[:i], values[:i], strict=True):
            step &= Q(**{prior: value})
        condition |= step
    return condition


def paginate(
    queryset: QuerySet,
    request,
    serializer_class: type[serializers.Serializer],
    *,
    fields: list[str],
    descending: bool = False,
) -> dict[str, Any]:
    """One page: {"results": [...], "next_cursor": str | None}."""
    keys = [*fields, "pk"]
    limit = limit_from(request.query_params.get("limit"))
    cursor = request.query_params.get("cursor")
    if cursor:
        values = _decode(cursor, len(keys))
        try:
            queryset = queryset.filter(_after(keys, values, descending))
        except (ValueError, TypeError, DjangoValidationError):
            raise ValidationError({"cursor": ["not a cursor this API gave out"]}) from None
    order = [f"-{k}" if descending else k for k in keys]
    rows = list(queryset.order_by(*order)[: limit + 1])
    page, more = rows[:limit], len(rows) > limit
    next_cursor = _encode([getattr(page[-1], k) for k in keys]) if more else None
    return {"results": serializer_class(page, many=True).data, "next_cursor": next_cursor}
