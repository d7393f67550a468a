"""Saving the search behaviour settings (Settings > Search behaviour, the admin keeps its own).

Every reader loads these rows when it starts a sweep, a dispatch tick or a
"why" (PriorityWeights.current, SearchSettings.for_connector), so a saved
change applies from the next one on, in every process, without a restart.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from connectors.models import Connector
from searchstate.models import PriorityWeights, SearchSettings

logger = logging.getLogger(__name__)


def _changes(row: Any, values: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: {"from": getattr(row, name), "to": value}
        for name, value in values.items()
        if getattr(row, name) != value
    }


@transaction.atomic
def weights_update(*, values: dict[str, float]) -> PriorityWeights:
    """Store the installation's priority weights (the single row, pk=1)."""
    row = PriorityWeights.objects.select_for_update().filter(pk=1).first() or PriorityWeights(pk=1)
    changes = _changes(row, values)
    for name, value in values.items():
        setattr(row, name, value)
    row.full_clean()
    row.save()
    if changes:
        logger.info("priority weights changed", extra={"changes": changes})
    return row


@transaction.atomic
def search_settings_update(*, connector: Connector, values: dict[str, Any]) -> SearchSettings:
    """Store ``connector``'s search settings, creating its row on the first change."""
    row = SearchSettings.objects.select_for_update().filter(
        connector=connector
    ).first() or SearchSettings(connector=connector)
    changes = _changes(row, values)
    for name, value in values.items():
        setattr(row, name, value)
    row.full_clean()
    row.save()
    if changes:
        logger.info(
            "search settings changed",
            extra={"connector_id": connector.pk, "changes": changes},
        )
    return row
