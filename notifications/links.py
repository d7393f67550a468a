"""The pages a message links to, in one place: paths under BASE_URL (messages.absolute_url
puts the public address in front). A page that is not mounted gives no link."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse


def page(name: str, *args, query: str = "") -> str:
    try:
        return reverse(name, args=args) + (f"?{query}" if query else "")
    except NoReverseMatch:
        return ""


def library(connector, *, missing: bool = False) -> str:
    """The library page filtered to a connector (and to missing items)."""
    if connector is None:
        return ""
    query = f"connector={connector.pk}" + ("&filter=missing" if missing else "")
    return page("library:list", query=query)


def connector_page(connector) -> str:
    return page("connectors:detail", connector.pk) if connector is not None else ""


def queue() -> str:
    return page("queueing:queue")


def dashboard() -> str:
    return page("dashboard")


def delivery_log() -> str:
    return page("notifications:log")


def about() -> str:
    return page("settings_about")


def backups() -> str:
    return page("backups:index")
