"""The planner: candidates in, search commands out (batcher + prioritizer).

Pure over its inputs (candidates from discovery, season facts, settings), so a
plan can be printed (dry run), tested case by case and only then written.

Batching:

* episodes missing from a season that qualifies (searchstate.seasonpack)
  -> one SeasonSearch covering them all; a series whose every aired season
  qualifies -> one SeriesSearch;
* upgrade candidates in a season (or series) that gets a pack join that
  pack: Sonarr runs SeasonSearch and SeriesSearch with missingOnly=false, so
  the pack's queries already look for upgrades of the season's cutoff-unmet
  files; a separate EpisodeSearch would search the season twice;
* other missing episodes and upgrades -> EpisodeSearch with at most
  ``batch_size`` ids. A series' episodes are kept together (full batches per
  series first); the remainders of several series are then merged, best
  first, so a library of scattered single gaps does not cost one command each;
* movies -> MoviesSearch with at most ``batch_size`` ids, best first.

Prioritizing: an entry's priority is the highest of its items'; entries are
returned in dispatch order (priority, then the order of their best item).
The item limit then keeps the best entries whole (an episode or movie batch
is trimmed to fit; a pack is never split), and counts the rest as budget used.
"""

from __future__ import annotations

from bisect import insort
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from searchstate.coverage import CommandSpec, estimated_queries
from searchstate.discovery import MOVIE, Candidate
from searchstate.seasonpack import (
    Decision,
    PackReason,
    PackSettings,
    Plan,
    SeasonFacts,
    decide,
    whole_series,
)
from searchstate.seasons import SeriesSeasons
from searchstate.states import SearchType


@dataclass
class PlannedEntry:
    command: str
    search_type: str
    items: list[Candidate]
    reason: str
    series_arr_id: int | None = None
    season_number: int | None = None
    seasons: int = 1

    @property
    def priority(self) -> int:
        return max(c.priority for c in self.items)

    @property
    def spec(self) -> CommandSpec:
        if self.command in ("SeriesSearch", "SeasonSearch"):
            return CommandSpec(
                self.command, series_id=self.series_arr_id, season_number=self.season_number
            )
        return CommandSpec(self.command, ids=tuple(c.arr_id for c in self.items))

    @property
    def payload(self) -> dict:
        return self.spec.body()

    @property
    def estimated_queries(self) -> int:
        return estimated_queries(
            self.spec,
            seasons=self.seasons,
            series_type=self.items[0].series_type if self.items else "",
            episodes=len(self.items),
        )

    def sort_key(self) -> tuple:
        best = self.items[0]
        return (-self.priority, best.series_id or 0, best.season_number or 0, best.arr_id)


@dataclass
class SearchPlan:
    entries: list[PlannedEntry] = field(default_factory=list)
    #: Items left out because the sweep's item limit was reached.
    over_limit: int = 0
    #: Season decisions taken, for dry-run output and "why".
    decisions: dict[tuple[int, int], Decision] = field(default_factory=dict)
    #: Items held back while their season's pack search (which found nothing) cools down.
    held: int = 0

    @property
    def item_count(self) -> int:
        return sum(len(e.items) for e in self.entries)


def _batches(items: Sequence[Candidate], size: int) -> list[list[Candidate]]:
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def _by_priority(items: Iterable[Candidate]) -> list[Candidate]:
    return sorted(items, key=lambda c: (-c.priority, c.season_number or 0, c.arr_id))


def batch_episodes(
    candidates: Iterable[Candidate], *, batch_size: int, search_type: str, reason: str
) -> list[PlannedEntry]:
    """EpisodeSearch entries: full batches per series, then remainders merged best first."""
    per_series: dict[int, list[Candidate]] = defaultdict(list)
    for c in candidates:
        per_series[c.series_id].append(c)
    entries: list[PlannedEntry] = []
    remainders: list[list[Candidate]] = []
    for items in per_series.values():
        for batch in _batches(_by_priority(items), batch_size):
            if len(batch) == batch_size:
                entries.append(PlannedEntry("EpisodeSearch", search_type, batch, reason))
            else:
                remainders.append(batch)
    remainders.sort(key=lambda b: -max(c.priority for c in b))
    merged: list[list[Candidate]] = []
    # Open bins by free room, each list in creation order: first fit in
    # O(batch size) per remainder instead of a scan of every bin.
    by_room: dict[int, list[int]] = defaultdict(list)
    for batch in remainders:
        fits = [by_room[room][0] for room in range(len(batch), batch_size + 1) if by_room[room]]
        if not fits:
            merged.append(list(batch))
            index = len(merged) - 1
        else:
            index = min(fits)  # the earliest (best) bin with room keeps priority order
            by_room[batch_size - len(merged[index])].remove(index)
            merged[index].extend(batch)
        room = batch_size - len(merged[index])
        if room:
            insort(by_room[room], index)
    entries.extend(
        PlannedEntry("EpisodeSearch", search_type, _by_priority(m), reason) for m in merged
    )
    return entries


