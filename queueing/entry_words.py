"""What a queue entry searches, in words, with links to its items (the queue page's rows).

"The Expanse S02 (season pack, 13 episodes)", "5 movies: Dune (2021), ...",
"3 episodes of The Expanse: S01E02, ...". The items of every shown entry are read
in ONE query: a window function keeps the first few links of each entry, so a
series search over 300 episodes costs no more than a one-episode search.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import F, Window
from django.db.models.functions import RowNumber

from comradarr.words import counted
from queueing.models import RequestQueue, RequestQueueItem
from searchstate import hooks

#: Items named (and linked) per entry; the rest are counted ("and 10 more").
NAMED_ITEMS = 4


@dataclass
class Part:
    """One piece of the description: text before it, then a label (a link when url is set)."""

    before: str
    label: str
    url: str = ""


@dataclass
class EntryWords:
    """An entry's description as parts (items linked) and a count of unnamed items."""

    parts: list[Part] = field(default_factory=list)
    more: int = 0

    @property
    def text(self) -> str:
        tail = f", and {self.more} more" if self.more else ""
        return "".join(p.before + p.label for p in self.parts) + tail


def _episode_code(ep) -> str:
    if ep.episode_number is None:
        return ep.title or f"season {ep.season_number}"
    return f"S{ep.season_number:02d}E{ep.episode_number:02d}"


def _listed(lead: str, items: list[Part], more: int) -> EntryWords:
    """``lead`` then the items separated by commas: "5 movies: Dune (2021), Heat (1995)"."""
    parts = [Part("", lead)] if lead else []
    for n, item in enumerate(items):
        item.before = (": " if lead else "") if n == 0 else ", "
        parts.append(item)
    return EntryWords(parts=parts, more=more)


def _describe(entry: RequestQueue, links: list[RequestQueueItem]) -> EntryWords:
    count = max(entry.item_count, len(links))
    more = max(0, count - len(links))
    episodes = [link.registry.episode for link in links if link.registry.episode_id]
    movies = [link.registry.movie for link in links if link.registry.movie_id]
    if movies:
        items = [Part("", str(m), hooks.item_page_url(kind="movie", pk=m.pk)) for m in movies]
        return _listed(counted(count, "movie") if count > 1 else "", items, more)
    if not episodes:
        # Every item was resolved or removed since planning: only the count is left.
        noun = "movie" if entry.command == RequestQueue.Command.MOVIES_SEARCH else "episode"
        return EntryWords(parts=[Part("", f"{counted(entry.item_count, noun)} (no longer linked)")])
    series = episodes[0].series
    one_series = all(ep.series_id == series.pk for ep in episodes)
    series_part = Part("", series.title, hooks.item_page_url(kind="series", pk=series.pk))
    if entry.command == RequestQueue.Command.SEASON_SEARCH and one_series:
        season = (
            entry.season_number if entry.season_number is not None else episodes[0].season_number
        )
        pack = f"S{season:02d} (season pack, {counted(count, 'episode')})"
        return EntryWords(parts=[series_part, Part(" ", pack)])
    if entry.command == RequestQueue.Command.SERIES_SEARCH and one_series:
        return EntryWords(
            parts=[series_part, Part(" ", f"(whole series, {counted(count, 'episode')})")]
        )
    codes = [
        Part(
            "",
            _episode_code(ep) if one_series else f"{ep.series.title} {_episode_code(ep)}",
            hooks.item_page_url(kind="episode", pk=ep.pk),
        )
        for ep in episodes
    ]
    if count == 1 and one_series:
        codes[0].before = " "
        return EntryWords(parts=[series_part, codes[0]])
    if one_series:
        words = _listed("", codes, more)
        words.parts[0].before = ": "
        lead = Part("", f"{counted(count, 'episode')} of ")
        return EntryWords(parts=[lead, series_part, *words.parts], more=more)
    return _listed(counted(count, "episode"), codes, more)


def describe_entries(entries: list[RequestQueue]) -> None:
    """Set ``entry.words`` on each entry, reading all their first items in one query."""
    if not entries:
        return
    ranked = (
        RequestQueueItem.objects.filter(entry__in=[e.pk for e in entries])
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("entry_id")],
                order_by=[
                    F("registry__episode__season_number").asc(nulls_last=True),
                    F("registry__episode__episode_number").asc(nulls_last=True),
                    F("registry__movie__sort_title").asc(nulls_last=True),
                    F("pk").asc(),
                ],
            )
        )
        .filter(rank__lte=NAMED_ITEMS)
        .select_related("registry__episode__series", "registry__movie")
        .order_by("entry_id", "rank")
    )
    by_entry: dict[int, list[RequestQueueItem]] = defaultdict(list)
    for link in ranked:
        by_entry[link.entry_id].append(link)
    for entry in entries:
        entry.words = _describe(entry, by_entry.get(entry.pk, []))
