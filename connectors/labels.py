"""Human labels for the *arr apps' enum values, and whether a name already says its kind.

The apps send camelCase enum values (docs/arr-api.md sections 3 and 4: SeriesStatusType
``continuing|ended|upcoming|deleted``, MovieStatusType ``tba|announced|inCinemas|released|deleted``,
also used for ``minimumAvailability``). Pages show these words, never the raw values.
"""

from __future__ import annotations

import re

#: Keys are lower-cased: the mirror stores some values as the app sent them, some lower-cased.
ENUM_LABELS: dict[str, str] = {
    # SeriesStatusType
    "continuing": "Continuing",
    "ended": "Ended",
    "upcoming": "Upcoming",
    "deleted": "Deleted",
    # MovieStatusType (status and minimumAvailability)
    "tba": "To be announced",
    "announced": "Announced",
    "incinemas": "In cinemas",
    "released": "Released",
    "predb": "PreDB",
}

_WORD_BREAK = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def enum_label(value: object) -> str:
    """The words for an app enum value: "inCinemas" -> "In cinemas"; unknown values readable."""
    raw = str(value or "").strip()
    if not raw:
        return ""
    known = ENUM_LABELS.get(raw.lower())
    if known:
        return known
    # A value a newer app version added: split camelCase/snake_case into words.
    words = _WORD_BREAK.sub(" ", raw).replace("_", " ").lower()
    return words[:1].upper() + words[1:]


def names_kind(name: str, kind_label: str) -> bool:
    """Whether a name already says the kind ("Demo Radarr" names Radarr)."""
    return bool(kind_label) and kind_label.lower() in name.lower()
