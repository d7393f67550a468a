"""``{% connector_activity connector as activity %}`` for the connector page's Activity panel."""

from __future__ import annotations

from django import template

from queueing.connector_stats import ConnectorActivity, connector_activity

register = template.Library()


@register.simple_tag(name="connector_activity")
def connector_activity_tag(connector) -> ConnectorActivity:
    return connector_activity(connector)
