"""Whisparr's version-gated features.

Whisparr v2 (Whisparr/Whisparr) is Sonarr-shaped: sites are series, years are
seasons, scenes are episodes. Whisparr v3 "Eros" (Whisparr/Whisparr-Eros) is
Radarr-shaped: movies with itemType movie|scene. Both answer appName
"Whisparr"; the major version tells them apart (docs/arr-api.md sections 0 and 8).
"""

from __future__ import annotations

from connectors.common.capabilities import (
    SHAPE_MOVIES,
    SHAPE_SERIES,
    Capabilities,
    Version,
    at_least,
    version_text,
)

# /wanted/*, lastSearchTime and movieFileId exist in Eros source from 3.2.0 (not in its
# stale spec).
EROS_WANTED = (3, 2, 0)


def shape_for(version: Version) -> str:
    return SHAPE_MOVIES if version and version[0] >= 3 else SHAPE_SERIES


def rules(version: Version) -> Capabilities:
    shown = version_text(version)
    major = version[0] if version else 0
    if major == 2:
        return Capabilities(
            kind="whisparr",
            shape=SHAPE_SERIES,
            version=version,
            supported=True,
            wanted_endpoints=True,
            last_search_time=False,
            include_episode_file=False,
            history_since=True,
            warnings=(),
            sort_key_allow_list=False,
            movie_statistics=False,
        )
    if major == 3:
        warnings: tuple[str, ...] = ()
        if not at_least(version, EROS_WANTED):
            warnings = (
                f"Whisparr {shown} is old: 3.2.0 or newer lets Comradarr ask Whisparr for "
                "missing and cutoff-unmet items directly and see when each was last searched. "
                "Until then the whole library is read and filtered by Comradarr.",
            )
        return Capabilities(
            kind="whisparr",
            shape=SHAPE_MOVIES,
            version=version,
            supported=True,
            wanted_endpoints=at_least(version, EROS_WANTED),
            last_search_time=at_least(version, EROS_WANTED),
            include_episode_file=False,
            history_since=True,
            warnings=warnings,
            sort_key_allow_list=True,
            movie_statistics=True,
            webhook_custom_headers=True,
            movie_file_id=at_least(version, EROS_WANTED),
        )
    reason = (
        "Whisparr 0.x/1.x uses an older API"
        if major < 2
        else "this major version is newer than Comradarr knows"
    )
    return Capabilities(
        kind="whisparr",
        shape=shape_for(version),
        version=version,
        supported=False,
        wanted_endpoints=False,
        last_search_time=False,
        include_episode_file=False,
        history_since=False,
        warnings=(
            f"Whisparr {shown} is not supported ({reason}): Comradarr supports Whisparr 2 "
            "and Whisparr 3 (Eros).",
        ),
    )
