"""Sonarr's version-gated features (docs/arr-api.md section 7)."""

from __future__ import annotations

from connectors.common.capabilities import (
    SHAPE_SERIES,
    Capabilities,
    Version,
    at_least,
    support_warning,
    version_text,
)

LAST_SEARCH_TIME = (4, 0, 9, 2332)
INCLUDE_EPISODE_FILE = (4, 0, 9, 2421)  # also the sort-key allow-list
INSTANCE_NAME = (3, 0, 9)
WEBHOOK_CUSTOM_HEADERS = (4, 0, 10)
NEWEST_KNOWN_MAJOR = 5


def rules(version: Version) -> Capabilities:
    supported, warning = support_warning("Sonarr", version, newest_major=NEWEST_KNOWN_MAJOR)
    if supported and warning is None and not at_least(version, INCLUDE_EPISODE_FILE):
        warning = (
            f"Sonarr {version_text(version)} is old: 4.0.9.2421 or newer lets Comradarr read "
            "episode file quality in one request per series and see when each episode was "
            "last searched."
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
        warnings=(warning,) if warning else (),
        sort_key_allow_list=at_least(version, INCLUDE_EPISODE_FILE),
        movie_statistics=False,
        instance_name=at_least(version, INSTANCE_NAME),
        webhook_custom_headers=at_least(version, WEBHOOK_CUSTOM_HEADERS),
        season_packs=True,
    )
