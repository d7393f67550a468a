import logging

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"

    def ready(self) -> None:
        from notifications import receivers

        receivers.connect()
        _contribute_delivery_job()
        # apprise's DEBUG lines quote request URLs (tokens included) from requests' exceptions;
        # pinned at INFO they never reach Comradarr's logs, even with LOG_LEVEL=debug.
        logging.getLogger("apprise").setLevel(logging.INFO)


def _contribute_delivery_job() -> None:
    from queueing.builtin_schedules import BuiltinJob, job_contribute

    job_contribute(
        BuiltinJob(
            key="notifications",
            title="deliver notifications",
            func="notifications.tasks.deliver",
            cron="* * * * *",
            description="Route new events to channels and send the digests that are due.",
        )
    )