def batch_movies(
    candidates: Iterable[Candidate], *, batch_size: int, search_type: str
) -> list[PlannedEntry]:
    reason = "missing movies" if search_type == SearchType.GAP else "cutoff not met"
    return [
        PlannedEntry("MoviesSearch", search_type, batch, reason)
        for batch in _batches(_by_priority(candidates), batch_size)
    ]


def plan_gaps_for_series(
    gaps: Sequence[Candidate],
    seasons: SeriesSeasons,
    *,
    pack: PackSettings,
    series_search: bool,
    batch_size: int,
    now: datetime,
    force: bool = False,
) -> tuple[list[PlannedEntry], dict[tuple[int, int], Decision], int]:
    """Season packs, series searches and episode batches for missing episodes.

    Also returns how many items wait for their season's pack cooldown (none
    when ``force``: a manual search-now searches them one by one).
    """
    by_season: dict[tuple[int, int], list[Candidate]] = defaultdict(list)
    for c in gaps:
        by_season[(c.series_id, c.season_number)].append(c)
    decisions = _season_decisions(by_season, seasons, pack=pack, now=now)

    entries: list[PlannedEntry] = []
    held = 0
    loose: dict[str, list[Candidate]] = defaultdict(list)
    seasons_of: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for key in by_season:
        seasons_of[key[0]].append(key)
    for series_id in sorted(seasons_of):
        keys = sorted(seasons_of[series_id])
        per_season = {k[1]: decisions[k] for k in keys if k in decisions}
        aired = seasons.aired_seasons.get(series_id, set())
        if series_search and whole_series(per_season, aired_seasons=aired):
            entries.append(_series_entry([c for k in keys for c in by_season[k]], aired))
            continue
        for key in keys:
            decision = decisions.get(key)
            if decision is None:
                continue
            items = by_season[key]
            if decision.plan == Plan.PACK:
                entries.append(_season_entry(items, key, decision, seasons.facts[key]))
            elif decision.plan == Plan.WAIT and not force:
                held += len(items)
            else:
                loose[decision.reason.value].extend(items)
    for reason, items in loose.items():
        entries.extend(
            batch_episodes(
                items,
                batch_size=batch_size,
                search_type=SearchType.GAP,
                reason=f"missing episodes ({_pack_reason_text(reason)})",
            )
        )
    return entries, decisions, held


def _season_decisions(
    by_season: dict[tuple[int, int], list[Candidate]],
    seasons: SeriesSeasons,
    *,
    pack: PackSettings,
    now: datetime,
) -> dict[tuple[int, int], Decision]:
    """Pack or not, per (series, season) that has gaps."""
    decisions: dict[tuple[int, int], Decision] = {}
    for key in by_season:
        facts = seasons.facts.get(key)
        if facts is None:  # the series vanished between discovery and planning
            continue
        decisions[key] = decide(facts, seasons.history.get(key), settings=pack, now=now)
    return decisions


def _series_entry(items: list[Candidate], aired: set[int]) -> PlannedEntry:
    """One SeriesSearch: every aired season of the series qualifies for a pack."""
    return PlannedEntry(
        "SeriesSearch",
        SearchType.GAP,
        _by_priority(items),
        f"whole series missing: {len(aired - {0})} aired seasons qualify for packs",
        series_arr_id=items[0].series_arr_id,
        seasons=len(aired),
    )


def _season_entry(
    items: list[Candidate], key: tuple[int, int], decision: Decision, facts: SeasonFacts
) -> PlannedEntry:
    """One SeasonSearch for a season that qualifies for a pack."""
    return PlannedEntry(
        "SeasonSearch",
        SearchType.GAP,
        _by_priority(items),
        f"season pack: {len(items)} of {facts.episode_count} missing, "
        f"fully aired ({decision.reason.value})",
        series_arr_id=items[0].series_arr_id,
        season_number=key[1],
    )


