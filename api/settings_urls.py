from django.urls import path

from api import settings_views

app_name = "apikeys"

urlpatterns = [
    path("", settings_views.index, name="index"),
    path("<int:pk>/revoke", settings_views.revoke, name="revoke"),
]
