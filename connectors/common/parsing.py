"""Small, forgiving readers for *arr JSON values.

The apps omit null properties (docs/arr-api.md section 0.6), so every reader treats
a missing key as None. A value of the wrong type is a BadResponseError only
where the mapper says the field is required (`require`); elsewhere it reads
as None, because one odd optional field must not stop a whole sync.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from connectors.common.errors import BadResponseError


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


def as_positive_id(value: Any) -> int | None:
    """Foreign ids: the apps send 0 for "none" (episodeFileId, movieFileId)."""
    number = as_int(value)
    return number if number and number > 0 else None


def as_bool(value: Any, default: bool | None = None) -> bool | None:
    if isinstance(value, bool):
        return value
    return default


def as_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def as_float(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    return None


def as_datetime(value: Any) -> datetime | None:
    """ISO-8601 date-time -> aware UTC datetime. Naive values are UTC (the apps send UTC)."""
    if not isinstance(value, str):
        return None
    try:
        # Fast path (one call per date of every episode of a sync): 3.11 reads
        # the apps' usual "...Z" with 7 fractional digits (truncated to 6) itself.
        parsed = datetime.fromisoformat(value)
    except ValueError:
        parsed = _lenient_datetime(value)
        if parsed is None:
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    elif parsed.tzinfo is not UTC:
        parsed = parsed.astimezone(UTC)
    if parsed.year <= 1:
        return None  # .NET DateTime.MinValue means "never"
    return parsed


def _lenient_datetime(value: str) -> datetime | None:
    """What the fast path refuses: surrounding spaces, a lowercase z, odd fractions."""
    text = value.strip()
    if not text:
        return None
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    if "." in text:
        head, _, rest = text.partition(".")
        digits = ""
        while rest and rest[0].isdigit():
            digits, rest = digits + rest[0], rest[1:]
        text = f"{head}.{digits[:6].ljust(6, '0')}{rest}" if digits else head + rest
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def as_date(value: Any) -> date | None:
    """'yyyy-MM-dd' (Whisparr v2 releaseDate, Sonarr airDate) -> date."""
    if isinstance(value, str) and value.strip():
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    if isinstance(value, dict):
        # The Whisparr v2 spec shows DateOnly as {year, month, day}; the wire has a string.
        year, month, day = (as_int(value.get(k)) for k in ("year", "month", "day"))
        if year and month and day:
            try:
                return date(year, month, day)
            except ValueError:
                return None
    return None


def require(raw: Any, key: str, kind: str) -> Any:
    """A field the domain value cannot exist without (ids, mostly)."""
    if not isinstance(raw, dict):
        raise BadResponseError(f"Expected a {kind} object, got {type(raw).__name__}.")
    value = raw.get(key)
    if value is None:
        raise BadResponseError(f"A {kind} in the answer has no '{key}'.")
    return value


def require_int(raw: Any, key: str, kind: str) -> int:
    number = as_int(require(raw, key, kind))
    if number is None:
        raise BadResponseError(f"A {kind} in the answer has a non-numeric '{key}'.")
    return number


def require_list(value: Any, kind: str) -> list[dict]:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise BadResponseError(f"Expected a list of {kind} objects.")
    return value


def quality_of(file_raw: Any) -> tuple[str | None, int | None]:
    """(name, resolution) from a file's QualityModel {quality: {name, resolution}}."""
    if not isinstance(file_raw, dict):
        return None, None
    model = file_raw.get("quality")
    inner = model.get("quality") if isinstance(model, dict) else None
    if not isinstance(inner, dict):
        return None, None
    return as_str(inner.get("name")), as_int(inner.get("resolution"))
