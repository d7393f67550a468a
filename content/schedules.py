"""The content app's periodic jobs, declared as data for the one schedule reconciler.

Whoever reconciles schedules (``manage.py setup_schedules``) applies these
with ``Schedule.objects.update_or_create(name=...)``; nothing here creates
schedules at import time. Intervals are overridable from the environment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from comradarr import config


@dataclass(frozen=True)
class ScheduleSpec:
    name: str  # unique: the reconciler's key
    func: str  # dotted path of the django-q2 task
    minutes: int  # django_q Schedule.MINUTES interval
    kwargs: dict[str, Any] = field(default_factory=dict)


def content_schedules(env=None) -> list[ScheduleSpec]:
    """Incremental sync every 15 minutes and a full reconciliation daily (by default)."""
    incremental = config.read_int(
        "SYNC_INCREMENTAL_MINUTES", 15, minimum=1, maximum=24 * 60, env=env
    )
    full = config.read_int("SYNC_FULL_MINUTES", 24 * 60, minimum=15, maximum=7 * 24 * 60, env=env)
    return [
        ScheduleSpec(
            name="content: incremental library sync",
            func="content.tasks.sync_all_connectors",
            minutes=incremental,
            kwargs={"kind": "incremental"},
        ),
        ScheduleSpec(
            name="content: full library sync",
            func="content.tasks.sync_all_connectors",
            minutes=full,
            kwargs={"kind": "full"},
        ),
    ]
