from django.apps import AppConfig


class QueueingConfig(AppConfig):
    name = "queueing"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from connectors import panels
        from connectors.models import Connector
        from queueing import checks, receivers  # noqa: F401 - checks register on import

        # The connector page's Indexers card (Prowlarr budgets), without connectors knowing it.
        panels.register_detail_panel("queueing/partials/indexers_card.html")
        # Side effect only: default sweep schedules for each new connector.
        post_save.connect(
            receivers.connector_created,
            sender=Connector,
            dispatch_uid="queueing.default_sweep_schedules",
        )
