"""``{% connector_next_steps connector as steps %}`` for the connector page's "Next" panel."""

from __future__ import annotations

from django import template

from queueing.next_steps import NextStep, next_steps

register = template.Library()


@register.simple_tag
def connector_next_steps(connector) -> list[NextStep]:
    return next_steps(connector)
