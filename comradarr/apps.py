from django.apps import AppConfig


class ComradarrConfig(AppConfig):
    name = "comradarr"
    verbose_name = "Comradarr"

    def ready(self) -> None:
        # django-q workers re-read the application settings (log level) before each task.
        from comradarr.accounts import checks, runtime  # noqa: F401 - checks register on import

        runtime.connect_task_hook()
