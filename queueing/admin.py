"""Django admin for the request queue and the sweep ledger."""

from __future__ import annotations

from django.contrib import admin, messages

from comradarr.runs import RunLedgerAdmin
from queueing import control
from queueing.models import (
    ConnectorThrottle,
    GlobalThrottle,
    RequestQueue,
    RequestQueueItem,
    SweepRun,
    ThrottleProfile,
)


class RequestQueueItemInline(admin.TabularInline):
    model = RequestQueueItem
    raw_id_fields = ("registry",)
    extra = 0
    can_delete = False


@admin.register(RequestQueue)
class RequestQueueAdmin(admin.ModelAdmin):
    show_full_result_count = False
    list_display = (
        "id",
        "connector",
        "command",
        "search_type",
        "item_count",
        "priority",
        "status",
        "scheduled_at",
        "reason",
    )
    list_filter = ("status", "command", "search_type", "connector")
    list_select_related = ("connector",)
    raw_id_fields = ("connector", "sweep")
    ordering = ("scheduled_at", "-priority")
    inlines = (RequestQueueItemInline,)
    actions = ("cancel", "raise_priority", "lower_priority")

    @admin.action(description="Cancel (queued entries; their items return to pending)")
    def cancel(self, request, queryset):
        cancelled = 0
        for entry in queryset.filter(status=RequestQueue.Status.QUEUED):
            try:
                control.queue_entry_remove(entry=entry)
            except control.ControlError:
                continue  # dispatched or cancelled meanwhile
            cancelled += 1
        self.message_user(request, f"{cancelled} entries cancelled.", messages.SUCCESS)

    def _shift_priority(self, request, queryset, delta: int) -> None:
        changed = 0
        for entry in queryset.filter(status=RequestQueue.Status.QUEUED):
            try:
                control.queue_entry_set_priority(entry=entry, priority=entry.priority + delta)
            except control.ControlError as err:
                self.message_user(request, str(err), messages.ERROR)
                continue
            changed += 1
        self.message_user(request, f"{changed} queued entries changed.", messages.SUCCESS)

    @admin.action(description="Raise priority by 10 (queued entries)")
    def raise_priority(self, request, queryset):
        self._shift_priority(request, queryset, 10)

    @admin.action(description="Lower priority by 10 (queued entries)")
    def lower_priority(self, request, queryset):
        self._shift_priority(request, queryset, -10)


@admin.register(ThrottleProfile)
class ThrottleProfileAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "is_default",
        "is_preset",
        "commands_per_minute",
        "commands_per_hour",
        "min_interval_seconds",
        "max_in_flight",
        "batch_size",
        "daily_budget",
    )

    def has_delete_permission(self, request, obj=None) -> bool:
        return obj is None or not (obj.is_preset or obj.is_default)


@admin.register(ConnectorThrottle)
class ConnectorThrottleAdmin(admin.ModelAdmin):
    list_display = (
        "connector",
        "profile",
        "paused",
        "paused_until",
        "pause_reason",
        "last_dispatch_at",
        "backoff_level",
    )
    list_select_related = ("connector", "profile")
    actions = ("pause", "resume")

    @admin.action(description="Pause dispatch to these connectors")
    def pause(self, request, queryset):
        for row in queryset.select_related("connector"):
            control.queue_pause(connector=row.connector)
        self.message_user(request, "Paused.", messages.SUCCESS)

    @admin.action(description="Resume dispatch (clears automatic pauses too)")
    def resume(self, request, queryset):
        for row in queryset.select_related("connector"):
            control.queue_resume(connector=row.connector)
        self.message_user(request, "Resumed.", messages.SUCCESS)


@admin.register(GlobalThrottle)
class GlobalThrottleAdmin(admin.ModelAdmin):
    list_display = ("__str__", "paused", "daily_budget")
    actions = ("pause", "resume")

    @admin.action(description="Pause all queue processing")
    def pause(self, request, queryset):
        control.queue_pause()
        self.message_user(request, "Queue processing paused.", messages.SUCCESS)

    @admin.action(description="Resume queue processing")
    def resume(self, request, queryset):
        control.queue_resume()
        self.message_user(request, "Queue processing resumed.", messages.SUCCESS)

    def has_add_permission(self, request) -> bool:
        # The one row (pk=1) comes from GlobalThrottle.load(); an admin "add" would take
        # the next id and fail the singleton check with a 500.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SweepRun)
class SweepRunAdmin(RunLedgerAdmin):
    list_display = (
        "started_at",
        "connector",
        "kind",
        "trigger",
        "status",
        "found",
        "selected",
        "queued",
        "entries",
        "resolved",
    )
