from django.apps import AppConfig


class ApiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from django.core.signals import request_finished

        from api import schema  # noqa: F401  (registers the OpenAPI security scheme)

        # After the answer went out: the request never waits for the write.
        request_finished.connect(_flush_timings, dispatch_uid="api.timing.flush")


def _flush_timings(**kwargs) -> None:
    from api.timing import flush

    flush(only_if_due=True)
