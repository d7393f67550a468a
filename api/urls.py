"""/api/v1: the public JSON API. Stable: later versions only add."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularJSONAPIView

from api import items, library, runs, views

app_name = "api"

urlpatterns = [
    path("v1/status", views.StatusView.as_view(), name="status"),
    path("v1/connectors", views.ConnectorListView.as_view(), name="connectors"),
    path("v1/connectors/<int:pk>", views.ConnectorDetailView.as_view(), name="connector"),
    path("v1/connectors/<int:pk>/sync", views.ConnectorSyncView.as_view(), name="connector_sync"),
    path("v1/connectors/<int:pk>/library", library.LibraryView.as_view(), name="library"),
    path("v1/queue", views.QueueListView.as_view(), name="queue"),
    path("v1/queue/pause", views.QueuePauseView.as_view(), name="queue_pause"),
    path("v1/queue/resume", views.QueueResumeView.as_view(), name="queue_resume"),
    path("v1/history", views.HistoryListView.as_view(), name="history"),
    path("v1/items/<str:kind>/<int:pk>", items.ItemView.as_view(), name="item"),
    path("v1/sweeps", runs.SweepRunListView.as_view(), name="sweeps"),
    path("v1/syncs", runs.SyncRunListView.as_view(), name="syncs"),
    path("v1/schedules", runs.ScheduleListView.as_view(), name="schedules"),
    path("v1/throttle-profiles", runs.ThrottleProfileListView.as_view(), name="throttle_profiles"),
    path("v1/schema/", SpectacularJSONAPIView.as_view(), name="schema"),
    re_path(r"^(?P<rest>.*)$", views.NotFoundView.as_view(), name="not_found"),
]
