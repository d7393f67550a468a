"""Prowlarr's rules: one shape ("indexers", not mirrored), API v1 since 1.0."""

from __future__ import annotations

from connectors.common.capabilities import Capabilities, Version, support_warning

#: The shape of an indexer manager. Not a library shape: shape_named gives mirrored=False.
SHAPE_INDEXERS = "indexers"
NEWEST_KNOWN_MAJOR = 2


def rules(version: Version) -> Capabilities:
    supported, warning = support_warning(
        "Prowlarr", version, newest_major=NEWEST_KNOWN_MAJOR, oldest=(1,), api="v1"
    )
    return Capabilities(
        kind="prowlarr",
        shape=SHAPE_INDEXERS,
        version=version,
        supported=supported,
        wanted_endpoints=False,
        last_search_time=False,
        include_episode_file=False,
        history_since=False,
        warnings=(warning,) if warning else (),
    )
