"""Quality definitions and quality profiles, per app family.

Ids and names follow the apps' built-in quality definitions; rank is the order
in which a profile lists them (lowest first), which is what cutoff comparison uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class QualityDef:
    id: int
    name: str
    source: str
    resolution: int
    modifier: str = "none"


# Sonarr, Whisparr v2 and Whisparr v3 use television/web/webRip/dvd/bluray sources.
TV_QUALITIES = (
    QualityDef(1, "SDTV", "television", 480),
    QualityDef(2, "DVD", "dvd", 480),
    QualityDef(4, "HDTV-720p", "television", 720),
    QualityDef(5, "WEBDL-720p", "web", 720),
    QualityDef(14, "WEBRip-720p", "webRip", 720),
    QualityDef(6, "Bluray-720p", "bluray", 720),
    QualityDef(9, "HDTV-1080p", "television", 1080),
    QualityDef(3, "WEBDL-1080p", "web", 1080),
    QualityDef(15, "WEBRip-1080p", "webRip", 1080),
    QualityDef(7, "Bluray-1080p", "bluray", 1080),
    QualityDef(16, "HDTV-2160p", "television", 2160),
    QualityDef(18, "WEBDL-2160p", "web", 2160),
    QualityDef(19, "Bluray-2160p", "bluray", 2160),
)

# Radarr names its sources differently and adds modifiers (remux, ...).
MOVIE_QUALITIES = (
    QualityDef(1, "SDTV", "tv", 480),
    QualityDef(2, "DVD", "dvd", 480),
    QualityDef(4, "HDTV-720p", "tv", 720),
    QualityDef(5, "WEBDL-720p", "webdl", 720),
    QualityDef(14, "WEBRip-720p", "webrip", 720),
    QualityDef(6, "Bluray-720p", "bluray", 720),
    QualityDef(9, "HDTV-1080p", "tv", 1080),
    QualityDef(3, "WEBDL-1080p", "webdl", 1080),
    QualityDef(15, "WEBRip-1080p", "webrip", 1080),
    QualityDef(7, "Bluray-1080p", "bluray", 1080),
    QualityDef(30, "Remux-1080p", "bluray", 1080, "remux"),
    QualityDef(16, "HDTV-2160p", "tv", 2160),
    QualityDef(18, "WEBDL-2160p", "webdl", 2160),
    QualityDef(19, "Bluray-2160p", "bluray", 2160),
    QualityDef(31, "Remux-2160p", "bluray", 2160, "remux"),
)


@dataclass
class QualityProfile:
    id: int
    name: str
    upgrade_allowed: bool
    cutoff: int  # quality id
    allowed: tuple[int, ...]  # quality ids, lowest rank first
    cutoff_format_score: int = 0
    min_format_score: int = 0
    _rank: dict[int, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._rank = {qid: i for i, qid in enumerate(self.allowed)}

    def rank(self, quality_id: int) -> int:
        return self._rank.get(quality_id, -1)

    def cutoff_not_met(self, quality_id: int) -> bool:
        """UpgradableSpecification.QualityCutoffNotMet: quality only, never the format score."""
        cutoff = self.cutoff if self.upgrade_allowed else self.allowed[0]
        return self.rank(quality_id) < self.rank(cutoff)

    def lowest(self) -> int:
        return self.allowed[0]


def default_profiles() -> list[QualityProfile]:
    """Three profiles: one without upgrades, two with different cutoffs."""
    return [
        QualityProfile(
            1, "Any", upgrade_allowed=False, cutoff=1, allowed=(1, 2, 4, 5, 14, 6, 9, 3, 15, 7)
        ),
        QualityProfile(
            2,
            "HD-1080p",
            upgrade_allowed=True,
            cutoff=7,
            allowed=(4, 5, 14, 6, 9, 3, 15, 7),
            cutoff_format_score=100,
        ),
        QualityProfile(
            3, "HD-720p/1080p", upgrade_allowed=True, cutoff=3, allowed=(4, 5, 14, 6, 9, 3, 15, 7)
        ),
    ]


def quality_table(shape_family: str) -> dict[int, QualityDef]:
    table = MOVIE_QUALITIES if shape_family == "radarr" else TV_QUALITIES
    return {q.id: q for q in table}
