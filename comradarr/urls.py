"""URL configuration.

Every route is mounted under BASE_URL, so behind a reverse proxy at
/comradarr/ the proxy passes paths through unchanged (as the *arr apps'
URL base works) and reverse() produces prefixed URLs.
"""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from api.metrics import MetricsView
from comradarr import health, views

app_patterns = [
    path("", views.dashboard, name="dashboard"),
    path("health", health.health, name="health"),
    path("about/memory/", views.memory, name="memory"),
    path("metrics", MetricsView.as_view(), name="metrics"),
    path("", include("comradarr.accounts.urls")),
    path("admin/", admin.site.urls),
    path("content/", include("content.urls")),
    path("library/", include("web.urls")),
    path("setup/", include("web.setup_urls")),
    path("webhooks/", include("content.webhook_urls")),
    path("connectors/", include("connectors.urls")),
    path("queue/", include("queueing.urls")),
    path("settings/notifications/", include("notifications.urls")),
    path("analytics/", include("analytics.urls")),
    path("settings/api-keys/", include("api.settings_urls")),
    path("api/", include("api.urls")),
]

urlpatterns = [path(settings.BASE_URL.lstrip("/"), include(app_patterns))]