_PACK_REASON_TEXT = {
    PackReason.PACKS_OFF: "season packs off",
    PackReason.SPECIALS: "specials",
    PackReason.STILL_AIRING: "season still airing",
    PackReason.DOWNLOADING: "part of the season is downloading",
    PackReason.PACK_COOLDOWN: "pack search in cooldown",
    PackReason.PACK_FAILED: "last pack search failed",
    PackReason.PACK_FOUND_NOTHING: "pack search found nothing",
    PackReason.BELOW_THRESHOLD: "too few missing for a pack",
}


def _pack_reason_text(reason: str) -> str:
    return _PACK_REASON_TEXT.get(PackReason(reason), reason)


def fold_upgrades_into_packs(
    entries: Sequence[PlannedEntry], upgrades: Iterable[Candidate]
) -> list[Candidate]:
    """Move upgrade candidates a pack covers into it; return the others.

    A SeasonSearch covers the monitored episodes of its season, a SeriesSearch
    those of its monitored seasons (searchstate.coverage), files included.
    """
    by_season: dict[tuple[int, int], PlannedEntry] = {}
    by_series: dict[int, PlannedEntry] = {}
    for entry in entries:
        if entry.command == "SeasonSearch":
            by_season[(entry.items[0].series_id, entry.season_number)] = entry
        elif entry.command == "SeriesSearch":
            by_series[entry.items[0].series_id] = entry
    if not by_season and not by_series:
        return list(upgrades)
    rest: list[Candidate] = []
    joined: dict[int, int] = defaultdict(int)
    for c in upgrades:
        entry = by_series.get(c.series_id) or by_season.get((c.series_id, c.season_number))
        if entry is None:
            rest.append(c)
            continue
        entry.items.append(c)
        joined[id(entry)] += 1
    for entry in entries:
        if joined[id(entry)]:
            entry.items = _by_priority(entry.items)
            entry.reason += f"; covers {joined[id(entry)]} upgrade(s) too"
    return rest


def apply_limit(entries: list[PlannedEntry], limit: int | None) -> tuple[list[PlannedEntry], int]:
    """Keep the best entries within ``limit`` items; return them and the items left out."""
    ordered = sorted(entries, key=PlannedEntry.sort_key)
    if limit is None:
        return ordered, 0
    kept: list[PlannedEntry] = []
    room = limit
    left_out = 0
    for entry in ordered:
        if len(entry.items) <= room:
            kept.append(entry)
            room -= len(entry.items)
        elif room > 0 and entry.command in ("EpisodeSearch", "MoviesSearch"):
            kept.append(
                PlannedEntry(entry.command, entry.search_type, entry.items[:room], entry.reason)
            )
            left_out += len(entry.items) - room
            room = 0
        else:
            left_out += len(entry.items)
    return kept, left_out


def build_plan(
    *,
    gaps: Sequence[Candidate],
    upgrades: Sequence[Candidate],
    seasons: SeriesSeasons | None,
    pack: PackSettings,
    series_search: bool,
    batch_size: int,
    item_limit: int | None,
    now: datetime,
    force: bool = False,
) -> SearchPlan:
    entries: list[PlannedEntry] = []
    decisions: dict[tuple[int, int], Decision] = {}
    held = 0
    movies = bool(gaps and gaps[0].kind == MOVIE) or bool(upgrades and upgrades[0].kind == MOVIE)
    if movies:
        entries += batch_movies(gaps, batch_size=batch_size, search_type=SearchType.GAP)
        entries += batch_movies(upgrades, batch_size=batch_size, search_type=SearchType.UPGRADE)
    else:
        if gaps:
            gap_entries, decisions, held = plan_gaps_for_series(
                gaps,
                seasons or SeriesSeasons({}, {}, {}),
                pack=pack,
                series_search=series_search,
                batch_size=batch_size,
                now=now,
                force=force,
            )
            entries += gap_entries
            upgrades = fold_upgrades_into_packs(gap_entries, upgrades)
        entries += batch_episodes(
            upgrades, batch_size=batch_size, search_type=SearchType.UPGRADE, reason="cutoff not met"
        )
    kept, left_out = apply_limit(entries, item_limit)
    return SearchPlan(entries=kept, over_limit=left_out, decisions=decisions, held=held)
