"""A made-up app package shaped as CONTRIBUTING.md's recipe says (a Lidarr-like app on
/api/v1), so a test can check that a package plus one registry line is enough."""

from __future__ import annotations

from typing import ClassVar

from connectors.common.capabilities import Capabilities
from connectors.common.client import ArrClient


class LidarrLikeClient(ArrClient):
    kind: ClassVar[str] = "lidarr"
    display_name: ClassVar[str] = "Lidarr"


def client_class(capabilities: Capabilities | None) -> type[ArrClient]:
    return LidarrLikeClient
