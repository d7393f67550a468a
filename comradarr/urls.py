"""URL configuration.

Every route is mounted under BASE_URL, so behind a reverse proxy at
/comradarr/ the proxy passes paths through unchanged (as the *arr apps'
URL base works) and reverse() produces prefixed URLs.
"""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from api.metrics import MetricsView
from comradarr import health, settings_search, views
from comradarr.settings_pages import views as settings_views

app_patterns = [
    path("", views.dashboard, name="dashboard"),
    path("health", health.health, name="health"),
    path("about/memory/", views.memory, name="memory"),
    path("settings/database/", settings_views.database, name="settings_database"),
    path(
        "settings/database/maintenance/",
        settings_views.maintenance_start,
        name="settings_maintenance_start",
    ),
    path(
        "settings/database/maintenance/status/",
        settings_views.maintenance_status,
        name="settings_maintenance_status",
    ),
    path("settings/about/", settings_views.about, name="settings_about"),
    path(
        "settings/about/check-updates/",
        settings_views.update_check_now,
        name="settings_update_check",
    ),
    path("metrics", MetricsView.as_view(), name="metrics"),
    path("", include("comradarr.accounts.urls")),
    path("admin/", admin.site.urls),
    path("content/", include("content.urls")),
    path("library/", include("web.urls")),
    path("setup/", include("web.setup_urls")),
    path("webhooks/", include("content.webhook_urls")),
    path("connectors/", include("connectors.urls")),
    path("queue/", include("queueing.urls")),
    path("settings/search/", settings_search.search_settings, name="settings_search"),
    path(
        "settings/search/connectors/<int:pk>/",
        settings_search.connector_search_settings,
        name="settings_search_connector",
    ),
    path(
        "settings/search/preview/",
        settings_search.ranking_preview_partial,
        name="settings_search_preview",
    ),
    path("settings/notifications/", include("notifications.urls")),
    path("analytics/", include("analytics.urls")),
    path("settings/api-keys/", include("api.settings_urls")),
    path("settings/logs/", include("comradarr.logbook.urls")),
    path("settings/backups/", include("backups.urls")),
    path("api/", include("api.urls")),
]

urlpatterns = [path(settings.BASE_URL.lstrip("/"), include(app_patterns))]
