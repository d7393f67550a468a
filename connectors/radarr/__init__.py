"""Radarr: client, raw types, mapper, search commands."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from connectors.common.capabilities import Capabilities
    from connectors.common.client import ArrClient


def client_class(capabilities: Capabilities | None) -> type[ArrClient]:
    from connectors.radarr.client import RadarrClient

    return RadarrClient
