from django.apps import AppConfig


class ComradarrConfig(AppConfig):
    name = "comradarr"
    verbose_name = "Comradarr"

    def ready(self) -> None:
        # django-q workers re-read the application settings (log level) before each task.
        from comradarr import task_context
        from comradarr.accounts import checks, runtime  # noqa: F401 - checks register on import

        runtime.connect_task_hook()
        # Tasks carry the correlation id of the request that enqueued them.
        task_context.connect()
