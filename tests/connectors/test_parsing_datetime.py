"""as_datetime's fast path (datetime.fromisoformat straight on the wire value)
must read every value exactly as the lenient normalising path always did."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connectors.common.parsing import as_datetime


def reference(value):
    """The lenient reader as it was before the fast path (the behaviour to keep)."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    if "." in text:
        head, _, rest = text.partition(".")
        digits = ""
        while rest and rest[0].isdigit():
            digits, rest = digits + rest[0], rest[1:]
        text = f"{head}.{digits[:6].ljust(6, '0')}{rest}" if digits else head + rest
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    parsed = parsed.astimezone(UTC)
    return None if parsed.year <= 1 else parsed


VALUES = [
    "2024-01-02T03:04:05Z",
    "2024-01-02T03:04:05.1234567Z",
    "2024-01-02T03:04:05.9999999Z",
    "2024-01-02T03:04:05.5Z",
    "2024-01-02T03:04:05.123Z",
    "2024-01-02T03:04:05.12345678901Z",
    "2024-01-02T03:04:05.Z",
    "2024-01-02T03:04:05z",
    " 2024-01-02T03:04:05Z ",
    "2024-01-02T03:04:05+02:00",
    "2024-01-02T03:04:05.1234567-05:30",
    "2024-01-02T03:04:05+00:00",
    "2024-01-02T03:04:05",
    "2024-01-02 03:04:05",
    "2024-01-02",
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00",
    "9999-12-31T23:59:59.9999999Z",
    "2024-02-30T00:00:00Z",
    "2024-01-02T25:00:00Z",
    "",
    "   ",
    "yesterday",
    "Z",
    None,
    12345,
    {"date": "2024-01-02"},
]


@pytest.mark.parametrize("value", VALUES)
def test_fast_path_reads_like_the_lenient_reader(value):
    got = as_datetime(value)
    assert got == reference(value)
    if got is not None:
        assert got.tzinfo is not None and got.utcoffset().total_seconds() == 0
