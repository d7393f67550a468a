"""The first-run wizard, mounted at /setup/ by comradarr.urls (sign-in lands on setup:start)."""

from django.urls import path

from web import setup_views

app_name = "setup"

urlpatterns = [
    path("", setup_views.resume, name="resume"),
    path("start/", setup_views.start, name="start"),
    path("skip/", setup_views.skip, name="skip"),
    path("1/", setup_views.connector, name="connector"),
    path("2/", setup_views.pace, name="pace"),
    path("3/", setup_views.schedules, name="schedules"),
    path("4/", setup_views.sync, name="sync"),
    path("4/progress/", setup_views.sync_progress, name="sync_progress"),
]
