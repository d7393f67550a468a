"""Analytics pages: the dashboard's live feed, the analytics page, its data and CSV export."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from analytics.feed import activity_feed


@login_required
@require_GET
def feed(request: HttpRequest) -> HttpResponse:
    """The activity feed fragment the dashboard polls."""
    return render(request, "analytics/_feed.html", {"feed": activity_feed()})
