"""Whisparr v2 (Sonarr-shaped) and v3 "Eros" (Radarr-shaped): one kind, two shapes."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from connectors.common.capabilities import Capabilities
    from connectors.common.client import ArrClient


def client_class(capabilities: Capabilities | None) -> type[ArrClient]:
    from connectors.common.capabilities import SHAPE_MOVIES
    from connectors.whisparr.client import WhisparrV2Client, WhisparrV3Client

    if capabilities is not None and capabilities.shape == SHAPE_MOVIES:
        return WhisparrV3Client
    return WhisparrV2Client
