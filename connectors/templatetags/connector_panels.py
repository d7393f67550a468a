"""``{% connector_detail_panels as panels %}``: the templates other apps registered."""

from django import template

from connectors import panels

register = template.Library()


@register.simple_tag
def connector_detail_panels() -> tuple[str, ...]:
    return panels.detail_panels()


@register.simple_tag
def connector_list_columns() -> tuple[tuple[str, str], ...]:
    return panels.list_columns()


@register.simple_tag
def connector_row_actions() -> tuple[str, ...]:
    return panels.row_actions()
