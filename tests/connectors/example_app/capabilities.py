"""The made-up app's version rules (see the package docstring)."""

from __future__ import annotations

from connectors.common.capabilities import Capabilities, Version, support_warning


def rules(version: Version) -> Capabilities:
    supported, warning = support_warning("Lidarr", version, newest_major=2, oldest=(1,), api="v1")
    return Capabilities(
        kind="lidarr",
        shape="music",
        version=version,
        supported=supported,
        wanted_endpoints=supported,
        last_search_time=False,
        include_episode_file=False,
        history_since=supported,
        warnings=(warning,) if warning else (),
    )
