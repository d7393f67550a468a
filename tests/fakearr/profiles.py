"""Which app and version fakearr imitates, and what that version can do.

Every behaviour that differs between app versions is a flag here, so the rest of
the simulator asks the profile instead of comparing version strings. The matrix
follows docs/arr-api.md section 7.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_VERSIONS = {
    "sonarr": "4.0.19.2979",
    "radarr": "5.28.0.10205",
    "whisparr_v2": "2.0.0.1145",
    "whisparr_v3": "3.2.0.66",
}

KIND_ALIASES = {
    "sonarr": "sonarr",
    "radarr": "radarr",
    "whisparr_v2": "whisparr_v2",
    "whisparr-v2": "whisparr_v2",
    "whisparr2": "whisparr_v2",
    "whisparr_v3": "whisparr_v3",
    "whisparr-v3": "whisparr_v3",
    "whisparr3": "whisparr_v3",
    "eros": "whisparr_v3",
}


def parse_version(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


@dataclass(frozen=True)
class AppProfile:
    """Capabilities of one app at one version (all four apps serve /api/v3)."""

    kind: str  # sonarr | radarr | whisparr_v2 | whisparr_v3
    version: str

    @property
    def v(self) -> tuple[int, ...]:
        return parse_version(self.version)

    @property
    def app_name(self) -> str:
        return {"sonarr": "Sonarr", "radarr": "Radarr"}.get(self.kind, "Whisparr")

    @property
    def shape(self) -> str:
        return "series" if self.kind in ("sonarr", "whisparr_v2") else "movies"

    @property
    def is_sonarr_v3_app(self) -> bool:
        return self.kind == "sonarr" and self.v < (4,)

    @property
    def spec_file(self) -> str:
        """The committed OpenAPI document whose shapes this version answers with."""
        if self.kind == "sonarr":
            return "sonarr-v3.json"
        if self.kind == "whisparr_v2":
            return "whisparr-v3.json"
        if self.kind == "whisparr_v3":
            return "whisparr-eros-v3.json"
        if self.v < (5,):
            return "radarr-v3-app-v4.7.5.json"
        if self.v < (6,):
            return "radarr-v3-app-v5.28.json"
        return "radarr-v3.json"

    @property
    def wanted_endpoints(self) -> bool:
        if self.kind == "radarr":
            return self.v >= (5, 6)
        if self.kind == "whisparr_v3":
            return self.v >= (3, 2)
        return True

    @property
    def last_search_time(self) -> bool:
        if self.kind == "sonarr":
            return self.v >= (4, 0, 9, 2332)
        if self.kind == "radarr":
            return self.v >= (5, 10, 3)
        return self.kind == "whisparr_v3" and self.v >= (3, 2)  # with Eros' /wanted

    @property
    def include_episode_file(self) -> bool:
        """/episode honours includeEpisodeFile and includeSeries."""
        return self.kind == "sonarr" and self.v >= (4, 0, 9, 2421)

    @property
    def sort_allow_list(self) -> bool:
        """Unknown sort keys fall back to the default; before the allow-list they gave a 500."""
        if self.kind == "sonarr":
            return self.v >= (4, 0, 9, 2421)
        if self.kind == "radarr":
            return self.v >= (5, 10, 4)
        return self.kind == "whisparr_v3"

    @property
    def movie_statistics(self) -> bool:
        return self.kind == "whisparr_v3" or (self.kind == "radarr" and self.v >= (5, 3))

    @property
    def bearer_auth(self) -> bool:
        # The Nancy-based Sonarr v3 app read only X-Api-Key and apikey.
        return not self.is_sonarr_v3_app

    @property
    def unauthorized_body(self) -> bytes:
        return b'{"error":"Unauthorized"}' if self.is_sonarr_v3_app else b""

    @property
    def command_threads(self) -> int:
        """CommandExecutor.THREAD_LIMIT: 3 in Sonarr and Whisparr v2, 2 in Radarr and Whisparr v3."""
        return 3 if self.shape == "series" else 2


def profile_for(kind: str, version: str | None = None) -> AppProfile:
    """Resolve a kind name (aliases allowed) and an optional version into a profile.

    ``kind="whisparr"`` picks v2 or v3 from the version's major number (v3 if none).
    """
    key = kind.strip().lower()
    if key == "whisparr":
        key = "whisparr_v2" if version and version.startswith("2") else "whisparr_v3"
    if key not in KIND_ALIASES:
        raise ValueError(
            f"unknown fakearr kind {kind!r}; use one of {sorted(set(KIND_ALIASES.values()))}"
        )
    key = KIND_ALIASES[key]
    chosen = version or DEFAULT_VERSIONS[key]
    try:
        parsed = parse_version(chosen)
    except ValueError as exc:
        raise ValueError(f"version {chosen!r} is not dotted numbers") from exc
    if (key == "whisparr_v2" and parsed[0] != 2) or (key == "whisparr_v3" and parsed[0] != 3):
        raise ValueError(f"version {chosen} does not belong to {key}")
    return AppProfile(kind=key, version=chosen)
