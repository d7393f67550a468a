"""``{% connector_indexers connector as ix %}``: the Indexers card's read model."""

from __future__ import annotations

from django import template
from django.utils import timezone

from queueing import indexer_views

register = template.Library()


@register.simple_tag
def connector_indexers(connector) -> indexer_views.IndexersCard:
    return indexer_views.indexers_card(connector=connector, now=timezone.now())
