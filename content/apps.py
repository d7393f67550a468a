from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "content"

    def ready(self) -> None:
        from connectors import panels

        # The connector page shows the sync status without connectors knowing content.
        panels.register_detail_panel("content/partials/sync_status.html")
        # "Sync now" beside "Test" on each row of the connector list.
        panels.register_row_action("content/partials/row_sync_now.html")
