from django.urls import path

from backups import restore_views, views

app_name = "backups"

urlpatterns = [
    path("", views.index, name="index"),
    path("create", views.create, name="create"),
    path("runs/<str:token>", views.run_status, name="run"),
    path("files/<str:name>/download", views.download, name="download"),
    path("files/<str:name>/delete", views.delete, name="delete"),
    path("files/<str:name>/restore", restore_views.confirm_stored, name="confirm_stored"),
    path("upload", restore_views.upload, name="upload"),
    path("restore", restore_views.restore, name="restore"),
    path("config/export", views.config_export, name="config_export"),
    path("config/import", restore_views.config_import, name="config_import"),
]
