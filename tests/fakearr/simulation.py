"""Commands, searches, grabs, downloads and imports over simulated time.

A POSTed search command goes queued -> started -> completed (or failed) on the
simulation clock. When it completes, the search "finds" releases for some of its
items according to a seeded availability model; each grab puts items in the
download queue and writes "grabbed" history, and after a delay the download is
imported: the items gain files, "downloadFolderImported" history is written and
the queue entries disappear. Everything is driven by :meth:`Simulation.tick`,
which the server calls on every request and tests call through ``advance``.
"""

from __future__ import annotations

import heapq
import itertools
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import words
from .clock import SimClock
from .library import F_MONITORED, NO_AIR, Library, Movie
from .profiles import AppProfile

if TYPE_CHECKING:
    from .webhooks import Webhooks

SERIES_COMMANDS = {
    "SeriesSearch",
    "SeasonSearch",
    "EpisodeSearch",
    "MissingEpisodeSearch",
    "CutoffUnmetEpisodeSearch",
    "RefreshSeries",
    "RescanSeries",
    "DownloadedEpisodesScan",
    "RenameSeries",
}
MOVIE_COMMANDS = {
    "MoviesSearch",
    "MissingMoviesSearch",
    "CutoffUnmetMoviesSearch",
    "RefreshMovie",
    "RescanMovie",
    "DownloadedMoviesScan",
    "RenameMovie",
}
COMMON_COMMANDS = {
    "RssSync",
    "ApplicationUpdateCheck",
    "Backup",
    "CheckHealth",
    "ClearBlocklist",
    "CleanUpRecycleBin",
    "Housekeeping",
    "MessagingCleanup",
    "RefreshMonitoredDownloads",
    "ResetApiKey",
}
SEARCH_COMMANDS = {
    "SeriesSearch",
    "SeasonSearch",
    "EpisodeSearch",
    "MissingEpisodeSearch",
    "CutoffUnmetEpisodeSearch",
    "MoviesSearch",
    "MissingMoviesSearch",
    "CutoffUnmetMoviesSearch",
}
INDEXERS = ("NZBgeek", "DrunkenSlug", "Nyaa", "TorrentLeech")


@dataclass
class SimConfig:
    """Tunable behaviour; times are simulated seconds."""

    command_start_delay: float = 0.5
    command_duration: float = 2.0  # per command, plus per_item_duration per searched item
    per_item_duration: float = 0.2
    import_delay: float = 120.0  # mean; each download takes 0.5x to 1.5x this
    grab_probability: float = 0.6  # chance a findable item's search finds a release
    unfindable_fraction: float = 0.15  # items no indexer has, whatever you do
    season_pack_probability: float = 0.6  # a fully aired season finds a pack
    upgrade_probability: float = 0.4  # a below-cutoff file finds a better release
    rss_interval: float = 0.0  # 0 = off; else an RSS sync every this many seconds
    rss_probability: float = 0.5  # chance an RSS sync grabs one wanted item
    message_retention: float = 300.0  # the app forgets a finished command's message after 5 min
    command_retention: float = 86400.0  # finished command rows are trimmed a day after they end
    active_indexers: int = 3


@dataclass
class CommandState:
    id: int
    name: str
    command_name: str
    body: dict[str, Any]
    queued: float
    ready_at: float
    user_agent: str | None
    message_retention: float
    status: str = "queued"
    result: str = "unknown"
    message: str | None = None
    started: float | None = None
    ended: float | None = None
    exception: str | None = None
    state_changed: float | None = None
    fail_with: str | None = None
    stall: float = 0.0  # extra simulated seconds before completing (inf = never completes)


@dataclass
class CommandRecord:
    """Every command received, for tests and benchmarks (rates, futile searches)."""

    id: int
    name: str
    body: dict[str, Any]
    received_at: float  # simulated Unix time
    wall_time: float  # time.time() when received
    items: tuple[int, ...]  # episode or movie ids the command covers
    futile: dict[int, str]  # item id -> why it could not succeed (unaired, unavailable, ...)
    deduplicated: bool = False

    @property
    def could_not_succeed(self) -> bool:
        return bool(self.items) and len(self.futile) == len(self.items)


@dataclass
class QueueItem:
    id: int
    download_id: str
    title: str
    quality_id: int
    size: int
    grabbed_at: float
    import_at: float
    protocol: str
    indexer: str
    source: str  # search | rss
    command_id: int | None
    series_id: int | None = None
    episode_id: int | None = None
    season_number: int | None = None
    movie_id: int | None = None
    release_type: int = 1


