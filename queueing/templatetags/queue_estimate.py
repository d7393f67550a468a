"""{% estimate_words estimate now %}: an entry's expected dispatch in words."""

from __future__ import annotations

from datetime import datetime

from django import template

register = template.Library()


@register.simple_tag
def estimate_words(estimate, now: datetime) -> str:
    return estimate.words(now) if estimate is not None else ""
