"""Command-line argument types about connectors, shared by every app's commands."""

from __future__ import annotations

from comradarr.management.parsing import bounded_text
from connectors.services import NAME_MAX

#: `--connector NAME` and the like: checked for length before any query runs.
connector_name = bounded_text(NAME_MAX, allow_empty=False, what="the connector name")
