"""What a connected *arr app can do, decided from its name and version.

The facts come from the capability matrix in docs/arr-api.md section 7
(read from the apps' source). Each app package owns its rules in its own
`capabilities.py` (`rules(version) -> Capabilities`), so adding an app never
edits this module; this module holds the shared value type, version parsing
and the dispatch by kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import import_module

Version = tuple[int, ...]

SHAPE_SERIES = "series"
SHAPE_MOVIES = "movies"


@dataclass(frozen=True)
class Capabilities:
    kind: str  # sonarr | radarr | whisparr
    shape: str  # "series" (Sonarr, Whisparr v2) | "movies" (Radarr, Whisparr v3)
    version: Version
    supported: bool
    wanted_endpoints: bool  # /wanted/missing, /wanted/cutoff
    last_search_time: bool  # lastSearchTime on episodes / movies
    include_episode_file: bool  # GET /episode?includeEpisodeFile=true
    history_since: bool  # GET /history/since
    warnings: tuple[str, ...] = ()
    # Additions beyond the original contract:
    sort_key_allow_list: bool = False  # unknown sortKey falls back instead of failing (500)
    movie_statistics: bool = False  # MovieResource.statistics / hasFile via statistics
    instance_name: bool = True  # system/status carries instanceName
    webhook_custom_headers: bool = False  # webhook connections can send custom headers
    movie_file_id: bool = False  # MovieResource.movieFileId
    # Seasons are released as packs (Sonarr); Whisparr v2 "seasons" are years of a site.
    season_packs: bool = False

    @property
    def version_text(self) -> str:
        return ".".join(str(part) for part in self.version) or "unknown"


_VERSION_PART = re.compile(r"^\s*(\d+)")


def parse_version(text: str | None) -> Version:
    """'4.0.9.2421' -> (4, 0, 9, 2421); '3.2.0-develop.45' -> (3, 2, 0); junk -> ()."""
    if not text:
        return ()
    parts: list[int] = []
    for piece in str(text).strip().lstrip("vV").split("."):
        match = _VERSION_PART.match(piece)
        if not match:
            break
        parts.append(int(match.group(1)))
        if match.group(0).strip() != piece.strip():
            break  # "0-develop": keep the number, stop at the suffix
    return tuple(parts)


def at_least(version: Version, minimum: Version) -> bool:
    """Compare versions padding missing parts with zeros: (5, 6) >= (5, 6, 0, 0)."""
    width = max(len(version), len(minimum))
    return version + (0,) * (width - len(version)) >= minimum + (0,) * (width - len(minimum))


def version_text(version: Version) -> str:
    return ".".join(str(part) for part in version) or "unknown"


def support_warning(
    app: str, version: Version, *, newest_major: int, oldest: Version = (3,), api: str = "v3"
) -> tuple[bool, str | None]:
    """Whether `app` at `version` is supported, with the warning to show when it is
    not, or is newer than any version Comradarr was tested with (None in between:
    the app's own rules then say whether it is old)."""
    shown = version_text(version)
    if not at_least(version, oldest):
        return False, (
            f"{app} {shown} is not supported: Comradarr needs {app} "
            f"{version_text(oldest)} or newer (API {api})."
        )
    if version[0] > newest_major:
        return True, (
            f"{app} {shown} is newer than the versions Comradarr was tested with; "
            f"it should keep working through the {api} API."
        )
    return True, None


def capabilities_for(kind: str, version: str) -> Capabilities:
    """Capabilities of `kind` ("sonarr", "radarr", "whisparr") at `version` ("4.0.19.2979")."""
    from connectors.registry import kind_spec  # the registry imports this module

    spec = kind_spec(kind)
    module = import_module(f"{spec.package}.capabilities")
    return module.rules(parse_version(version))
