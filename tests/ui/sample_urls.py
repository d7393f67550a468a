"""A URL configuration with a known set of pages, for the shell's tests.

The real one grows as other issues add pages; these tests need some sidebar
pages to exist (connectors, settings) and others not to (content, queue...).
"""

from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import include, path

from analytics import views as analytics_views
from comradarr import views


@login_required
def sample_page(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    return render(request, "base.html", {"page_title": "Sample page"})


@login_required
def messages_page(request: HttpRequest) -> HttpResponse:
    messages.success(request, "Connector saved.")
    messages.error(request, "Sonarr <b>refused</b> the API key.")
    return render(request, "base.html", {"page_title": "Messages"})


connector_patterns = (
    [
        path("", sample_page, name="list"),
        path("add/", sample_page, name="add"),
        path("<int:pk>/", sample_page, name="detail"),
        path("<int:pk>/edit/", sample_page, name="edit"),
        path("<int:pk>/test/", sample_page, name="test"),
    ],
    "connectors",
)
# The dashboard polls its activity feed; the analytics page itself stays absent.
analytics_patterns = ([path("feed/", analytics_views.feed, name="feed")], "analytics")

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("", include("comradarr.accounts.urls")),
    path("admin/", admin.site.urls),
    path("connectors/", include(connector_patterns)),
    path("analytics/", include(analytics_patterns)),
    path("settings/", sample_page, name="settings"),
    path("messages/", messages_page, name="sample-messages"),
]
