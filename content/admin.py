"""Django admin for the mirror: read-mostly, and cheap on tables of millions of rows.

``show_full_result_count = False`` avoids a COUNT(*) of the whole table on
every filtered page; ``list_select_related`` keeps the changelist to one
query; foreign keys use raw id inputs rather than a select of every series.
"""

from django.contrib import admin

from comradarr.runs import RunLedgerAdmin
from content.models import Episode, Movie, QualityProfile, Season, Series, SyncRun, SyncState


class MirrorAdmin(admin.ModelAdmin):
    show_full_result_count = False
    list_per_page = 100
    readonly_fields = ("created_at", "updated_at")


@admin.register(Series)
class SeriesAdmin(MirrorAdmin):
    list_display = (
        "title",
        "connector",
        "arr_id",
        "monitored",
        "status",
        "series_type",
        "episode_file_count",
        "episode_count",
        "episodes_stale",
    )
    list_filter = ("connector", "monitored", "status", "series_type")
    list_select_related = ("connector",)
    search_fields = ("title", "=arr_id", "=tvdb_id")
    raw_id_fields = ("connector",)


@admin.register(Season)
class SeasonAdmin(admin.ModelAdmin):
    show_full_result_count = False
    list_display = (
        "series",
        "season_number",
        "monitored",
        "episode_file_count",
        "episode_count",
        "missing_monitored_episodes",
        "cutoff_unmet_episodes",
    )
    list_select_related = ("series", "series__connector")
    list_filter = ("monitored",)
    raw_id_fields = ("series",)
    search_fields = ("series__title",)


@admin.register(Episode)
class EpisodeAdmin(MirrorAdmin):
    list_display = (
        "__str__",
        "series",
        "connector",
        "arr_id",
        "monitored",
        "has_file",
        "quality_name",
        "quality_cutoff_not_met",
        "air_date_utc",
        "file_acquired_at",
        "cutoff_met_at",
    )
    list_filter = ("connector", "has_file", "monitored", "quality_cutoff_not_met")
    list_select_related = ("series", "connector")
    search_fields = ("title", "=arr_id", "series__title")
    raw_id_fields = ("connector", "series")
    readonly_fields = ("created_at", "updated_at", "file_acquired_at", "cutoff_met_at")


@admin.register(Movie)
class MovieAdmin(MirrorAdmin):
    list_display = (
        "title",
        "year",
        "connector",
        "arr_id",
        "item_type",
        "monitored",
        "is_available",
        "has_file",
        "quality_name",
        "quality_cutoff_not_met",
        "file_acquired_at",
    )
    list_filter = (
        "connector",
        "item_type",
        "has_file",
        "monitored",
        "is_available",
        "quality_cutoff_not_met",
    )
    list_select_related = ("connector",)
    search_fields = ("title", "=arr_id", "=tmdb_id", "=imdb_id")
    raw_id_fields = ("connector",)
    readonly_fields = ("created_at", "updated_at", "file_acquired_at", "cutoff_met_at")


@admin.register(QualityProfile)
class QualityProfileAdmin(MirrorAdmin):
    list_display = (
        "name",
        "connector",
        "arr_id",
        "upgrade_allowed",
        "cutoff",
        "cutoff_format_score",
    )
    list_select_related = ("connector",)
    list_filter = ("connector", "upgrade_allowed")


@admin.register(SyncState)
class SyncStateAdmin(admin.ModelAdmin):
    list_display = (
        "connector",
        "last_success_at",
        "last_full_sync_at",
        "consecutive_failures",
        "retry_after",
    )
    list_select_related = ("connector",)
    exclude = ("webhook_secret",)  # shown (masked) on the connector page, never here


@admin.register(SyncRun)
class SyncRunAdmin(RunLedgerAdmin):
    list_display = (
        "started_at",
        "connector",
        "kind",
        "trigger",
        "status",
        "added",
        "updated",
        "removed",
        "http_requests",
        "error",
    )
