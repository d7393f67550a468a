"""Connector pages, mounted at /connectors/ by comradarr.urls."""

from django.urls import path

from connectors import views

app_name = "connectors"

urlpatterns = [
    path("", views.connector_list, name="list"),
    path("add/", views.connector_add, name="add"),
    path("<int:pk>/", views.connector_detail, name="detail"),
    path("<int:pk>/edit/", views.connector_edit, name="edit"),
    path("<int:pk>/delete/", views.connector_delete, name="delete"),
    path("<int:pk>/test/", views.connector_test, name="test"),
    path("<int:pk>/toggle/", views.connector_toggle, name="toggle"),
]
