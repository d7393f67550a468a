"""Panels the apps above add to the connector page, registered instead of imported.

connectors knows nothing of the mirror or the search state, yet its detail page
shows a connector's sync status (content). So an app above registers the
template of its panel here at start-up (content.apps.ContentConfig.ready) and
the page includes whatever is registered, in registration order.
"""

from __future__ import annotations

_DETAIL_PANELS: list[str] = []


def register_detail_panel(template_name: str) -> None:
    """Add a template, rendered with the page's context (``connector`` among it)."""
    if template_name not in _DETAIL_PANELS:
        _DETAIL_PANELS.append(template_name)


def detail_panels() -> tuple[str, ...]:
    return tuple(_DETAIL_PANELS)
