"""The account in the Django admin: no new accounts, no password change without the current one.

Django's stock UserAdmin lets a signed-in user (and, in local-bypass or
disabled mode, anyone it lets in) set any account's password without knowing
the current one, and add more superusers. Comradarr has one account (created
by `ensure_admin`), so here:
- no account can be added or deleted from the admin;
- the per-user "change password" page sends to the admin's own password-change
  page, which asks for the current password (failures count towards the
  sign-in lockout, so it is no password oracle).
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.forms import AdminPasswordChangeForm
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.views import PasswordChangeView
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters

from comradarr.accounts import services


def current_password_form(request: HttpRequest) -> type[AdminPasswordChangeForm]:
    """Django's form (old password, new twice), checking the old one under the lockout."""

    class CurrentPasswordChangeForm(AdminPasswordChangeForm):
        def clean_old_password(self) -> str:
            password = self.cleaned_data["old_password"]
            error = services.confirm_password(request=request, user=self.user, password=password)
            if error:
                raise ValidationError(error, code="password_incorrect")
            return password

    return CurrentPasswordChangeForm


def make_password_change_view(site: admin.AdminSite):
    @sensitive_post_parameters("old_password", "new_password1", "new_password2")
    def password_change(request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        request.current_app = site.name
        view = PasswordChangeView.as_view(
            form_class=current_password_form(request),
            success_url=reverse("admin:password_change_done", current_app=site.name),
            extra_context={**site.each_context(request), **(extra_context or {})},
        )
        return view(request)

    return password_change


class SingleAccountUserAdmin(UserAdmin):
    """The one account: its details are editable, its password only with the current one."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = ""):
        user = self.get_object(request, id)
        if user is None or user.pk != request.user.pk:
            # Another account's password could only be set without knowing it.
            raise PermissionDenied
        return redirect(reverse("admin:password_change", current_app=self.admin_site.name))


def register_user_admin(site: admin.AdminSite) -> None:
    """Swap Django's UserAdmin for ours and the site's password change for the locked one."""
    User = get_user_model()
    if site.is_registered(User):
        site.unregister(User)
    site.register(User, SingleAccountUserAdmin)
    site.password_change = make_password_change_view(site)
