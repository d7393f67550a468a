"""Message templates: placeholders checked at save time, rendered without format()'s reach.

A template is text with ``{placeholder}`` names from catalog.PLACEHOLDERS and
``{{``/``}}`` for literal braces. str.format is not used to render: it would
follow ``{content_title.__class__}`` into the object; names are looked up in a
dict of strings and nothing else.
"""

from __future__ import annotations

from string import Formatter

from django.core.exceptions import ValidationError

from notifications.catalog import PLACEHOLDERS

MAX_TEMPLATE = 2000

#: Values the editor's preview fills in.
SAMPLE_CONTEXT: dict[str, str] = {
    "content_title": "The Expanse S02E03",
    "content_year": "2017",
    "connector_name": "Sonarr (Main)",
    "connector_type": "Sonarr",
    "event_type": "Search succeeded",
    "timestamp": "2026-03-14 21:05",
    "statistics": "found 15, queued 12 in 3 searches",
    "url": "https://comradarr.example.com/library/?connector=1",
    "count": "12",
}


def _parts(template: str) -> list[tuple[str, str | None, str | None, str | None]]:
    try:
        return list(Formatter().parse(template))
    except ValueError as exc:
        raise ValidationError(
            f"The template has a lone brace ({exc}); write {{{{ or }}}} for a literal one."
        ) from None


def template_validate(template: str) -> str:
    """The template, or ValidationError naming the first unknown or malformed placeholder."""
    if len(template) > MAX_TEMPLATE:
        raise ValidationError(f"A template may be {MAX_TEMPLATE} characters at most.")
    if "\x00" in template:
        raise ValidationError("The template contains a NUL character.")
    for _literal, name, spec, conversion in _parts(template):
        if name is None:
            continue
        if name not in PLACEHOLDERS:
            known = ", ".join("{" + key + "}" for key in PLACEHOLDERS)
            raise ValidationError(f"Unknown placeholder {{{name}}}. Known placeholders: {known}.")
        if spec or conversion:
            raise ValidationError(
                f"Placeholder {{{name}}} takes no format or conversion; write just {{{name}}}."
            )
    return template


def template_render(template: str, context: dict[str, str]) -> str:
    """Fill the placeholders; an unknown one (only in rows saved before validation) stays as is."""
    out = []
    for literal, name, _spec, _conversion in _parts(template):
        out.append(literal)
        if name is None:
            continue
        out.append(str(context.get(name, "")) if name in PLACEHOLDERS else "{" + name + "}")
    return "".join(out).strip()
