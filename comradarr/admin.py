"""Django admin for the project app: application settings and sign-in lockouts.

The admin shares the app's sign-in: its login page redirects to ours (with
`next`), so the lockout and the authentication modes apply to it as well.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from comradarr.accounts import services
from comradarr.models import AppSettings, FailedLogin, LoginLockout


def _admin_login(request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"), reverse("login"))


admin.site.login = _admin_login
admin.site.site_header = "Comradarr administration"
admin.site.site_title = "Comradarr admin"


@admin.register(AppSettings)
class AppSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "auth_mode", "log_level", "updated_at"]
    readonly_fields = ["created_at", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # One row, created by AppSettings.load(); the list page opens it directly.
        return False

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        row = AppSettings.load()
        return redirect(reverse("admin:comradarr_appsettings_change", args=[row.pk]))

    def has_delete_permission(self, request: HttpRequest, obj: AppSettings | None = None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        # Through the service, so the log level applies in this process at once.
        services.app_settings_update(auth_mode=obj.auth_mode, log_level=obj.log_level)


@admin.register(FailedLogin)
class FailedLoginAdmin(admin.ModelAdmin):
    list_display = ["attempted_at", "username", "client_ip"]
    list_filter = ["attempted_at"]
    search_fields = ["username", "client_ip"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: FailedLogin | None = None) -> bool:
        return False


@admin.register(LoginLockout)
class LoginLockoutAdmin(admin.ModelAdmin):
    """Deleting a lock here unlocks the username or address at once."""

    list_display = ["scope", "key", "locked_until", "created_at"]
    list_filter = ["scope"]
    search_fields = ["key"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: LoginLockout | None = None) -> bool:
        return False
