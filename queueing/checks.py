"""System checks of the queueing app (run by `check`, `migrate` and so `serve`)."""

from __future__ import annotations

from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

from queueing.builtin_schedules import resolve_jobs


@register()
def check_schedule_overrides(app_configs=None, **kwargs) -> list[Error]:
    """A bad COMRADARR_SCHEDULE_* cron stops start-up with the variable's name."""
    try:
        resolve_jobs()
    except ImproperlyConfigured as exc:
        return [
            Error(
                str(exc),
                hint="Five cron fields, e.g. '*/15 * * * *', or 'disable'.",
                id="queueing.E001",
            )
        ]
    return []
