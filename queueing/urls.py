"""Queue, schedule and throttle profile pages, mounted at /queue/ by comradarr.urls."""

from django.urls import path

from queueing import indexer_views, views

app_name = "queueing"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("status/", views.queue_status, name="queue_status"),
    path("pause/", views.queue_pause, name="queue_pause"),
    path("resume/", views.queue_resume, name="queue_resume"),
    path("clear/", views.queue_clear, name="queue_clear"),
    path("entries/<int:pk>/", views.entry_detail, name="entry_detail"),
    path("entries/<int:pk>/priority/", views.entry_priority, name="entry_priority"),
    path("entries/<int:pk>/remove/", views.entry_remove, name="entry_remove"),
    path("schedules/", views.schedules, name="schedules"),
    path("schedules/add/", views.schedule_add, name="schedule_add"),
    path("schedules/preview/", views.cron_preview, name="schedule_preview"),
    path("schedules/<int:pk>/", views.schedule_edit, name="schedule_edit"),
    path("schedules/<int:pk>/delete/", views.schedule_delete, name="schedule_delete"),
    path("schedules/<int:pk>/toggle/", views.schedule_toggle, name="schedule_toggle"),
    path("profiles/", views.profiles, name="profiles"),
    path("profiles/add/", views.profile_add, name="profile_add"),
    path("profiles/budget/", views.global_budget, name="profile_budget"),
    path("profiles/<int:pk>/", views.profile_edit, name="profile_edit"),
    path("profiles/<int:pk>/delete/", views.profile_delete, name="profile_delete"),
    path("profiles/<int:pk>/default/", views.profile_default, name="profile_default"),
    path("profiles/connectors/<int:connector_pk>/", views.profile_assign, name="profile_assign"),
    path(
        "indexers/connectors/<int:connector_pk>/",
        indexer_views.indexer_link,
        name="indexer_link",
    ),
]
