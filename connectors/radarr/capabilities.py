"""Radarr's version-gated features (docs/arr-api.md sections 4, 7 and 8)."""

from __future__ import annotations

from connectors.common.capabilities import (
    SHAPE_MOVIES,
    Capabilities,
    Version,
    at_least,
    support_warning,
    version_text,
)

HISTORY_SINCE = (4,)
MOVIE_STATISTICS = (5, 3)
WANTED_ENDPOINTS = (5, 6)
LAST_SEARCH_TIME = (5, 10, 3)
SORT_KEY_ALLOW_LIST = (5, 10, 4)
WEBHOOK_CUSTOM_HEADERS = (5, 16)
INSTANCE_NAME = (4,)
NEWEST_KNOWN_MAJOR = 6


def rules(version: Version) -> Capabilities:
    supported, warning = support_warning("Radarr", version, newest_major=NEWEST_KNOWN_MAJOR)
    if supported and warning is None and not at_least(version, LAST_SEARCH_TIME):
        wanted = at_least(version, WANTED_ENDPOINTS)
        gains = "see when each movie was last searched"
        if not wanted:
            gains = "ask Radarr for missing and cutoff-unmet movies directly and " + gains
        warning = f"Radarr {version_text(version)} is old: 5.10.3 or newer lets Comradarr {gains}."
        if not wanted:
            warning += " Until then the whole library is read and filtered by Comradarr."
    return Capabilities(
        kind="radarr",
        shape=SHAPE_MOVIES,
        version=version,
        supported=supported,
        wanted_endpoints=at_least(version, WANTED_ENDPOINTS),
        last_search_time=at_least(version, LAST_SEARCH_TIME),
        include_episode_file=False,
        history_since=at_least(version, HISTORY_SINCE),
        warnings=(warning,) if warning else (),
        sort_key_allow_list=at_least(version, SORT_KEY_ALLOW_LIST),
        movie_statistics=at_least(version, MOVIE_STATISTICS),
        instance_name=at_least(version, INSTANCE_NAME),
        webhook_custom_headers=at_least(version, WEBHOOK_CUSTOM_HEADERS),
        movie_file_id=at_least(version, WANTED_ENDPOINTS),  # movieFileId came with 5.6 too
    )
