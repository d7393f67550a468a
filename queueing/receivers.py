"""Signal receivers of the queueing app: side effects only, no business rules.

Connected in QueueingConfig.ready(), so the connectors app never imports
queueing: a new connector gets its default sweep schedules (gaps hourly,
upgrades every 6 hours) from :func:`queueing.sweep_schedules.sweep_schedules_create_defaults`.
"""

from __future__ import annotations

from typing import Any


def connector_created(sender: Any, instance: Any, created: bool, raw: bool = False, **_: Any):
    """post_save of Connector: side effect only - create the default sweep schedules once."""
    if not created or raw:  # raw: loaddata replays rows, schedules come with the fixture
        return
    if not instance.is_library:  # an indexer manager is never swept
        return
    from queueing.sweep_schedules import sweep_schedules_create_defaults

    sweep_schedules_create_defaults(connector=instance)
