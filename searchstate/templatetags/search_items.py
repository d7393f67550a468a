"""``{% search_item_url kind pk %}``: the page of a search target, wherever it is served."""

from django import template

from searchstate import hooks

register = template.Library()


@register.simple_tag
def search_item_url(kind: str, pk: int) -> str:
    return hooks.item_page_url(kind=kind, pk=pk)
