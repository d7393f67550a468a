"""Queue, schedule and throttle profile pages, mounted at /queue/ by comradarr.urls."""

from django.urls import path

from queueing import indexer_views
from queueing.views import profile_pages, queue_pages, schedule_pages

app_name = "queueing"

urlpatterns = [
    path("", queue_pages.queue, name="queue"),
    path("status/", queue_pages.queue_status, name="queue_status"),
    path("pause/", queue_pages.queue_pause, name="queue_pause"),
    path("resume/", queue_pages.queue_resume, name="queue_resume"),
    path("clear/", queue_pages.queue_clear, name="queue_clear"),
    path("entries/<int:pk>/", queue_pages.entry_detail, name="entry_detail"),
    path("entries/<int:pk>/priority/", queue_pages.entry_priority, name="entry_priority"),
    path("entries/<int:pk>/remove/", queue_pages.entry_remove, name="entry_remove"),
    path("schedules/", schedule_pages.schedules, name="schedules"),
    path("schedules/add/", schedule_pages.schedule_add, name="schedule_add"),
    path("schedules/preview/", schedule_pages.cron_preview, name="schedule_preview"),
    path("schedules/<int:pk>/", schedule_pages.schedule_edit, name="schedule_edit"),
    path("schedules/<int:pk>/delete/", schedule_pages.schedule_delete, name="schedule_delete"),
    path("schedules/<int:pk>/toggle/", schedule_pages.schedule_toggle, name="schedule_toggle"),
    path("profiles/", profile_pages.profiles, name="profiles"),
    path("profiles/add/", profile_pages.profile_add, name="profile_add"),
    path("profiles/budget/", profile_pages.global_budget, name="profile_budget"),
    path("profiles/<int:pk>/", profile_pages.profile_edit, name="profile_edit"),
    path("profiles/<int:pk>/delete/", profile_pages.profile_delete, name="profile_delete"),
    path("profiles/<int:pk>/default/", profile_pages.profile_default, name="profile_default"),
    path(
        "profiles/connectors/<int:connector_pk>/",
        profile_pages.profile_assign,
        name="profile_assign",
    ),
    path(
        "indexers/connectors/<int:connector_pk>/",
        indexer_views.indexer_link,
        name="indexer_link",
    ),
]
