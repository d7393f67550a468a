"""The season-pack decision: one SeasonSearch, or episodes one by one?

A pure function over plain dataclasses, so every branch is a table row in the
tests. A season pack is the cheapest way to fill a season (one indexer query
per indexer instead of one per episode) but only exists once the season has
fully aired, and only pays off when a good part of the season is missing.

Order of the tree (first match decides):

1. nothing missing                             -> nothing (NOTHING_MISSING)
2. pack searching switched off                 -> episodes (PACKS_OFF)
3. specials (season 0)                         -> episodes (SPECIALS): nobody packs specials
4. season still airing (next airing, an
   unaired or TBA episode)                     -> episodes (STILL_AIRING)
5. a missing episode is already downloading    -> episodes (DOWNLOADING): a pack would
                                                   compete with the running download
6. last pack search still in its cooldown      -> wait (PACK_COOLDOWN) when it found
                                                   nothing: its season query already saw
                                                   the single-episode releases, so the
                                                   episodes go one by one only once the
                                                   pack cooled down (the hybrid, 8.);
                                                   after a grab or a failure -> episodes
                                                   (PACK_COOLDOWN) for what is left
7. last pack search failed                     -> episodes (PACK_FAILED)
8. last pack search found nothing              -> episodes (PACK_FOUND_NOTHING): the hybrid,
                                                   individually once the pack cooled down
9. missing >= min count or ratio >= min ratio  -> pack (THRESHOLD_MET)
10. otherwise                                  -> episodes (BELOW_THRESHOLD)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from searchstate.states import PackOutcome


class Plan(StrEnum):
    PACK = "pack"
    EPISODES = "episodes"
    #: Not now: the season's pack search found nothing and is still cooling down.
    WAIT = "wait"
    NOTHING = "nothing"


class PackReason(StrEnum):
    PACKS_OFF = "packs_off"
    SPECIALS = "specials"
    NOTHING_MISSING = "nothing_missing"
    STILL_AIRING = "still_airing"
    DOWNLOADING = "downloading"
    PACK_COOLDOWN = "pack_cooldown"
    PACK_FAILED = "pack_failed"
    PACK_FOUND_NOTHING = "pack_found_nothing"
    THRESHOLD_MET = "threshold_met"
    BELOW_THRESHOLD = "below_threshold"


@dataclass(frozen=True)
class PackSettings:
    enabled: bool = True
    min_ratio: float = 0.5
    min_missing: int = 5
    cooldown: timedelta = timedelta(days=7)


@dataclass(frozen=True)
class SeasonFacts:
    season_number: int
    #: Episodes of the season in the mirror (the denominator of the ratio).
    episode_count: int
    #: Missing, monitored, aired episodes eligible for a search now.
    missing: int
    #: Episodes of the season that have not aired or have no air date.
    unaired: int = 0
    next_airing: datetime | None = None
    #: Missing episodes of this season already in the *arr's download queue.
    downloading: int = 0


@dataclass(frozen=True)
class PackHistory:
    last_searched_at: datetime | None = None
    last_outcome: str | None = None  # a PackOutcome value


@dataclass(frozen=True)
class Decision:
    plan: Plan
    reason: PackReason

    def __str__(self) -> str:
        return f"{self.plan.value} ({self.reason.value})"


def decide(
    season: SeasonFacts,
    history: PackHistory | None = None,
    *,
    settings: PackSettings | None = None,
    now: datetime,
) -> Decision:
    cfg = settings or PackSettings()
    hist = history or PackHistory()
    if season.missing <= 0:
        return Decision(Plan.NOTHING, PackReason.NOTHING_MISSING)
    if not cfg.enabled:
        return Decision(Plan.EPISODES, PackReason.PACKS_OFF)
    if season.season_number == 0:
        return Decision(Plan.EPISODES, PackReason.SPECIALS)
    if season.unaired > 0 or (season.next_airing is not None and season.next_airing > now):
        return Decision(Plan.EPISODES, PackReason.STILL_AIRING)
    if season.downloading > 0:
        return Decision(Plan.EPISODES, PackReason.DOWNLOADING)
    if hist.last_searched_at is not None and now < hist.last_searched_at + cfg.cooldown:
        if hist.last_outcome == PackOutcome.NO_RESULTS:
            return Decision(Plan.WAIT, PackReason.PACK_COOLDOWN)
        return Decision(Plan.EPISODES, PackReason.PACK_COOLDOWN)
    if hist.last_outcome == PackOutcome.FAILED:
        return Decision(Plan.EPISODES, PackReason.PACK_FAILED)
    if hist.last_outcome == PackOutcome.NO_RESULTS:
        return Decision(Plan.EPISODES, PackReason.PACK_FOUND_NOTHING)
    ratio = season.missing / season.episode_count if season.episode_count else 1.0
    if season.missing >= cfg.min_missing or ratio >= cfg.min_ratio:
        return Decision(Plan.PACK, PackReason.THRESHOLD_MET)
    return Decision(Plan.EPISODES, PackReason.BELOW_THRESHOLD)


def whole_series(decisions: dict[int, Decision], *, aired_seasons: set[int]) -> bool:
    """SeriesSearch when every aired regular season qualifies for a pack (two or more).

    One SeriesSearch then replaces one SeasonSearch per season. Specials are
    ignored: SeriesSearch covers them but they never decide.
    """
    regular = {n for n in aired_seasons if n != 0}
    if len(regular) < 2:
        return False
    return all(n in decisions and decisions[n].plan == Plan.PACK for n in regular)
