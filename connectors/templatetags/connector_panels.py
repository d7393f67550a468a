"""``{% connector_detail_panels as panels %}``: the templates other apps registered."""

from django import template

from connectors import panels

register = template.Library()


@register.simple_tag
def connector_detail_panels() -> tuple[str, ...]:
    return panels.detail_panels()
