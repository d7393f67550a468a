"""Turn a batch's events into one message: a single event through its template, several as a digest.

Digests combine events of the same type: "Found 15 missing episodes across 3
series", "12 items grabbed on Sonarr (Main): The Expanse S02 (8 episodes),
Dune (2021), ... and 9 more", each with a link to the filtered page.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from notifications import catalog
from notifications.catalog import SEVERITY_RANK, Severity
from notifications.templating import template_render

#: Titles named in a digest line before "... and M more".
DIGEST_TITLES = 5
#: Lines of one type in a digest before "... and M more".
DIGEST_LINES = 5
_EPISODE = re.compile(r"^(?P<series>.+?) S(?P<season>\d{2,})E\d{2,}\b")


@dataclass(frozen=True)
class Message:
    title: str
    body: str
    severity: str

    @property
    def notify_type(self) -> str:
        """apprise's NotifyType value."""
        return {"error": "failure", "warning": "warning"}.get(self.severity, "info")


def absolute_url(path: str, *, public_url: str = "") -> str:
    """``path`` (already under BASE_URL, from reverse()) on the public address of Comradarr.

    Only the scheme and host of the public URL are used: the path prefix is
    BASE_URL's, which reverse() has put in ``path`` already.
    """
    if not path:
        return ""
    parts = urlsplit(public_url.strip())
    if parts.scheme in ("http", "https") and parts.netloc:
        origin = f"{parts.scheme}://{parts.netloc}"
    else:
        host = settings.HOST if settings.HOST not in ("0.0.0.0", "::", "") else "localhost"  # noqa: S104
        origin = f"http://{host}:{settings.PORT}"
    return origin + path


def event_context(event, *, public_url: str = "") -> dict[str, str]:
    data = event.data or {}
    titles = data.get("titles") or []
    return {
        "content_title": ", ".join(group_titles(titles)) if titles else data.get("title", ""),
        "content_year": str(data.get("year") or ""),
        "connector_name": event.connector_name or "all connectors",
        "connector_type": event.connector_type,
        "event_type": catalog.label(event.event_type),
        "timestamp": timezone.localtime(event.occurred_at).strftime("%Y-%m-%d %H:%M"),
        "statistics": data.get("statistics", ""),
        "url": absolute_url(data.get("path", ""), public_url=public_url),
        "count": str(data.get("count", len(titles) or 1)),
    }


def group_titles(titles: Iterable[str]) -> list[str]:
    """Episodes of one season folded: "The Expanse S02 (8 episodes)"; order of first sight."""
    groups: dict[str, list[str]] = {}
    for title in titles:
        match = _EPISODE.match(title)
        key = f"{match['series']} S{match['season']}" if match else title
        groups.setdefault(key, []).append(title)
    out = []
    for key, members in groups.items():
        out.append(f"{key} ({len(members)} episodes)" if len(members) > 1 else members[0])
    return out


def _with_more(items: list[str], limit: int) -> str:
    shown = ", ".join(items[:limit])
    more = len(items) - limit
    return f"{shown}, ... and {more} more" if more > 0 else shown


def _items_line(events: list, verb: str, public_url: str) -> str:
    titles = [t for event in events for t in (event.data or {}).get("titles", [])]
    count = sum(int((event.data or {}).get("count", 0)) for event in events) or len(titles)
    name = events[0].connector_name or "all connectors"
    line = f"{count} items {verb} on {name}: {_with_more(group_titles(titles), DIGEST_TITLES)}"
    link = absolute_url((events[0].data or {}).get("list_path", ""), public_url=public_url)
    return f"{line} {link}".strip()


def sweep_summary(*, episodes: int, series: int, movies: int) -> str:
    """ "Found 15 missing episodes across 3 series" (and/or "N missing movies")."""
    parts = []
    if episodes:
        parts.append(f"{episodes} missing episodes across {series} series")
    if movies:
        parts.append(f"{movies} missing movies")
    return "Found " + " and ".join(parts) if parts else "Found nothing new to search"


def _sweep_line(events: list, public_url: str) -> str:
    totals: dict[str, int] = defaultdict(int)
    for event in events:
        for key in ("episodes", "series", "movies", "queued"):
            totals[key] += int((event.data or {}).get(key, 0))
    found = sweep_summary(
        episodes=totals["episodes"], series=totals["series"], movies=totals["movies"]
    )
    name = events[0].connector_name
    link = absolute_url((events[0].data or {}).get("list_path", ""), public_url=public_url)
    return f"{found} on {name} ({len(events)} sweeps, {totals['queued']} queued). {link}".strip()


def _group_lines(
    event_type: str, events: list, channel_templates: dict, public_url: str
) -> list[str]:
    if len(events) == 1:
        template = channel_templates.get(event_type) or catalog.BY_KEY[event_type].template
        return [template_render(template, event_context(events[0], public_url=public_url))]
    by_connector: dict[str, list] = defaultdict(list)
    for event in events:
        by_connector[event.connector_name].append(event)
    if event_type in ("search_succeeded", "item_imported"):
        verb = "grabbed" if event_type == "search_succeeded" else "imported"
        return [_items_line(group, verb, public_url) for group in by_connector.values()]
    if event_type == "sweep_completed":
        return [_sweep_line(group, public_url) for group in by_connector.values()]
    template = channel_templates.get(event_type) or catalog.BY_KEY[event_type].template
    lines = [template_render(template, event_context(e, public_url=public_url)) for e in events]
    if len(lines) > DIGEST_LINES:
        lines = [*lines[:DIGEST_LINES], f"... and {len(lines) - DIGEST_LINES} more"]
    return lines


def build_message(events: list, *, templates: dict | None = None, public_url: str = "") -> Message:
    """One message for ``events`` (oldest first), grouped by type in catalog order."""
    templates = templates or {}
    by_type: dict[str, list] = defaultdict(list)
    for event in events:
        if event.event_type in catalog.BY_KEY:
            by_type[event.event_type].append(event)
    severity = max(
        (e.severity for e in events), key=lambda s: SEVERITY_RANK.get(s, 0), default=Severity.INFO
    )
    order = [t.key for t in catalog.EVENT_TYPES if t.key in by_type]
    sections = []
    for key in order:
        lines = "\n".join(_group_lines(key, by_type[key], templates, public_url))
        # Several types: each under its own heading; one type needs none (the title says it).
        heading = f"{catalog.label(key)} ({len(by_type[key])})\n" if len(order) > 1 else ""
        sections.append(heading + lines)
    if len(events) == 1:
        event = events[0]
        suffix = f": {event.connector_name}" if event.connector_name else ""
        title = f"{catalog.label(event.event_type)}{suffix}"
    elif len(order) == 1:
        title = f"{catalog.label(order[0])} ({len(events)})"
    else:
        title = f"Comradarr: {len(events)} events"
    return Message(title=title[:250], body="\n\n".join(sections), severity=severity)
