"""What the content browser was asked for: its URL's parameters, checked, with a notice for each
one that could not be honoured.

Everything a list shows lives in the URL (GET), so a filtered, sorted page can
be shared and the back button returns to it. A value the browser does not know
(an unknown sort, a tampered cursor, a profile of another connector) never
fails the page: it falls back to the default and says so.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.http import QueryDict

from searchstate.item_states import MIRROR_REASONS, ItemState
from web.library import Filter, clean_query

SERIES = "series"
EPISODES = "episodes"
MOVIES = "movies"

#: Sort keys, their column heading, and the direction a first click sorts in.
SORTS: dict[str, tuple[str, str]] = {
    "title": ("Title", "asc"),
    "year": ("Year", "desc"),
    "state": ("State", "asc"),
    "last_searched": ("Last searched", "desc"),
    "attempts": ("Attempts", "desc"),
    "priority": ("Priority", "desc"),
    "added": ("Added", "desc"),
}
DIRECTIONS = ("asc", "desc")
STATE_CHOICES: tuple[tuple[str, str], ...] = tuple((s.value, s.label) for s in ItemState)
REASON_CHOICES = tuple((r.value, r.label) for r in MIRROR_REASONS)
MONITORED = {"": "Any", "yes": "Monitored", "no": "Not monitored"}


@dataclass
class BrowseQuery:
    """The checked parameters of one list request."""

    kind: str
    filter: str = Filter.ALL
    state: str = ""
    reason: str = ""
    monitored: str = ""
    profile: int | None = None
    query: str = ""
    sort: str = "title"
    direction: str = "asc"
    after: list[Any] | None = None
    before: list[Any] | None = None
    notices: list[str] = field(default_factory=list)

    @property
    def is_default_sort(self) -> bool:
        return self.sort == "title" and self.direction == "asc"


def _int(raw: str | None) -> int | None:
    try:
        return int(raw) if raw not in (None, "") else None
    except (TypeError, ValueError):
        return None


def parse(
    params: QueryDict, *, series_shape: bool, profile_ids: set[int], sort_types: dict[str, tuple]
) -> BrowseQuery:
    """The list request ``params`` asks for; ``sort_types`` gives each sort's cursor value types."""
    notices: list[str] = []
    kinds = (SERIES, EPISODES) if series_shape else (MOVIES,)
    kind = params.get("type") or kinds[0]
    if kind not in kinds:
        notices.append("Unknown content type: showing " + kinds[0] + ".")
        kind = kinds[0]
    filter_ = params.get("filter") or Filter.ALL
    if filter_ not in Filter.VALUES:
        notices.append("Unknown filter: showing all.")
        filter_ = Filter.ALL
    state = params.get("state") or ""
    if state and state not in ItemState.values:
        notices.append("Unknown search state: not filtered by state.")
        state = ""
    reason = params.get("reason") or ""
    if reason and (state != ItemState.NOT_ELIGIBLE or reason not in dict(REASON_CHOICES)):
        notices.append("Unknown reason: every reason shown.")
        reason = ""
    if kind == SERIES and state:
        kind = EPISODES  # a search state belongs to episodes, not to a series
    monitored = params.get("monitored") or ""
    if monitored not in MONITORED:
        notices.append("Unknown monitored choice: both shown.")
        monitored = ""
    profile = _int(params.get("profile"))
    if params.get("profile") and profile not in profile_ids:
        notices.append("Unknown quality profile for this connector: every profile shown.")
        profile = None
    sort = params.get("sort") or "title"
    if sort not in SORTS or (kind == SERIES and sort != "title"):
        notices.append("Unknown sort: sorted by title.")
        sort = "title"
    direction = params.get("dir") or SORTS[sort][1]
    if direction not in DIRECTIONS:
        notices.append("Unknown sort direction: " + SORTS[sort][1] + "ending.")
        direction = SORTS[sort][1]
    query = BrowseQuery(
        kind=kind,
        filter=filter_,
        state=state,
        reason=reason,
        monitored=monitored,
        profile=profile,
        query=clean_query(params.get("q")),
        sort=sort,
        direction=direction,
        notices=notices,
    )
    if kind != SERIES:
        for name in ("after", "before"):
            raw = params.get(name)
            if not raw:
                continue
            value = decode_cursor(raw, sort_types[sort])
            if value is None:
                notices.append("That page link is out of date or damaged: first page shown.")
                query.after = query.before = None
                break
            setattr(query, name, value)
    return query


# --- cursors ----------------------------------------------------------------------------------


def encode_cursor(values: list[Any]) -> str:
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    raw = json.dumps(plain, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str, types: tuple) -> list[Any] | None:
    """The sort key a cursor carries, checked against ``types`` (+ the id); None if tampered."""
    if len(token) > 2000:
        return None
    try:
        value = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    expected = (*types, int)
    if not isinstance(value, list) or len(value) != len(expected):
        return None
    out: list[Any] = []
    for item, kind in zip(value, expected, strict=True):
        if kind is datetime:
            if not isinstance(item, str):
                return None
            try:
                moment = datetime.fromisoformat(item)
            except ValueError:
                return None
            if moment.tzinfo is None:
                return None
            out.append(moment)
        elif kind is int:
            if not isinstance(item, int) or isinstance(item, bool) or abs(item) > 2**62:
                return None
            out.append(item)
        elif not isinstance(item, kind):
            return None
        else:
            out.append(item)
    return out


@dataclass(frozen=True)
class SortHeader:
    """One sortable column heading: where a click leads and what it announces."""

    key: str
    label: str
    next_direction: str
    aria_sort: str  # "ascending", "descending" or "none"


def sort_headers(query: BrowseQuery) -> dict[str, SortHeader]:
    headers = {}
    for key, (label, first) in SORTS.items():
        current = key == query.sort
        flip = "desc" if query.direction == "asc" else "asc"
        aria = ("ascending" if query.direction == "asc" else "descending") if current else "none"
        headers[key] = SortHeader(key, label, flip if current else first, aria)
    return headers


#: The URL parameters that select items (not their order or page): a bulk action re-reads them.
FILTER_PARAMS = ("type", "filter", "state", "reason", "monitored", "profile", "q")


def filter_params(query: BrowseQuery) -> dict[str, str]:
    """The query's filters as URL parameters (defaults left out), as :func:`parse` reads them."""
    values = {
        "type": query.kind,
        "filter": "" if query.filter == Filter.ALL else query.filter,
        "state": query.state,
        "reason": query.reason,
        "monitored": query.monitored,
        "profile": "" if query.profile is None else str(query.profile),
        "q": query.query,
    }
    return {k: v for k, v in values.items() if v}
