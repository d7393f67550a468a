"""The project's routes mounted under /comradarr/, as BASE_URL=/comradarr/ does."""

from django.urls import include, path

from comradarr.urls import app_patterns

urlpatterns = [path("comradarr/", include(app_patterns))]
