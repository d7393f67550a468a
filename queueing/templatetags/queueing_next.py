"""``{% connector_next_steps connector as steps %}`` for the connector page's "Next" panel."""

from __future__ import annotations

from django import template

from queueing.backlog import Backlog, backlog
from queueing.next_steps import NextStep, next_steps
from queueing.throttle import profile_of

register = template.Library()


@register.simple_tag
def connector_next_steps(connector) -> list[NextStep]:
    return next_steps(connector)


@register.simple_tag
def connector_backlog(connector) -> Backlog:
    """The open gaps against the connector's profile ("about 6 days at this rate")."""
    return backlog(connector, profile_of(connector))