@dataclass
class HistoryEvent:
    id: int
    event_type: str
    date: float
    source_title: str
    quality_id: int
    cutoff_not_met: bool
    download_id: str | None
    data: dict[str, str]
    series_id: int | None = None
    episode_id: int | None = None
    movie_id: int | None = None


@dataclass
class Acquisition:
    item_id: int  # episode or movie id
    at: float
    source: str  # search | rss
    command_id: int | None
    upgrade: bool


class CommandError(Exception):
    """A POST /command the app refuses: status and JSON body."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


@dataclass(order=True)
class _Event:
    due: float
    seq: int
    action: Callable[[float], None] = field(compare=False)


class Simulation:
    def __init__(
        self, profile: AppProfile, library: Library, clock: SimClock, config: SimConfig
    ) -> None:
        self.p = profile
        self.lib = library
        self.clock = clock
        self.config = config
        self.lock = library.lock
        self.rng = random.Random(library.seed * 7919 + 17)
        self.commands: dict[int, CommandState] = {}
        self.records: list[CommandRecord] = []
        self.queue: dict[int, QueueItem] = {}
        self.history: list[HistoryEvent] = []
        self.acquisitions: list[Acquisition] = []
        self._events: list[_Event] = []
        self._seq = itertools.count()
        self._ids = {
            "command": itertools.count(1),
            "queue": itertools.count(1),
            "history": itertools.count(1),
        }
        self._waiting: list[int] = []
        self._running = 0
        self._queued_episodes: dict[int, int] = {}  # episode id -> queue item id
        self._queued_movies: dict[int, int] = {}
        self.command_faults: Callable[[str], str | None] = lambda name: None
        self.command_stalls: Callable[[str], float] = lambda name: 0.0
        self.webhooks: Webhooks | None = None  # set by FakeArr; payloads are built at event time
        # A fake Prowlarr (tests/fakearr/prowlarr.py) hooks in here: each gate spends the
        # indexer queries of a command as it runs and returns False when no indexer
        # answered (all at their limit or disabled), which makes the search find nothing;
        # each listener then hears how many releases the command grabbed.
        self.search_gates: list[Callable[[str, dict, float], bool]] = []
        self.search_listeners: list[Callable[[str, dict, float, int], None]] = []
        # Queries each active indexer received, per command name (the app's own count,
        # for benchmarks/completion.py to hold the budget rule's estimate against).
        self.indexer_queries: Counter[str] = Counter()
        if config.rss_interval > 0:
            self._schedule(clock.timestamp() + config.rss_interval, self._rss)

    # ------------------------------------------------------------------ time
    def _schedule(self, due: float, action: Callable[[float], None]) -> None:
        heapq.heappush(self._events, _Event(due, next(self._seq), action))

    def tick(self) -> None:
        """Run every event that is due by the clock's now, in time order."""
        now = self.clock.timestamp()
        with self.lock:
            while self._events and self._events[0].due <= now:
                event = heapq.heappop(self._events)
                event.action(event.due)
            self._trim(now)

    def _trim(self, now: float) -> None:
        horizon = now - self.config.command_retention
        for cid in [
            c.id for c in self.commands.values() if c.ended is not None and c.ended < horizon
        ]:
            del self.commands[cid]

    # ------------------------------------------------------------------ commands
    def known_commands(self) -> set[str]:
        names = SERIES_COMMANDS if self.p.shape == "series" else MOVIE_COMMANDS
        extra = {"PerformersSearch", "StudiosSearch"} if self.p.kind == "whisparr_v3" else set()
        return names | COMMON_COMMANDS | extra

    def post_command(self, body: Any, user_agent: str | None = None) -> tuple[CommandState, bool]:
        """Accept a POST /command body; returns (command, created). Raises CommandError."""
        now = self.clock.timestamp()
        if not isinstance(body, dict):
            raise CommandError(400, {"message": "Invalid request body", "description": None})
        name = body.get("name")
        if not isinstance(name, str) or not name.strip():
            raise CommandError(
                400,
                [
                    {
                        "propertyName": "Name",
                        "errorMessage": "'Name' must not be empty.",
                        "attemptedValue": name,
                        "severity": "error",
                        "errorCode": "NotEmptyValidator",
                    }
                ],
            )
        # The controller matches the class name case-insensitively.
        canonical = next((k for k in self.known_commands() if k.lower() == name.lower()), None)
        if canonical is None:
            raise CommandError(
                500,
                {
                    "message": "Sequence contains no matching element",
                    "description": "System.InvalidOperationException: Sequence contains no matching element",
                },
            )
        fields = {k: v for k, v in body.items() if k != "name"}
        with self.lock:
            self.tick()
            for existing in self.commands.values():
                if (
                    existing.name == canonical
                    and existing.body == fields
                    and existing.status in ("queued", "started")
                ):
                    self._record(existing.id, canonical, fields, now, deduplicated=True)
                    return existing, False
            cid = next(self._ids["command"])
            cmd = CommandState(
                id=cid,
                name=canonical,
                command_name=_split_camel(canonical),
                body=fields,
                queued=now,
                ready_at=now + self.config.command_start_delay,
                user_agent=user_agent,
                message_retention=self.config.message_retention,
                state_changed=now,
                fail_with=self.command_faults(canonical),
                stall=self.command_stalls(canonical),
            )
            self.commands[cid] = cmd
            self._record(cid, canonical, fields, now)
            self._waiting.append(cid)
            self._schedule(cmd.ready_at, self._dispatch)
            return cmd, True

    def _record(
        self, cid: int, name: str, fields: dict, now: float, *, deduplicated: bool = False
    ) -> None:
        items, futile = self._analyse(name, fields, now)
        self.records.append(
            CommandRecord(
                cid, name, dict(fields), now, time.time(), items, futile, deduplicated=deduplicated
            )
        )

    def _dispatch(self, at: float) -> None:
        """Start waiting commands, oldest first, while the executor has free threads."""
        while self._waiting and self._running < self.p.command_threads:
            cmd = self.commands.get(self._waiting[0])
            if cmd is None:
                self._waiting.pop(0)
                continue
            if cmd.ready_at > at:
                break
            self._waiting.pop(0)
            self._running += 1
            cmd.status = "started"
            cmd.started = cmd.state_changed = at
            cmd.message = self._progress_message(cmd)
            n_items = len(self._analyse(cmd.name, cmd.body, at)[0])
            duration = self.config.command_duration + self.config.per_item_duration * n_items
            if cmd.stall == float("inf"):
                continue  # stuck: holds its executor thread, as a hung command does
            self._schedule(at + duration + cmd.stall, lambda t, c=cmd: self._complete(c, t))

    def _complete(self, cmd: CommandState, at: float) -> None:
        self._running -= 1
        cmd.ended = cmd.state_changed = at
        try:
            if cmd.fail_with is not None:
                raise _SearchFailed(cmd.fail_with)
            queued_before = len(self._queued_episodes) + len(self._queued_movies)
            answered = [gate(cmd.name, cmd.body, at) for gate in self.search_gates]
            if all(answered):
                self.indexer_queries[cmd.name] += self._queries_sent(cmd, at)
                cmd.message = self._execute(cmd, at)
            else:
                cmd.message = "No indexers available: query limits reached or indexers disabled."
            grabbed = len(self._queued_episodes) + len(self._queued_movies) - queued_before
            for listener in self.search_listeners:
                listener(cmd.name, cmd.body, at, max(0, grabbed))
            cmd.status = "completed"
            cmd.result = "successful"
        except _SearchFailed as exc:
            cmd.status = "failed"
            cmd.message = str(exc) or "Failed"
            cmd.exception = (
                f"NzbDrone.Core.IndexerSearch.SearchFailedException: {cmd.message}\n   at fakearr"
            )
        self._dispatch(at)

    def _progress_message(self, cmd: CommandState) -> str | None:
        if cmd.name in ("MoviesSearch", "MissingMoviesSearch", "CutoffUnmetMoviesSearch"):
            n = len(self._analyse(cmd.name, cmd.body, cmd.started or 0)[0])
            return f"Performing search for {n} movies"
        if cmd.name in SEARCH_COMMANDS:
            return f"Searching indexers for [{cmd.command_name}]. {self.config.active_indexers} active indexers"
        return None

    # ------------------------------------------------------------------ what a command covers
    def _analyse(self, name: str, body: dict, now: float) -> tuple[tuple[int, ...], dict[int, str]]:
        """Items a command covers, and for each one that cannot succeed, why."""
        lib = self.lib
        items: list[int] = []
        if name == "EpisodeSearch":
            items = [int(e) for e in _as_list(body.get("episodeIds"))]
        elif name in ("SeasonSearch", "SeriesSearch"):
            sid = _as_int(body.get("seriesId"))
            season = _as_int(body.get("seasonNumber"))
            if sid in lib.series:
                s = lib.series[sid]
                if name == "SeasonSearch":
                    items = [e for e in s.episode_ids if lib.ep_season[e - 1] == season]
                elif any(s.seasons.values()):
                    # Every monitored season, specials included (SeriesSearchService).
                    items = [e for e in s.episode_ids if s.seasons.get(lib.ep_season[e - 1], False)]
                else:
                    items = self._series_search_fallback(sid, now)
        elif name == "MoviesSearch":
            items = [int(m) for m in _as_list(body.get("movieIds"))]
        futile: dict[int, str] = {}
        for item in items:
            reason = (
                self._episode_futility(item, now)
                if self.p.shape == "series"
                else self._movie_futility(item, now)
            )
            if reason:
                futile[item] = reason
        return tuple(items), futile

    def _series_search_fallback(self, sid: int, now: float) -> list[int]:
        lib = self.lib
        return [
            e
            for e in lib.series[sid].episode_ids
            if lib.ep_flags[e - 1] & F_MONITORED
            and not lib.ep_file[e - 1]
            and lib.episode_aired(e, now)
        ]

    def _episode_futility(self, eid: int, now: float) -> str | None:
        lib = self.lib
        if not lib.episode_exists(eid):
            return "unknown"
        s = lib.series[lib.ep_series[eid - 1]]
        if not lib.episode_aired(eid, now):
            return "unaired"
        if not s.monitored or not lib.ep_flags[eid - 1] & F_MONITORED:
            return "unmonitored"
        if eid in self._queued_episodes:
            return "downloading"
        file_id = lib.ep_file[eid - 1]
        if file_id and not lib.file_cutoff_not_met(file_id):
            return "has_file"
        return None

    def _movie_futility(self, mid: int, now: float) -> str | None:
        m = self.lib.movies.get(mid)
        if m is None:
            return "unknown"
        if not self.lib.movie_is_available(m, now):
            return "unavailable"
        if not m.monitored:
            return "unmonitored"
        if mid in self._queued_movies:
            return "downloading"
        if m.file_id and not self.lib.movie_cutoff_not_met(m):
            return "has_file"
        return None

    # ------------------------------------------------------------------ indexer queries
    def _queries_sent(self, cmd: CommandState, at: float) -> int:
        """Queries each indexer gets for a search, as the app sends them.

        One per episode or movie id; a season search one query, except anime and daily
        series whose season search queries each episode it wants (by absolute number or
        air date); a series search is a season search per monitored season. A season
        with nothing wanted sends no query.
        """
        lib, body = self.lib, cmd.body
        if cmd.name == "EpisodeSearch":
            return sum(lib.episode_exists(int(e)) for e in _as_list(body.get("episodeIds")))
        if cmd.name == "MoviesSearch":
            return sum(int(m) in lib.movies for m in _as_list(body.get("movieIds")))
        sid = _as_int(body.get("seriesId"))
        if cmd.name not in ("SeasonSearch", "SeriesSearch") or sid not in lib.series:
            return 0
        s = lib.series[sid]
        if cmd.name == "SeasonSearch":
            seasons = [_as_int(body.get("seasonNumber"))]
        elif any(s.seasons.values()):
            seasons = [season for season, monitored in sorted(s.seasons.items()) if monitored]
        else:
            return len(self._series_search_fallback(sid, at))
        total = 0
        for season in seasons:
            wanted = [
                e
                for e in s.episode_ids
                if lib.ep_season[e - 1] == season
                and lib.ep_flags[e - 1] & F_MONITORED
                and self._wants(e, at)
            ]
            if s.monitored and wanted:
                total += len(wanted) if s.series_type in ("anime", "daily") else 1
        return total

    # ------------------------------------------------------------------ search execution
    def _execute(self, cmd: CommandState, at: float) -> str:
        name, body = cmd.name, cmd.body
        if name == "EpisodeSearch":
            return self._episode_search(cmd, at)
        if name == "SeasonSearch":
            sid = _as_int(body.get("seriesId"))
            season = _as_int(body.get("seasonNumber"))
            if sid not in self.lib.series:
                raise _SearchFailed(f"Series with ID {sid} does not exist")
            n = self._season_search(sid, season, at, cmd.id)
            return f"Season search completed. {n} reports downloaded."
        if name == "SeriesSearch":
            sid = _as_int(body.get("seriesId"))
            if sid not in self.lib.series:
                raise _SearchFailed(f"Series with ID {sid} does not exist")
            s = self.lib.series[sid]
            if any(s.seasons.values()):
                n = sum(
                    self._season_search(sid, season, at, cmd.id)
                    for season, monitored in sorted(s.seasons.items())
                    if monitored
                )
            else:
                # No monitored season: the app searches each monitored, aired episode without a file.
                n = sum(
                    self._try_episode(e, at, cmd.id, monitored_only=True)
                    for e in self._series_search_fallback(sid, at)
                )
            return f"Series search completed. {n} reports downloaded."
        if name in ("MissingEpisodeSearch", "CutoffUnmetEpisodeSearch"):
            ids = self._wanted_episodes(
                name == "CutoffUnmetEpisodeSearch", at, _as_int(body.get("seriesId"))
            )
            n = sum(self._try_episode(eid, at, cmd.id, monitored_only=True) for eid in ids)
            return f"Completed search for {len(ids)} episodes. {n} reports downloaded."
        if name == "MoviesSearch":
            ids = [int(m) for m in _as_list(body.get("movieIds"))]
            for mid in ids:
                if mid not in self.lib.movies:
                    raise _SearchFailed(f"Movie with ID {mid} does not exist")
            n = sum(self._try_movie(mid, at, cmd.id) for mid in ids)
            return f"Completed search for {len(ids)} movies. {n} reports downloaded."
        if name in ("MissingMoviesSearch", "CutoffUnmetMoviesSearch"):
            cutoff = name == "CutoffUnmetMoviesSearch"
            ids = [
                m.id
                for m in self.lib.movies.values()
                if m.monitored
                and m.id not in self._queued_movies
                and (
                    (cutoff and self.lib.movie_cutoff_not_met(m)) or (not cutoff and not m.file_id)
                )
            ]
            n = sum(self._try_movie(mid, at, cmd.id) for mid in ids)
            return f"Completed search for {len(ids)} movies. {n} reports downloaded."
        if name == "RssSync":
            self._rss(at, reschedule=False)
            return "RSS Sync Completed. Reports found: 0, Reports grabbed: 0"
        return "Completed"

    def _episode_search(self, cmd: CommandState, at: float) -> str:
        lib = self.lib
        ids = [int(e) for e in _as_list(cmd.body.get("episodeIds"))]
        last = 0
        for eid in ids:
            if not lib.episode_exists(eid):
                raise _SearchFailed(f"Episode with ID {eid} does not exist")
            s = lib.series[lib.ep_series[eid - 1]]
            if s.series_type == "daily" and lib.ep_air[eid - 1] == NO_AIR:
                raise _SearchFailed(f"Unable to find air date for episode {eid} of a daily series")
            # EpisodeSearch always searches with monitoredOnly=false; the message reports the last id only.
            last = self._try_episode(eid, at, cmd.id, monitored_only=False)
        return f"Episode search completed. {last} reports downloaded."

    def _season_search(self, sid: int, season: int | None, at: float, command_id: int) -> int:
        """SeasonSearch: monitoredOnly; a fully aired season may find a season pack."""
        lib = self.lib
        s = lib.series[sid]
        episodes = [e for e in s.episode_ids if lib.ep_season[e - 1] == season]
        if not s.monitored:
            return 0
        fully_aired = bool(episodes) and all(lib.episode_aired(e, at) for e in episodes)
        wanted = [e for e in episodes if lib.ep_flags[e - 1] & F_MONITORED and self._wants(e, at)]
        for e in episodes:
            if lib.ep_flags[e - 1] & F_MONITORED and lib.episode_aired(e, at):
                lib.ep_last_search[e - 1] = int(at)
        lib.touch(sid)
        if not wanted:
            return 0
        pack_found = fully_aired and self._findable(sid * 1000 + (season or 0), salt=13)
        if pack_found and self.rng.random() < self.config.season_pack_probability:
            self._grab_episodes(wanted, at, command_id, pack=True)
            return 1
        return sum(
            self._try_episode(e, at, command_id, monitored_only=True, searched=True) for e in wanted
        )

    def _wants(self, eid: int, at: float) -> bool:
        """Would a release for this episode be accepted (aired, not queued, missing or upgradable)?"""
        lib = self.lib
        if not lib.episode_aired(eid, at) or eid in self._queued_episodes:
            return False
        file_id = lib.ep_file[eid - 1]
        return not file_id or lib.file_cutoff_not_met(file_id)

    def _findable(self, key: int, salt: int = 11) -> bool:
        return (
            words.mix(self.lib.seed, key, salt) % 10_000
        ) / 10_000 >= self.config.unfindable_fraction

    def _try_episode(
        self,
        eid: int,
        at: float,
        command_id: int | None,
        *,
        monitored_only: bool,
        searched: bool = False,
    ) -> int:
        lib = self.lib
        if not lib.episode_exists(eid):
            return 0
        if not searched and lib.episode_aired(eid, at):
            lib.ep_last_search[eid - 1] = int(at)
            lib.touch(lib.ep_series[eid - 1])
        s = lib.series[lib.ep_series[eid - 1]]
        if monitored_only and not (s.monitored and lib.ep_flags[eid - 1] & F_MONITORED):
            return 0
        if not self._wants(eid, at) or not self._findable(eid):
            return 0
        upgrade = bool(lib.ep_file[eid - 1])
        chance = self.config.upgrade_probability if upgrade else self.config.grab_probability
        if self.rng.random() >= chance:
            return 0
        self._grab_episodes([eid], at, command_id, pack=False)
        return 1

    def _try_movie(self, mid: int, at: float, command_id: int | None) -> int:
        m = self.lib.movies[mid]
        m.last_search = int(at)
        # API searches skip Radarr's monitored and availability checks, but nothing
        # exists to grab before a release, so unavailable movies never find one.
        if not self.lib.movie_is_available(m, at) or mid in self._queued_movies:
            return 0
        if m.file_id and not self.lib.movie_cutoff_not_met(m):
            return 0
        if not self._findable(mid):
            return 0
        chance = self.config.upgrade_probability if m.file_id else self.config.grab_probability
        if self.rng.random() >= chance:
            return 0
        self._grab_movie(m, at, command_id)
        return 1

    # ------------------------------------------------------------------ grabs and imports
    def _release_quality(self, profile_id: int) -> int:
        return self.lib.profiles[profile_id].cutoff

    def _grab_episodes(
        self,
        ids: list[int],
        at: float,
        command_id: int | None,
        *,
        pack: bool,
        source: str = "search",
    ) -> None:
        lib = self.lib
        first = ids[0]
        s = lib.series[lib.ep_series[first - 1]]
        quality = self._release_quality(s.quality_profile_id)
        qname = lib_quality_name(self, quality)
        group = words.RELEASE_GROUPS[self.rng.randrange(len(words.RELEASE_GROUPS))]
        season = lib.ep_season[first - 1]
        dotted = s.title.replace(" ", ".").replace("(", "").replace(")", "")
        if pack:
            title = f"{dotted}.S{season:02d}.{qname}-{group}"
        else:
            title = f"{dotted}.S{season:02d}E{lib.ep_number[first - 1]:02d}.{qname}-{group}"
        download_id = f"SABnzbd_nzo_{self.rng.getrandbits(40):010x}"
        protocol = "usenet" if self.rng.random() < 0.7 else "torrent"
        indexer = INDEXERS[self.rng.randrange(len(INDEXERS))]
        import_at = at + self.config.import_delay * (0.5 + self.rng.random())
        size = 0
        queue_ids = []
        for eid in ids:
            qid = next(self._ids["queue"])
            item_size = 1_500_000_000
            size += item_size
            q = QueueItem(
                id=qid,
                download_id=download_id,
                title=title,
                quality_id=quality,
                size=item_size * len(ids) if pack else item_size,
                grabbed_at=at,
                import_at=import_at,
                protocol=protocol,
                indexer=indexer,
                source=source,
                command_id=command_id,
                series_id=s.id,
                episode_id=eid,
                season_number=lib.ep_season[eid - 1],
                release_type=3 if pack else 1,
            )
            self.queue[qid] = q
            self._queued_episodes[eid] = qid
            queue_ids.append(qid)
            self._history(
                "grabbed",
                at,
                q,
                cutoff_not_met=lib.profiles[s.quality_profile_id].cutoff_not_met(quality),
                data={
                    "indexer": indexer,
                    "releaseGroup": group,
                    "downloadClient": "SABnzbd" if protocol == "usenet" else "qBittorrent",
                    "protocol": "1" if protocol == "usenet" else "2",
                    "size": str(q.size),
                    "releaseType": "SeasonPack" if pack else "SingleEpisode",
                    "fakearrSource": source,
                },
            )
        if self.webhooks is not None:
            self.webhooks.grab(
                episode_ids=ids,
                movie_id=None,
                quality_id=quality,
                title=title,
                group=group,
                indexer=indexer,
                size=size,
                download_id=download_id,
                protocol=protocol,
            )
        self._schedule(import_at, lambda t, qids=tuple(queue_ids): self._import(qids, t))

    def _grab_movie(
        self, m: Movie, at: float, command_id: int | None, source: str = "search"
    ) -> None:
        quality = self._release_quality(m.quality_profile_id)
        group = words.RELEASE_GROUPS[self.rng.randrange(len(words.RELEASE_GROUPS))]
        title = f"{m.title.replace(' ', '.')}.{m.year}.{lib_quality_name(self, quality)}-{group}"
        protocol = "usenet" if self.rng.random() < 0.7 else "torrent"
        indexer = INDEXERS[self.rng.randrange(len(INDEXERS))]
        qid = next(self._ids["queue"])
        q = QueueItem(
            id=qid,
            download_id=f"SABnzbd_nzo_{self.rng.getrandbits(40):010x}",
            title=title,
            quality_id=quality,
            size=8_000_000_000,
            grabbed_at=at,
            import_at=at + self.config.import_delay * (0.5 + self.rng.random()),
            protocol=protocol,
            indexer=indexer,
            source=source,
            command_id=command_id,
            movie_id=m.id,
        )
        self.queue[qid] = q
        self._queued_movies[m.id] = qid
        self._history(
            "grabbed",
            at,
            q,
            cutoff_not_met=self.lib.profiles[m.quality_profile_id].cutoff_not_met(quality),
            data={
                "indexer": indexer,
                "releaseGroup": group,
                "size": str(q.size),
                "fakearrSource": source,
            },
        )
        if self.webhooks is not None:
            self.webhooks.grab(
                episode_ids=None,
                movie_id=m.id,
                quality_id=quality,
                title=title,
                group=group,
                indexer=indexer,
                size=q.size,
                download_id=q.download_id,
                protocol=protocol,
            )
        self._schedule(q.import_at, lambda t, qids=(qid,): self._import(qids, t))

    def _import(self, queue_ids: tuple[int, ...], at: float) -> None:
        lib = self.lib
        for qid in queue_ids:
            q = self.queue.pop(qid, None)
            if q is None:  # removed from the queue meanwhile
                continue
            if q.episode_id is not None:
                self._queued_episodes.pop(q.episode_id, None)
                if not lib.episode_exists(q.episode_id):
                    continue
                old = lib.ep_file[q.episode_id - 1]
                if old:
                    self._history(
                        "episodeFileDeleted",
                        at,
                        q,
                        cutoff_not_met=False,
                        data={"reason": "Upgrade"},
                    )
                lib.set_episode_file(
                    q.episode_id, quality_id=q.quality_id, now=at, release_type=q.release_type
                )
                item_id = q.episode_id
            else:
                self._queued_movies.pop(q.movie_id, None)
                m = lib.movies.get(q.movie_id)
                if m is None:
                    continue
                old = m.file_id
                if old:
                    self._history(
                        "movieFileDeleted", at, q, cutoff_not_met=False, data={"reason": "Upgrade"}
                    )
                lib.set_movie_file(m, q.quality_id, int(at))
                item_id = m.id
            self._history(
                "downloadFolderImported",
                at,
                q,
                cutoff_not_met=False,
                data={
                    "droppedPath": f"/downloads/complete/{q.title}/{q.title}.mkv",
                    "importedPath": f"/library/{q.title}.mkv",
                    "downloadClient": "SABnzbd" if q.protocol == "usenet" else "qBittorrent",
                },
            )
            self.acquisitions.append(
                Acquisition(item_id, at, q.source, q.command_id, upgrade=bool(old))
            )
            if self.webhooks is not None:
                self.webhooks.download(
                    episode_id=q.episode_id,
                    movie_id=q.movie_id,
                    is_upgrade=bool(old),
                    download_id=q.download_id,
                    protocol=q.protocol,
                    title=q.title,
                    indexer=q.indexer,
                    size=q.size,
                )

    def _history(
        self,
        event_type: str,
        at: float,
        q: QueueItem,
        *,
        cutoff_not_met: bool,
        data: dict[str, str],
    ) -> None:
        self.history.append(
            HistoryEvent(
                id=next(self._ids["history"]),
                event_type=event_type,
                date=at,
                source_title=q.title,
                quality_id=q.quality_id,
                cutoff_not_met=cutoff_not_met,
                download_id=q.download_id,
                data=data,
                series_id=q.series_id,
                episode_id=q.episode_id,
                movie_id=q.movie_id,
            )
        )

    def record_file_event(
        self,
        event_type: str,
        *,
        quality_id: int,
        title: str,
        data: dict[str, str],
        episode_id: int | None = None,
        movie_id: int | None = None,
    ) -> None:
        """History for a file change made outside a download (manual import or deletion)."""
        lib = self.lib
        with self.lock:
            if episode_id is not None:
                series_id = lib.ep_series[episode_id - 1]
                profile = lib.profiles[lib.series[series_id].quality_profile_id]
            else:
                series_id = None
                profile = lib.profiles[lib.movies[movie_id].quality_profile_id]
            self.history.append(
                HistoryEvent(
                    id=next(self._ids["history"]),
                    event_type=event_type,
                    date=self.clock.timestamp(),
                    source_title=title,
                    quality_id=quality_id,
                    cutoff_not_met=profile.cutoff_not_met(quality_id),
                    download_id=None,
                    data=data,
                    series_id=series_id,
                    episode_id=episode_id,
                    movie_id=movie_id,
                )
            )

    def remove_queue_item(self, qid: int) -> bool:
        with self.lock:
            q = self.queue.pop(qid, None)
            if q is None:
                return False
            if q.episode_id is not None:
                self._queued_episodes.pop(q.episode_id, None)
            if q.movie_id is not None:
                self._queued_movies.pop(q.movie_id, None)
            return True

    # ------------------------------------------------------------------ RSS
    def _rss(self, at: float, reschedule: bool = True) -> None:
        """An RSS sync: now and then grabs a wanted item nobody searched for."""
        if reschedule and self.config.rss_interval > 0:
            self._schedule(at + self.config.rss_interval, self._rss)
        if self.rng.random() >= self.config.rss_probability:
            return
        if self.p.shape == "series":
            candidates = self._wanted_episodes(False, at, None, limit=200)
            candidates = [e for e in candidates if self._findable(e)]
            if candidates:
                self._grab_episodes(
                    [self.rng.choice(candidates)], at, None, pack=False, source="rss"
                )
        else:
            candidates = [
                m
                for m in self.lib.movies.values()
                if m.monitored
                and not m.file_id
                and m.id not in self._queued_movies
                and self.lib.movie_is_available(m, at)
                and self._findable(m.id)
            ]
            if candidates:
                self._grab_movie(self.rng.choice(candidates), at, None, source="rss")

    def _wanted_episodes(
        self, cutoff: bool, at: float, series_id: int | None, limit: int | None = None
    ) -> list[int]:
        lib = self.lib
        out = []
        series = [lib.series[series_id]] if series_id in lib.series else lib.series.values()
        for s in series:
            if not s.monitored:
                continue
            for eid in s.episode_ids:
                i = eid - 1
                if not lib.ep_flags[i] & F_MONITORED or eid in self._queued_episodes:
                    continue
                file_id = lib.ep_file[i]
                if cutoff:
                    if file_id and lib.file_cutoff_not_met(file_id):
                        out.append(eid)
                elif not file_id and lib.episode_aired(eid, at):
                    out.append(eid)
                if limit and len(out) >= limit:
                    return out
        return out


class _SearchFailed(Exception):
    pass


def lib_quality_name(sim: Simulation, quality_id: int) -> str:
    from .qualities import quality_table

    return quality_table("radarr" if sim.p.kind == "radarr" else "tv")[quality_id].name


def _split_camel(name: str) -> str:
    out = []
    for ch in name:
        if ch.isupper() and out:
            out.append(" ")
        out.append(ch)
    return "".join(out)


def _as_list(value: Any) -> list:
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
