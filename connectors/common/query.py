"""Query strings as the *arr apps (ASP.NET Core) bind them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

Params = Mapping[str, Any] | Sequence[tuple[str, Any]] | None


def _encode_value(value: Any) -> str:
    """Query values as ASP.NET binds them: lower-case booleans, ISO-8601 UTC datetimes."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime in a query parameter: pass an aware UTC datetime")
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def encode_params(params: Params) -> list[tuple[str, str]]:
    """Flatten params to (key, value) pairs; sequences repeat the key, None is dropped.

    ASP.NET Core binds `episodeIds=1&episodeIds=2` but not `episodeIds=1,2`
    (docs/arr-api.md section 1), so arrays are always sent as repeated keys.
    """
    if not params:
        return []
    items = params.items() if isinstance(params, Mapping) else params
    pairs: list[tuple[str, str]] = []
    for key, value in items:
        if value is None:
            continue
        if isinstance(value, list | tuple | set | frozenset):
            pairs.extend((key, _encode_value(item)) for item in value if item is not None)
        else:
            pairs.append((key, _encode_value(value)))
    return pairs
