"""Content pages, mounted at /content/ by comradarr.urls."""

from django.urls import path

from content import views

app_name = "content"

urlpatterns = [
    path("connectors/<int:pk>/sync/", views.sync_now, name="sync_now"),
    path("connectors/<int:pk>/sync/status/", views.sync_status, name="sync_status"),
    path("connectors/<int:pk>/webhook/rotate/", views.webhook_rotate, name="webhook_rotate"),
]
