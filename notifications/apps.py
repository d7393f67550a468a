import logging

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"

    def ready(self) -> None:
        from notifications import receivers

        receivers.connect()
        # apprise's DEBUG lines quote request URLs (tokens included) from requests' exceptions;
        # pinned at INFO they never reach Comradarr's logs, even with LOG_LEVEL=debug.
        logging.getLogger("apprise").setLevel(logging.INFO)
