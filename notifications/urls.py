"""Settings > Notifications pages."""

from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.index, name="index"),
    path("channels/add/", views.channel_add, name="add"),
    path("channels/<int:pk>/", views.channel_edit, name="edit"),
    path("channels/<int:pk>/delete/", views.channel_delete, name="delete"),
    path("channels/<int:pk>/test/", views.channel_test, name="test"),
    path("channels/<int:pk>/templates/", views.channel_templates, name="templates"),
    path("templates/preview/", views.template_preview, name="preview"),
    path("log/", views.delivery_log, name="log"),
]
