"""Pages of the project shell."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from comradarr.dashboard import dashboard_overview, dashboard_summary


def _url_or_none(name: str) -> str | None:
    """A link only to pages that exist (the connectors pages may not yet)."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    summary = dashboard_summary()
    context = {
        "page_title": "Dashboard",
        "summary": summary,
        "overview": None if summary.is_empty else dashboard_overview(),
        "add_connector_url": _url_or_none("connectors:add"),
        "connectors_url": _url_or_none("connectors:list"),
        "analytics_url": _url_or_none("analytics:overview"),
        "schedules_url": _url_or_none("queueing:schedules"),
    }
    return render(request, "dashboard.html", context)
