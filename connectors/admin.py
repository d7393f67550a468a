"""Django admin for connectors: the API key is write-only and shown masked."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from connectors import services
from connectors.common import urls
from connectors.models import Connector, ConnectorHealthCheck


class ConnectorAdminForm(forms.ModelForm):
    """Never puts the stored key in the page; an empty field keeps it."""

    # Django's URL validator refuses single-label hosts such as http://sonarr:8989.
    url = forms.CharField(label="URL", max_length=services.URL_MAX)
    api_key = forms.CharField(
        label="API key",
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Leave empty to keep the stored key, unless the scheme, host or port "
        "changes: then type it again.",
    )

    class Meta:
        model = Connector
        fields = ["name", "kind", "url", "api_key", "enabled", "verify_ssl", "timeout_seconds"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # ModelForm copies the stored value into initial; drop it so it never renders.
        self.initial.pop("api_key", None)
        if self.instance.pk:
            self.fields["api_key"].widget.attrs["placeholder"] = self.instance.masked_api_key
        else:
            self.fields["api_key"].required = True
            self.fields["api_key"].help_text = ""

    def clean_url(self) -> str:
        try:
            return urls.normalize_base_url(self.cleaned_data.get("url", ""))
        except ValueError as err:
            raise forms.ValidationError(str(err)) from None

    def clean_api_key(self) -> str:
        key = (self.cleaned_data.get("api_key") or "").strip()
        if not key and not self.instance.pk:
            raise forms.ValidationError("Enter the API key.")
        return key

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.instance.pk and not cleaned.get("api_key") and "api_key" not in self.errors:
            stored = Connector.objects.get(pk=self.instance.pk)
            if "url" in cleaned and services.stored_key_usable(
                connector=stored, url=cleaned["url"]
            ):
                cleaned["api_key"] = stored.api_key
            elif "url" in cleaned:
                self.add_error("api_key", services.KEY_FOR_NEW_ADDRESS)
        return cleaned


@admin.register(Connector)
class ConnectorAdmin(admin.ModelAdmin):
    form = ConnectorAdminForm
    list_display = [
        "name",
        "kind",
        "url",
        "enabled",
        "health_status",
        "app_version",
        "last_contact_at",
        "masked_key",
    ]
    list_filter = ["kind", "enabled", "health_status"]
    search_fields = ["name", "url", "instance_name"]
    readonly_fields = [
        "masked_key",
        "app_name",
        "app_version",
        "instance_name",
        "health_status",
        "health_message",
        "last_contact_at",
        "last_health_check_at",
        "consecutive_failures",
        "created_at",
        "updated_at",
    ]

    @admin.display(description="API key")
    def masked_key(self, obj: Connector) -> str:
        return obj.masked_api_key


@admin.register(ConnectorHealthCheck)
class ConnectorHealthCheckAdmin(admin.ModelAdmin):
    list_display = ["connector", "checked_at", "status", "latency_ms", "app_version"]
    list_filter = ["status", "connector"]
    list_select_related = ["connector"]
    show_full_result_count = False
    readonly_fields = ["connector", "checked_at", "status", "latency_ms", "app_version", "messages"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
