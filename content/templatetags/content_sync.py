"""Template tags that let any page include the sync status fragment with only ``connector``."""

from __future__ import annotations

from django import template

from content import services

register = template.Library()


@register.simple_tag
def connector_sync_status(connector) -> services.SyncStatus:
    """``{% connector_sync_status connector as sync %}``: the sync state of one connector."""
    return services.sync_status(connector=connector)
