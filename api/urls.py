"""/api/v1: the public JSON API. Stable: later versions only add."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularJSONAPIView

from api import actions, analytics, docs, items, library, runs, views

app_name = "api"

urlpatterns = [
    path("v1/status", views.StatusView.as_view(), name="status"),
    path("v1/connectors", views.ConnectorListView.as_view(), name="connectors"),
    path("v1/connectors/<int:pk>", views.ConnectorDetailView.as_view(), name="connector"),
    path("v1/connectors/<int:pk>/sync", views.ConnectorSyncView.as_view(), name="connector_sync"),
    path("v1/connectors/<int:pk>/sweep", actions.SweepView.as_view(), name="connector_sweep"),
    path(
        "v1/connectors/<int:pk>/enable",
        actions.ConnectorEnableView.as_view(),
        name="connector_enable",
    ),
    path(
        "v1/connectors/<int:pk>/disable",
        actions.ConnectorDisableView.as_view(),
        name="connector_disable",
    ),
    path("v1/connectors/<int:pk>/library", library.LibraryView.as_view(), name="library"),
    path("v1/queue", views.QueueListView.as_view(), name="queue"),
    path("v1/queue/pause", views.QueuePauseView.as_view(), name="queue_pause"),
    path("v1/queue/resume", views.QueueResumeView.as_view(), name="queue_resume"),
    path("v1/queue/clear", actions.QueueClearView.as_view(), name="queue_clear"),
    path("v1/history", views.HistoryListView.as_view(), name="history"),
    path("v1/items/search", actions.SearchNowView.as_view(), name="search_now"),
    path("v1/items/<str:kind>/<int:pk>", items.ItemView.as_view(), name="item"),
    path(
        "v1/items/<str:kind>/<int:pk>/action", actions.ItemActionView.as_view(), name="item_action"
    ),
    path("v1/sweeps", runs.SweepRunListView.as_view(), name="sweeps"),
    path("v1/syncs", runs.SyncRunListView.as_view(), name="syncs"),
    path("v1/schedules", runs.ScheduleListView.as_view(), name="schedules"),
    path(
        "v1/schedules/<int:pk>/enable", actions.ScheduleEnableView.as_view(), name="schedule_enable"
    ),
    path(
        "v1/schedules/<int:pk>/disable",
        actions.ScheduleDisableView.as_view(),
        name="schedule_disable",
    ),
    path("v1/throttle-profiles", runs.ThrottleProfileListView.as_view(), name="throttle_profiles"),
    path(
        "v1/analytics/summary", analytics.AnalyticsSummaryView.as_view(), name="analytics_summary"
    ),
    path("v1/analytics/series", analytics.AnalyticsSeriesView.as_view(), name="analytics_series"),
    path("v1/schema/", SpectacularJSONAPIView.as_view(), name="schema"),
    path("v1/docs/", docs.ApiDocsView.as_view(), name="docs"),
    re_path(r"^(?P<rest>.*)$", views.NotFoundView.as_view(), name="not_found"),
]
