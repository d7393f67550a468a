"""Django admin: channels with their secrets masked (edited on the Notifications page), the log."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from notifications import services
from notifications.models import (
    NotificationBatch,
    NotificationChannel,
    NotificationDelivery,
    NotificationEvent,
)


@admin.register(NotificationChannel)
class NotificationChannelAdmin(admin.ModelAdmin):
    """The encrypted secrets never reach the form: only their last four characters are shown."""

    list_display = ["name", "kind", "enabled", "health", "last_delivery_at"]
    list_filter = ["kind", "enabled", "health"]
    search_fields = ["name"]
    exclude = ["secret_data"]
    readonly_fields = ["secrets_masked", "kind", "config", "health", "last_error", "created_at"]
    filter_horizontal = ["connectors"]
    actions = ["send_test"]

    @admin.display(description="Secrets")
    def secrets_masked(self, obj: NotificationChannel) -> str:
        if not obj.pk:
            return "-"
        rows = format_html_join(
            "", "<div><code>{}</code>: {}</div>", sorted(obj.masked_secrets().items())
        )
        link = reverse("notifications:edit", args=[obj.pk])
        return format_html(
            '{}<p><a href="{}">Change them on the Notifications page</a></p>', rows, link
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A channel needs its kind's form (and apprise's check): added on the Notifications page.
        return False

    @admin.action(description="Send a test message")
    def send_test(self, request: HttpRequest, queryset) -> None:
        for channel in queryset[:10]:
            result = services.channel_test(channel=channel)
            level = messages.SUCCESS if result.ok else messages.ERROR
            self.message_user(request, f"{channel.name}: {result.detail}", level)


@admin.register(NotificationDelivery)
class NotificationDeliveryAdmin(admin.ModelAdmin):
    list_display = ["at", "channel", "status", "attempt", "event_count", "title"]
    list_filter = ["status", "channel"]
    list_select_related = ["channel"]
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).defer("channel__secret_data")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(NotificationEvent)
class NotificationEventAdmin(admin.ModelAdmin):
    list_display = ["occurred_at", "event_type", "severity", "connector_name", "routed_at", "muted"]
    list_filter = ["event_type", "severity", "muted"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(NotificationBatch)
class NotificationBatchAdmin(admin.ModelAdmin):
    list_display = ["id", "channel", "status", "held", "due_at", "attempts", "sent_at"]
    list_filter = ["status", "held", "channel"]
    list_select_related = ["channel"]
    show_full_result_count = False
    readonly_fields = ["idempotency_key", "last_error"]
    exclude = ["events"]

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).defer("channel__secret_data")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
