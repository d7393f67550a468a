"""Django admin for search state, with the manual actions of issue 5.

Search now is enqueued (django-q2, on commit, through searchstate.hooks: queueing
runs sweeps) because a sweep reads the *arr's download queue over HTTP, which
never runs inside a web request; the other
actions are database-only and run at once through searchstate.services.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages

from searchstate import hooks, services
from searchstate.models import (
    Acquisition,
    Exclusion,
    PriorityWeights,
    SearchHistory,
    SearchRegistry,
    SearchSettings,
    SeasonPackSearch,
)
from searchstate.transitions import Event


class RegistryActionForm(admin.helpers.ActionForm):
    priority = forms.IntegerField(
        required=False,
        min_value=-100,
        max_value=100,
        help_text="For 'set priority': -100..100, empty to clear.",
    )


def _items(queryset):
    rows = queryset.select_related("episode", "movie")
    return [row.item for row in rows if row.item is not None]


@admin.register(SearchRegistry)
class SearchRegistryAdmin(admin.ModelAdmin):
    show_full_result_count = False
    list_per_page = 100
    list_display = (
        "__str__",
        "connector",
        "search_type",
        "state",
        "attempts",
        "search_count",
        "priority",
        "last_searched_at",
        "next_eligible_at",
        "failure_category",
    )
    list_filter = ("state", "search_type", "connector", "failure_category")
    list_select_related = ("connector", "episode", "episode__series", "movie")
    raw_id_fields = ("connector", "episode", "movie")
    readonly_fields = ("created_at", "updated_at", "priority_breakdown")
    search_fields = ("episode__title", "episode__series__title", "movie__title")
    action_form = RegistryActionForm
    actions = (
        "search_now",
        "set_priority",
        "mark_exhausted",
        "clear_state",
        "exclude_items",
        "include_items",
    )

    @admin.action(description="Search now (ignores cooldown and exhaustion)")
    def search_now(self, request, queryset):
        by_connector: dict[int, list[int]] = {}
        for row in queryset.only("connector_id", "episode_id", "movie_id"):
            by_connector.setdefault(row.connector_id, []).append(row.episode_id or row.movie_id)
        for connector_id, item_ids in by_connector.items():
            hooks.request_search_now(connector_id=connector_id, item_ids=item_ids)
        total = sum(len(v) for v in by_connector.values())
        self.message_user(request, f"Search of {total} items enqueued.", messages.SUCCESS)

    @admin.action(description="Set priority of the items (value below)")
    def set_priority(self, request, queryset):
        raw = request.POST.get("priority", "").strip()
        try:
            value = int(raw) if raw else None
            for item in _items(queryset):
                services.item_set_priority(target=item, priority=value)
        except ValueError:
            self.message_user(request, "Priority must be -100..100.", messages.ERROR)
            return
        self.message_user(request, f"Priority set to {value}.", messages.SUCCESS)

    @admin.action(description="Mark exhausted")
    def mark_exhausted(self, request, queryset):
        moved = services.registry_apply(queryset, Event.MARK_EXHAUSTED, next_eligible_at=None)
        self.message_user(request, f"{moved} rows marked exhausted.", messages.SUCCESS)

    @admin.action(description="Clear state (re-evaluate at the next sweep)")
    def clear_state(self, request, queryset):
        moved = services.registry_reset(items=_items(queryset))
        self.message_user(request, f"{moved} rows cleared.", messages.SUCCESS)

    @admin.action(description="Exclude the items from searches")
    def exclude_items(self, request, queryset):
        items = _items(queryset)
        for item in items:
            services.item_exclude(target=item, note=f"admin: {request.user}")
        self.message_user(request, f"{len(items)} items excluded.", messages.SUCCESS)

    @admin.action(description="Include the items again")
    def include_items(self, request, queryset):
        removed = sum(services.item_include(target=item) for item in _items(queryset))
        self.message_user(request, f"{removed} exclusions removed.", messages.SUCCESS)


class ReadOnlyAdmin(admin.ModelAdmin):
    show_full_result_count = False
    list_per_page = 100

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SearchHistory)
class SearchHistoryAdmin(ReadOnlyAdmin):
    list_display = (
        "dispatched_at",
        "connector_name",
        "command_name",
        "item_count",
        "outcome",
        "items_grabbed",
        "duration_seconds",
    )
    list_filter = ("outcome", "command_name", "connector")
    list_select_related = ("connector",)


@admin.register(Acquisition)
class AcquisitionAdmin(ReadOnlyAdmin):
    list_display = (
        "acquired_at",
        "title",
        "connector",
        "search_type",
        "source",
        "searches",
        "time_to_acquire",
    )
    list_filter = ("source", "search_type", "connector")
    list_select_related = ("connector",)


@admin.register(SeasonPackSearch)
class SeasonPackSearchAdmin(admin.ModelAdmin):
    show_full_result_count = False
    list_display = ("series", "season_number", "last_searched_at", "last_outcome", "search_count")
    list_select_related = ("series",)
    list_filter = ("last_outcome", "connector")
    raw_id_fields = ("connector", "series")


@admin.register(Exclusion)
class ExclusionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "connector", "note", "created_at")
    list_select_related = ("connector", "series", "episode", "movie")
    raw_id_fields = ("connector", "series", "episode", "movie")


@admin.register(PriorityWeights)
class PriorityWeightsAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return not PriorityWeights.objects.exists()


@admin.register(SearchSettings)
class SearchSettingsAdmin(admin.ModelAdmin):
    list_display = ("connector", "season_packs_enabled", "batch_size", "grace_period_hours")
    list_select_related = ("connector",)
