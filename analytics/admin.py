"""Django admin registrations (read-only: rows are written by recording and roll-up)."""

from django.contrib import admin

from analytics.models import ConnectorStat, LibrarySnapshot


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ConnectorStat)
class ConnectorStatAdmin(ReadOnlyAdmin):
    list_display = ("bucket", "resolution", "connector", "commands", "grabbed", "acquired_ours")
    list_filter = ("resolution", "connector")
    date_hierarchy = "bucket"


@admin.register(LibrarySnapshot)
class LibrarySnapshotAdmin(ReadOnlyAdmin):
    list_display = ("bucket", "resolution", "connector", "content_type", "items", "have_file")
    list_filter = ("resolution", "content_type", "connector")
