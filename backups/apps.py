from django.apps import AppConfig


class BackupsConfig(AppConfig):
    name = "backups"
    verbose_name = "Backups"

    def ready(self) -> None:
        from backups import receivers

        receivers.connect()
        _contribute_backup_job()


def _contribute_backup_job() -> None:
    from queueing.builtin_schedules import BuiltinJob, job_contribute

    job_contribute(
        BuiltinJob(
            key="backup",
            title="scheduled backup",
            func="backups.tasks.scheduled_backup",
            # After the nightly sync (03:30) and maintenance (04:15): a quiet moment.
            cron="45 4 * * *",
            description="Back up the database into the data directory; keep the newest "
            "BACKUP_KEEP (7) scheduled ones.",
        )
    )
