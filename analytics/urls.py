from django.urls import path

from analytics import views

app_name = "analytics"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("feed/", views.feed, name="feed"),
    path("data/<slug:name>/", views.data, name="data"),
    path("table/<slug:name>/", views.table, name="table"),
    path("export/<slug:name>.csv", views.export_csv, name="export"),
]
