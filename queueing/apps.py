from django.apps import AppConfig


class QueueingConfig(AppConfig):
    name = "queueing"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from comradarr import events
        from connectors import panels
        from connectors.models import Connector
        from queueing import checks, receivers  # noqa: F401 - checks register on import

        # The connector page's statistics and sweep schedules, without connectors knowing them.
        panels.register_detail_panel("queueing/partials/connector_activity.html")
        # The connector page's Indexers card (Prowlarr budgets), without connectors knowing it.
        panels.register_detail_panel("queueing/partials/indexers_card.html")
        # Side effect only: default sweep schedules for each new connector.
        post_save.connect(
            receivers.connector_created,
            sender=Connector,
            dispatch_uid="queueing.default_sweep_schedules",
        )
        # The connector page says what happens next (sync, first sweep, schedules).
        panels.register_detail_panel("queueing/partials/next_steps.html")
        # Quick stats on each row of the connector list.
        from queueing.connector_stats import quick_stats

        panels.register_list_column(
            "Activity", "queueing/partials/connector_quick_stats.html", quick_stats
        )

        # The first successful sync of a new connector starts its first sweep.
        events.sync_completed.connect(
            receivers.first_sync_completed, dispatch_uid="queueing.first_sweep"
        )
