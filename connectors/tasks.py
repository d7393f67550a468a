"""Background tasks of the connectors app (django-q2).

Thin by design: take an id, load the row, return quietly if it is gone or
switched off, call the service. Running one twice only adds a history row.
"""

from __future__ import annotations

from connectors import health
from connectors.models import Connector


def check_connector_health(connector_id: int) -> str | None:
    """Run a health check; returns the new status, or None when nothing was checked."""
    connector = Connector.objects.filter(pk=connector_id, enabled=True).first()
    if connector is None:
        return None
    return health.check_connector(connector).status
