"""Sonarr's version-gated features (NOTES.md section 7)."""

from __future__ import annotations

from connectors.common.capabilities import (
    SHAPE_SERIES,
    Capabilities,
    Version,
    at_least,
    version_text,
)

LAST_SEARCH_TIME = (4, 0, 9, 2332)
INCLUDE_EPISODE_FILE = (4, 0, 9, 2421)  # also the sort-key allow-list
INSTANCE_NAME = (3, 0, 9)
WEBHOOK_CUSTOM_HEADERS = (4, 0, 10)
NEWEST_KNOWN_MAJOR = 5


def rules(version: Version) -> Capabilities:
    shown = version_text(version)
    warnings: list[str] = []
    supported = at_least(version, (3,))
    if not supported:
        warnings.append(
            f"Sonarr {shown} is not supported: Comradarr needs Sonarr 3 or newer (API v3)."
        )
    elif version[0] > NEWEST_KNOWN_MAJOR:
        warnings.append(
            f"Sonarr {shown} is newer than the versions Comradarr was tested with; "
            "it should keep working through the v3 API."
        )
    elif not at_least(version, INCLUDE_EPISODE_FILE):
        warnings.append(
            f"Sonarr {shown} is old: 4.0.9.2421 or newer lets Comradarr read episode file "
            "quality in one request per series and see when each episode was last searched."
        )
    return Capabilities(
        kind="sonarr",
        shape=SHAPE_SERIES,
        version=version,
        supported=supported,
        wanted_endpoints=supported,
        last_search_time=at_least(version, LAST_SEARCH_TIME),
        include_episode_file=at_least(version, INCLUDE_EPISODE_FILE),
        history_since=supported,
        warnings=tuple(warnings),
        sort_key_allow_list=at_least(version, INCLUDE_EPISODE_FILE),
        movie_statistics=False,
        instance_name=at_least(version, INSTANCE_NAME),
        webhook_custom_headers=at_least(version, WEBHOOK_CUSTOM_HEADERS),
    )
