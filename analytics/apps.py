from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = "Analytics"

    def ready(self) -> None:
        from analytics import receivers  # noqa: F401  (connects the event receivers)

        _contribute_collect_job()
        _contribute_library_counts()


def _contribute_collect_job() -> None:
    from queueing.builtin_schedules import BuiltinJob, job_contribute

    job_contribute(
        BuiltinJob(
            key="analytics",
            title="collect analytics",
            func="analytics.jobs.collect",
            # Its own task, not the dispatch tick: a big library's snapshot must not delay it.
            cron="*/10 * * * *",
            description="Count searches, outcomes, acquisitions and requests from the ledgers; "
            "snapshot every library's completion.",
        )
    )


def _contribute_library_counts() -> None:
    from analytics.cards import snapshot_counts
    from queueing.connector_stats import register_library_counts

    # The connector list and page show the snapshot's totals, as the dashboard does.
    register_library_counts(snapshot_counts)
