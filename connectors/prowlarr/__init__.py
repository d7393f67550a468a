"""Prowlarr: the indexer manager. Read for its indexers' limits and spend, never a library.

Its capabilities name the shape "indexers", which the mirror does not know, so
``Connector.shape.mirrored`` is False: nothing syncs, sweeps, browses or
searches it (docs/arr-api.md section 10).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from connectors.common.capabilities import Capabilities
    from connectors.common.client import ArrClient


def client_class(capabilities: Capabilities | None) -> type[ArrClient]:
    from connectors.prowlarr.client import ProwlarrClient

    return ProwlarrClient
