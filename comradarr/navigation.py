"""The sidebar: one list of entries, filtered to the pages that exist.

Later issues add pages (content, queue, schedules, analytics). Their entries
are listed here already; an entry whose URL name does not resolve yet is left
out, so the sidebar never links to a page that is missing. To add a page, give
it the URL name below (or edit the entry) - nothing else changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavEntry:
    """One sidebar entry.

    `url_name` is what gets reversed. The entry is highlighted when the current
    view's name equals it or starts with one of `active_prefixes`; a namespaced
    name ("connectors:list") highlights for the whole namespace by default, so
    "connectors:add" and "connectors:detail" light up Connectors too.

    With `owns_subpaths`, every page whose path lies under the entry's own URL
    belongs to it as well, whatever app serves it: Settings sub-pages come from
    several apps (notifications, API keys, backups, logs) and all live under
    /settings/, so a new one lights up Settings without an edit here.
    """

    label: str
    url_name: str
    icon: str  # a name known to templates/partials/icon.html
    active_prefixes: tuple[str, ...] = ()
    owns_subpaths: bool = False

    def prefixes(self) -> tuple[str, ...]:
        if self.active_prefixes:
            return self.active_prefixes
        namespace, sep, _ = self.url_name.rpartition(":")
        return (f"{namespace}:",) if sep else ()


@dataclass(frozen=True)
class NavItem:
    """A resolved entry, ready for the template."""

    label: str
    url: str
    icon: str
    active: bool


NAV_ENTRIES: tuple[NavEntry, ...] = (
    NavEntry("Dashboard", "dashboard", "dashboard"),
    NavEntry("Connectors", "connectors:list", "connectors"),
    NavEntry("Content", "library:list", "content"),
    # Throttle profiles pace the dispatcher: they belong to Queue (its tab strip), never Settings.
    NavEntry(
        "Queue", "queueing:queue", "queue", ("queueing:queue", "queueing:profile", "queueing:entry")
    ),
    NavEntry("Schedules", "queueing:schedules", "schedules", ("queueing:schedule",)),
    NavEntry("Analytics", "analytics:overview", "analytics", ("analytics:",)),
    # The memory page is reached from Settings > General, though it lives under /about/.
    NavEntry("Settings", "settings", "settings", ("settings", "memory"), owns_subpaths=True),
)


def _current_view_name(request: HttpRequest | None) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else ""


def _is_active(entry: NavEntry, view_name: str, url: str, path: str) -> bool:
    if not view_name:
        return False
    if view_name == entry.url_name:
        return True
    if entry.owns_subpaths and url.endswith("/") and path.startswith(url):
        return True
    return any(view_name.startswith(prefix) for prefix in entry.prefixes())


def nav_items(
    *, request: HttpRequest | None, entries: tuple[NavEntry, ...] = NAV_ENTRIES
) -> list[NavItem]:
    """The entries whose pages exist, with the current one marked active."""
    view_name = _current_view_name(request)
    path = getattr(request, "path", "")
    items = []
    for entry in entries:
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        items.append(NavItem(entry.label, url, entry.icon, _is_active(entry, view_name, url, path)))
    return items
