"""Django admin for the request queue and the sweep ledger."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction

from queueing.models import RequestQueue, RequestQueueItem, SweepRun
from searchstate.models import SearchRegistry
from searchstate.services import registry_apply
from searchstate.transitions import Event


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
    actions = ("cancel",)

    @admin.action(description="Cancel (queued entries; their items return to pending)")
    def cancel(self, request, queryset):
        cancelled = 0
        with transaction.atomic():
            for entry in queryset.filter(status=RequestQueue.Status.QUEUED).select_for_update():
                rows = SearchRegistry.objects.filter(queue_links__entry=entry)
                registry_apply(rows, Event.DEQUEUE)
                entry.release(status=RequestQueue.Status.CANCELLED)
                cancelled += 1
        self.message_user(request, f"{cancelled} entries cancelled.", messages.SUCCESS)


@admin.register(SweepRun)
class SweepRunAdmin(admin.ModelAdmin):
    show_full_result_count = False
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
    list_filter = ("status", "kind", "trigger", "connector")
    list_select_related = ("connector",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
