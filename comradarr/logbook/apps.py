from django.apps import AppConfig


class LogbookConfig(AppConfig):
    name = "comradarr.logbook"
    label = "logbook"
    verbose_name = "Logs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django_q.signals import post_execute_in_worker

        from comradarr.logbook.handler import wake_writers

        # A task worker may be recycled right after its task: write its lines now.
        post_execute_in_worker.connect(wake_writers, dispatch_uid="comradarr.logbook.wake")
