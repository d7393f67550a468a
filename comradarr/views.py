"""Pages of the project shell."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from comradarr.dashboard import (
    attach_response_times,
    dashboard_new_connectors,
    dashboard_overview,
    dashboard_summary,
)


def _url_or_none(name: str) -> str | None:
    """A link only to pages that exist (the connectors pages may not yet)."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    summary = dashboard_summary()
    overview = None if summary.is_empty else dashboard_overview()
    attach_response_times(summary.connectors, overview)
    context = {
        "page_title": "Dashboard",
        "summary": summary,
        "overview": overview,
        "new_connectors": [] if summary.is_empty else dashboard_new_connectors(),
        "add_connector_url": _url_or_none("connectors:add"),
        "connectors_url": _url_or_none("connectors:list"),
        "analytics_url": _url_or_none("analytics:overview"),
        "schedules_url": _url_or_none("queueing:schedules"),
    }
    return render(request, "dashboard.html", context)


@login_required
def memory(request: HttpRequest) -> HttpResponse:
    """The install's processes with their RSS and PSS, as `manage.py footprint` prints them."""
    from comradarr import footprint

    result = footprint.install_footprint(footprint.settings_cluster_dir())
    rows = [
        {
            "pid": row.pid,
            "role": row.role,
            "rss": footprint.megabytes(row.rss),
            "pss": footprint.megabytes(row.pss),
        }
        for row in result.processes
    ]
    context = {
        "page_title": "Memory",
        "rows": rows,
        "rss_total": footprint.megabytes(result.rss_total),
        "pss_total": footprint.megabytes(result.pss_total),
        "pss_complete": result.pss_complete,
    }
    return render(request, "about/memory.html", context)
