from django.apps import AppConfig


class ComradarrConfig(AppConfig):
    name = "comradarr"
    verbose_name = "Comradarr"

    def ready(self) -> None:
        # django-q workers re-read the application settings (log level) before each task.
        from comradarr import task_context
        from comradarr.accounts import checks, runtime, sessions  # noqa: F401 - checks register

        runtime.connect_task_hook()
        # Every sign-in (our form, the test client's force_login) lists its session.
        sessions.connect_login_hook()
        # Tasks carry the correlation id of the request that enqueued them.
        task_context.connect()
        _contribute_update_check_job()


def _contribute_update_check_job() -> None:
    from comradarr.update_check import TASK_PATH
    from queueing.builtin_schedules import BuiltinJob, job_contribute

    job_contribute(
        BuiltinJob(
            key="update_check",
            title="check for a newer release",
            func=TASK_PATH,
            cron="40 5 * * *",
            description="Ask the release feed for the latest version, only while the update "
            "check is switched on in General settings; otherwise it contacts nothing.",
        )
    )
