"""Sign-in, sign-out and the general settings page."""

from django.urls import path

from comradarr.accounts import security_views, views

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("settings/", views.settings_view, name="settings"),
    path("settings/security/", security_views.security_view, name="settings_security"),
    path(
        "settings/security/password/",
        security_views.password_view,
        name="settings_security_password",
    ),
    path(
        "settings/security/sessions/<int:pk>/revoke/",
        security_views.revoke_view,
        name="settings_security_revoke",
    ),
    path(
        "settings/security/sessions/revoke-others/",
        security_views.revoke_others_view,
        name="settings_security_revoke_others",
    ),
]
