"""Sign-in, sign-out and the general settings page."""

from django.urls import path

from comradarr.accounts import views

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("settings/", views.settings_view, name="settings"),
]
