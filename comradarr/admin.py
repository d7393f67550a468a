"""Django admin for the project app: application settings, the account and sign-in lockouts.

The admin shares the app's sign-in: its login page redirects to ours (with
`next`), so the lockout and the authentication modes apply to it as well.

Two things it must never offer (issue 9, point 1):
- django-q2's own admin pages. Its Schedule admin takes a dotted path to any
  Python callable plus arguments (`os.system`, "rm -rf ~") and its workers run
  it as the service user: remote code execution for anyone who reaches the
  admin. Every django-q2 model is unregistered here; Comradarr's schedules are
  reconciled from code (`manage.py setup_schedules`) and edited on the
  schedules page, which only ever names jobs from a fixed list.
- A password change, or an auth-mode change that opens the app, without the
  current password (comradarr.accounts.admin_user).
"""

from __future__ import annotations

import django_q.admin  # noqa: F401 - its registrations must have run before we undo them
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_q import models as django_q_models

from comradarr.accounts import services
from comradarr.accounts.admin_user import register_user_admin
from comradarr.models import AppSettings, FailedLogin, LoginLockout, MaintenanceRun

for _model in (
    django_q_models.Schedule,
    django_q_models.Task,
    django_q_models.Success,
    django_q_models.Failure,
    django_q_models.OrmQ,
):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)

register_user_admin(admin.site)


def _admin_login(request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"), reverse("login"))


admin.site.login = _admin_login
admin.site.site_header = "Comradarr administration"
admin.site.site_title = "Comradarr admin"


@admin.register(AppSettings)
class AppSettingsAdmin(admin.ModelAdmin):
    """The log level only: the auth mode changes on the settings page, which asks
    for the current password before opening the app and says what each mode opens."""

    list_display = ["__str__", "auth_mode", "log_level", "updated_at"]
    fields = ["auth_mode", "log_level", "created_at", "updated_at"]
    readonly_fields = ["auth_mode", "created_at", "updated_at"]

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
        # auth_mode is read-only here: the stored value goes back unchanged.
        current = AppSettings.load()
        services.app_settings_update(auth_mode=current.auth_mode, log_level=obj.log_level)


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
    """Deleting a lock here unlocks the pair, address or username at once
    (`manage.py lockouts clear` also forgets the failures that caused it)."""

    list_display = ["scope", "key", "locked_until", "created_at"]
    list_filter = ["scope"]
    search_fields = ["key"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: LoginLockout | None = None) -> bool:
        return False


@admin.register(MaintenanceRun)
class MaintenanceRunAdmin(admin.ModelAdmin):
    """Read-only: runs write their own rows (queueing.maintenance_runs)."""

    list_display = ["started_at", "kind", "trigger", "status", "finished_at", "error"]
    list_filter = ["status", "kind", "trigger"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: MaintenanceRun | None = None):
        return False
