"""Panels the apps above add to the connector page, registered instead of imported.

connectors knows nothing of the mirror or the search state, yet its detail page
shows a connector's sync status (content). So an app above registers the
template of its panel here at start-up (content.apps.ContentConfig.ready) and
the page includes whatever is registered, in registration order. The list page
takes columns (quick stats) and row actions ("Sync now") the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

_DETAIL_PANELS: list[str] = []


def register_detail_panel(template_name: str) -> None:
    """Add a template, rendered with the page's context (``connector`` among it)."""
    if template_name not in _DETAIL_PANELS:
        _DETAIL_PANELS.append(template_name)


def detail_panels() -> tuple[str, ...]:
    return tuple(_DETAIL_PANELS)


# --- the connector list: columns and row actions of the apps above ----------------------------

#: (header, cell template, stats provider). The provider takes every listed connector and
#: returns {connector pk: stats} in a fixed number of queries; the cell template gets
#: ``connector`` and ``stats`` (None for a connector the provider left out).
ListStats = Callable[[Sequence[Any]], Mapping[int, Any]]
_LIST_COLUMNS: list[tuple[str, str, ListStats]] = []
_ROW_ACTIONS: list[str] = []


def register_list_column(header: str, template_name: str, provider: ListStats) -> None:
    if all(t != template_name for _, t, _ in _LIST_COLUMNS):
        _LIST_COLUMNS.append((header, template_name, provider))


def register_row_action(template_name: str) -> None:
    """A button beside "Test" on each row, rendered with ``connector`` (and ``next``)."""
    if template_name not in _ROW_ACTIONS:
        _ROW_ACTIONS.append(template_name)


def list_columns() -> tuple[tuple[str, str], ...]:
    return tuple((header, template) for header, template, _ in _LIST_COLUMNS)


def row_actions() -> tuple[str, ...]:
    return tuple(_ROW_ACTIONS)


def attach_list_cells(connectors: Sequence[Any]) -> None:
    """Set ``connector.list_cells`` to [(template, stats)], one provider call per column."""
    per_column = [(template, provider(connectors)) for _, template, provider in _LIST_COLUMNS]
    for connector in connectors:
        connector.list_cells = [(t, stats.get(connector.pk)) for t, stats in per_column]
