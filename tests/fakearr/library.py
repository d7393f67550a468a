"""The simulated library: series/seasons/episodes/files or movies, generated from a seed.

Episodes and episode files are stored column-wise in ``array`` objects (an episode
is an index, its id is index + 1), because a 500,000-episode library of Python
objects would cost hundreds of megabytes. Series and movies are few enough to be
small slotted objects. JSON is rendered per request by tests/fakearr/render.py.

All times are integer Unix seconds; ``NO_AIR`` marks a TBA episode.
"""

from __future__ import annotations

import random
import threading
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from . import words
from .qualities import QualityProfile, default_profiles

NO_AIR = -(2**62)
DAY = 86400
WEEK = 7 * DAY
YEAR = 365 * DAY

# Episode flag bits.
F_MONITORED = 1
F_DELETED = 2

# File release types (EpisodeFileResource.releaseType).
RELEASE_TYPES = ("unknown", "singleEpisode", "multiEpisode", "seasonPack")


@dataclass(slots=True)
class Series:
    id: int
    title: str
    sort_title: str
    year: int
    status: str  # continuing | ended | upcoming
    monitored: bool
    series_type: str  # standard | daily | anime
    quality_profile_id: int
    tvdb_id: int
    tmdb_id: int
    tvmaze_id: int
    imdb_id: str
    network: str
    runtime: int  # minutes
    added: int
    genres: tuple[str, ...]
    tags: tuple[int, ...]
    seasons: dict[int, bool]  # season number -> monitored
    episode_ids: array  # ids sorted by (season, number)
    version: int = 0  # bumped on every change; statistics caches key on it
    stats_cache: tuple | None = None


@dataclass(slots=True)
class Movie:
    id: int
    title: str
    sort_title: str
    year: int
    monitored: bool
    minimum_availability: str  # announced | inCinemas | released (Radarr)
    in_cinemas: int | None
    digital_release: int | None
    physical_release: int | None
    release_date: int | None  # Whisparr v3 release date; Radarr derives it
    quality_profile_id: int
    tmdb_id: int
    imdb_id: str
    runtime: int
    added: int
    item_type: str  # movie | scene (Whisparr v3)
    studio: str
    genres: tuple[str, ...]
    tags: tuple[int, ...]
    file_id: int = 0
    file_quality: int = 0
    file_size: int = 0
    file_added: int = 0
    file_group: int = 0
    last_search: int = 0


@dataclass
class LibraryConfig:
    seed: int = 1
    series: int = 20
    episodes_per_series: int = 60
    movies: int = 50
    tags: tuple[str, ...] = ("hd", "anime", "kids", "4k")


def _zero_statistics() -> dict[str, Any]:
    """The statistics of an empty season (and the start of a series' totals)."""
    return {
        "episodeFileCount": 0,
        "episodeCount": 0,
        "totalEpisodeCount": 0,
        "sizeOnDisk": 0,
        "releaseGroups": set(),
        "nextAiring": None,
        "previousAiring": None,
    }


class Library:
    """Mutable library for one simulated app. Thread-safe through ``lock``."""

    def __init__(self, *, shape: str, kind: str, seed: int, now: float) -> None:
        self.shape = shape  # "series" | "movies"
        self.kind = kind
        self.seed = seed
        self.created_at = now
        self.lock = threading.RLock()
        self.profiles: dict[int, QualityProfile] = {p.id: p for p in default_profiles()}
        self.tags: dict[int, str] = {}
        self.series: dict[int, Series] = {}
        self.movies: dict[int, Movie] = {}
        self.movie_files: dict[int, int] = {}  # movie file id -> movie id
        # Episode columns (index = id - 1).
        self.ep_series = array("i")
        self.ep_season = array("h")
        self.ep_number = array("h")
        self.ep_absolute = array("h")  # 0 = none
        self.ep_air = array("q")
        self.ep_flags = array("B")
        self.ep_file = array("i")  # 0 = no file
        self.ep_last_search = array("q")  # 0 = never searched
        # Episode file columns (index = file id - 1).
        self.f_episode = array("i")  # 0 = deleted
        self.f_quality = array("B")
        self.f_size = array("q")
        self.f_added = array("q")
        self.f_group = array("B")
        self.f_release_type = array("B")
        self.revision = 0  # bumped on every change to episodes or files
        self._next_series_id = 1
        self._next_movie_id = 1
        self._next_movie_file_id = 1
        self.rng = random.Random(seed)

    # ------------------------------------------------------------------ episodes
    def episode_count(self) -> int:
        return len(self.ep_series)

    def episode_exists(self, episode_id: int) -> bool:
        i = episode_id - 1
        return 0 <= i < len(self.ep_series) and not self.ep_flags[i] & F_DELETED

    def episode_monitored(self, episode_id: int) -> bool:
        return bool(self.ep_flags[episode_id - 1] & F_MONITORED)

    def episode_air(self, episode_id: int) -> int | None:
        air = self.ep_air[episode_id - 1]
        return None if air == NO_AIR else air

    def episode_aired(self, episode_id: int, now: float) -> bool:
        air = self.ep_air[episode_id - 1]
        return air != NO_AIR and air <= now

    def episode_file_id(self, episode_id: int) -> int:
        return self.ep_file[episode_id - 1]

    def iter_episodes(self, series_id: int | None = None) -> Iterator[int]:
        """Ids of live episodes, one series (in season/number order) or the whole library."""
        if series_id is not None:
            yield from self.series[series_id].episode_ids
            return
        for s in self.series.values():
            yield from s.episode_ids

    def _append_episode(
        self, series_id: int, season: int, number: int, air: int, monitored: bool, absolute: int = 0
    ) -> int:
        self.ep_series.append(series_id)
        self.ep_season.append(season)
        self.ep_number.append(number)
        self.ep_absolute.append(absolute)
        self.ep_air.append(air)
        self.ep_flags.append(F_MONITORED if monitored else 0)
        self.ep_file.append(0)
        self.ep_last_search.append(0)
        return len(self.ep_series)

    def _add_file(self, episode_id: int, quality: int, added: int, release_type: int = 1) -> int:
        q = self.rng
        self.f_episode.append(episode_id)
        self.f_quality.append(quality)
        self.f_size.append(_episode_size(quality, q))
        self.f_added.append(added)
        self.f_group.append(q.randrange(len(words.RELEASE_GROUPS)))
        self.f_release_type.append(release_type)
        file_id = len(self.f_episode)
        self.ep_file[episode_id - 1] = file_id
        return file_id

    def file_cutoff_not_met(self, file_id: int) -> bool:
        episode_id = self.f_episode[file_id - 1]
        profile = self.profiles[self.series[self.ep_series[episode_id - 1]].quality_profile_id]
        return profile.cutoff_not_met(self.f_quality[file_id - 1])

    def touch(self, series_id: int) -> None:
        self.revision += 1
        self.series[series_id].version += 1
        self.series[series_id].stats_cache = None

    # ------------------------------------------------------------------ statistics
    def season_statistics(self, series_id: int, now: float) -> tuple[dict[int, dict], dict]:
        """Season and series statistics with Sonarr's semantics (SeriesStatisticsRepository).

        totalEpisodeCount counts every episode; episodeCount counts episodes that are
        monitored and aired, or have a file; next/previous airing look at monitored
        episodes only; series totals include specials, seasonCount does not.
        Cached until the series changes or the next monitored episode airs.
        """
        s = self.series[series_id]
        cache = s.stats_cache
        if cache is not None and cache[0] == s.version and now < cache[1]:
            return cache[2], cache[3]
        seasons: dict[int, dict] = {n: _zero_statistics() for n in s.seasons}
        valid_until = float("inf")
        ep_season, ep_air, ep_flags, ep_file = (
            self.ep_season,
            self.ep_air,
            self.ep_flags,
            self.ep_file,
        )
        f_size, f_group = self.f_size, self.f_group
        for eid in s.episode_ids:
            i = eid - 1
            st = seasons[ep_season[i]]
            st["totalEpisodeCount"] += 1
            air = ep_air[i]
            monitored = ep_flags[i] & F_MONITORED
            file_id = ep_file[i]
            aired = air != NO_AIR and air <= now
            if file_id:
                st["episodeFileCount"] += 1
                st["sizeOnDisk"] += f_size[file_id - 1]
                st["releaseGroups"].add(words.RELEASE_GROUPS[f_group[file_id - 1]])
            if (monitored and aired) or file_id:
                st["episodeCount"] += 1
            if monitored and air != NO_AIR:
                if aired:
                    if st["previousAiring"] is None or air > st["previousAiring"]:
                        st["previousAiring"] = air
                else:
                    if st["nextAiring"] is None or air < st["nextAiring"]:
                        st["nextAiring"] = air
                    valid_until = min(valid_until, air)
        total = {"seasonCount": sum(1 for n in seasons if n > 0), **_zero_statistics()}
        for st in seasons.values():
            for key in ("episodeFileCount", "episodeCount", "totalEpisodeCount", "sizeOnDisk"):
                total[key] += st[key]
            total["releaseGroups"] |= st["releaseGroups"]
            if st["nextAiring"] is not None and (
                total["nextAiring"] is None or st["nextAiring"] < total["nextAiring"]
            ):
                total["nextAiring"] = st["nextAiring"]
            if st["previousAiring"] is not None and (
                total["previousAiring"] is None or st["previousAiring"] > total["previousAiring"]
            ):
                total["previousAiring"] = st["previousAiring"]
        airs = [
            ep_air[e - 1] for e in s.episode_ids if ep_air[e - 1] != NO_AIR and ep_season[e - 1] > 0
        ]
        first_last = (min(airs), max(airs)) if airs else (None, None)
        for st in (*seasons.values(), total):
            st["releaseGroups"] = sorted(st["releaseGroups"])
            st["percentOfEpisodes"] = (
                st["episodeFileCount"] / st["episodeCount"] * 100.0 if st["episodeCount"] else 0.0
            )
        s.stats_cache = (s.version, valid_until, seasons, total, first_last)
        return seasons, total

    def first_last_aired(self, series_id: int, now: float) -> tuple[int | None, int | None]:
        """Earliest and latest air time of regular (non-special) episodes, cached with the statistics."""
        self.season_statistics(series_id, now)
        return self.series[series_id].stats_cache[4]

    # ------------------------------------------------------------------ movies
    def movie_is_available(self, m: Movie, now: float) -> bool:
        """Movie.IsAvailable: announced (or tba) counts at once; otherwise the release dates decide."""
        if self.kind == "whisparr_v3":
            return m.release_date is not None and m.release_date <= now
        if m.minimum_availability in ("tba", "announced"):
            return True
        if m.minimum_availability == "inCinemas" and m.in_cinemas is not None:
            return m.in_cinemas <= now
        dates = [d for d in (m.physical_release, m.digital_release) if d is not None]
        if dates:
            return min(dates) <= now
        if m.in_cinemas is not None:
            return m.in_cinemas + 90 * DAY <= now
        return False

    def movie_status(self, m: Movie, now: float) -> str:
        """MovieStatusType from the dates: tba, announced, inCinemas or released."""
        if self.kind == "whisparr_v3":
            if m.release_date is None:
                return "tba"
            return "released" if m.release_date <= now else "announced"
        dates = [d for d in (m.in_cinemas, m.digital_release, m.physical_release) if d is not None]
        if not dates:
            return "tba"
        releases = [d for d in (m.digital_release, m.physical_release) if d is not None]
        if (releases and min(releases) <= now) or (
            m.in_cinemas is not None and m.in_cinemas + 90 * DAY <= now
        ):
            return "released"
        if m.in_cinemas is not None and m.in_cinemas <= now:
            return "inCinemas"
        return "announced"

    def movie_release_date(self, m: Movie) -> int | None:
        if self.kind == "whisparr_v3":
            return m.release_date
        candidates = [d for d in (m.digital_release, m.physical_release) if d is not None]
        if candidates:
            return min(candidates)
        return m.in_cinemas + 90 * DAY if m.in_cinemas is not None else None

    def movie_cutoff_not_met(self, m: Movie) -> bool:
        return bool(m.file_id) and self.profiles[m.quality_profile_id].cutoff_not_met(
            m.file_quality
        )

    def set_movie_file(self, m: Movie, quality: int, added: int) -> int:
        if m.file_id:
            self.movie_files.pop(m.file_id, None)
        m.file_id = self._next_movie_file_id
        self._next_movie_file_id += 1
        m.file_quality = quality
        m.file_size = _movie_size(quality, self.rng)
        m.file_added = added
        m.file_group = self.rng.randrange(len(words.RELEASE_GROUPS))
        self.movie_files[m.file_id] = m.id
        return m.file_id

    # ------------------------------------------------------------------ mutation hooks for tests
    def add_series(self, now: float, **overrides) -> Series:
        """Generate one more series (episodes and files included); overrides set its fields."""
        with self.lock:
            gen = _SeriesGenerator(self, now, overrides.pop("episodes_per_series", 20))
            s = gen.make_series(self._next_series_id)
            for key, value in overrides.items():
                if not hasattr(s, key):
                    raise AttributeError(f"Series has no field {key!r}")
                setattr(s, key, value)
            if "title" in overrides and "sort_title" not in overrides:
                s.sort_title = words.sort_title(s.title)
            self.touch(s.id)
            return s

    def remove_series(self, series_id: int) -> None:
        with self.lock:
            s = self.series.pop(series_id)
            for eid in s.episode_ids:
                self._drop_episode(eid)
            self.revision += 1

    def add_episode(
        self,
        series_id: int,
        season: int,
        *,
        air: datetime | None,
        number: int | None = None,
        monitored: bool = True,
        quality_id: int | None = None,
        now: float = 0,
    ) -> int:
        """Append an episode (with a file when quality_id is given); returns its id."""
        with self.lock:
            s = self.series[series_id]
            if number is None:
                number = 1 + max(
                    (
                        self.ep_number[e - 1]
                        for e in s.episode_ids
                        if self.ep_season[e - 1] == season
                    ),
                    default=0,
                )
            air_ts = NO_AIR if air is None else int(air.timestamp())
            eid = self._append_episode(series_id, season, number, air_ts, monitored)
            s.seasons.setdefault(season, True)
            ids = sorted(
                [*s.episode_ids, eid], key=lambda e: (self.ep_season[e - 1], self.ep_number[e - 1])
            )
            s.episode_ids = array("i", ids)
            if quality_id is not None:
                self._add_file(eid, quality_id, int(now))
            self.touch(series_id)
            return eid

    def remove_episode(self, episode_id: int) -> None:
        with self.lock:
            sid = self.ep_series[episode_id - 1]
            s = self.series[sid]
            s.episode_ids = array("i", [e for e in s.episode_ids if e != episode_id])
            self._drop_episode(episode_id)
            self.touch(sid)

    def _drop_episode(self, episode_id: int) -> None:
        i = episode_id - 1
        self.ep_flags[i] |= F_DELETED
        if self.ep_file[i]:
            self.f_episode[self.ep_file[i] - 1] = 0
            self.ep_file[i] = 0

    def set_monitored(
        self,
        monitored: bool,
        *,
        series_id: int | None = None,
        season: int | None = None,
        episode_id: int | None = None,
    ) -> None:
        """Flip monitoring of a series, a season (and its episodes, as Sonarr does) or an episode."""
        with self.lock:
            if episode_id is not None:
                i = episode_id - 1
                self.ep_flags[i] = (
                    (self.ep_flags[i] | F_MONITORED)
                    if monitored
                    else (self.ep_flags[i] & ~F_MONITORED)
                )
                self.touch(self.ep_series[i])
                return
            if series_id is None:
                raise ValueError("series_id or episode_id is required")
            s = self.series[series_id]
            if season is None:
                s.monitored = monitored
            else:
                s.seasons[season] = monitored
                for eid in s.episode_ids:
                    if self.ep_season[eid - 1] == season:
                        i = eid - 1
                        self.ep_flags[i] = (
                            (self.ep_flags[i] | F_MONITORED)
                            if monitored
                            else (self.ep_flags[i] & ~F_MONITORED)
                        )
            self.touch(series_id)

    def delete_episode_file(self, episode_id: int) -> int:
        """Remove an episode's file (as a user deleting it on disk would); returns the file id."""
        with self.lock:
            i = episode_id - 1
            file_id = self.ep_file[i]
            if not file_id:
                raise ValueError(f"episode {episode_id} has no file")
            self.f_episode[file_id - 1] = 0
            self.ep_file[i] = 0
            self.touch(self.ep_series[i])
            return file_id

    def set_episode_file(
        self,
        episode_id: int,
        *,
        quality_id: int | None = None,
        now: float = 0,
        release_type: int = 1,
    ) -> int:
        """Give an episode a new file; quality defaults to its profile's cutoff (cutoff met)."""
        with self.lock:
            i = episode_id - 1
            profile = self.profiles[self.series[self.ep_series[i]].quality_profile_id]
            if self.ep_file[i]:
                self.f_episode[self.ep_file[i] - 1] = 0
            file_id = self._add_file(
                episode_id, quality_id or profile.cutoff, int(now), release_type
            )
            self.touch(self.ep_series[i])
            return file_id

    def upgrade_episode_file(self, episode_id: int, *, now: float = 0) -> int:
        """Replace the file with one at the profile's cutoff, so qualityCutoffNotMet becomes false."""
        return self.set_episode_file(episode_id, now=now)

    def add_movie(self, now: float, **overrides) -> Movie:
        with self.lock:
            m = _MovieGenerator(self, now).make_movie(self._next_movie_id)
            for key, value in overrides.items():
                if not hasattr(m, key):
                    raise AttributeError(f"Movie has no field {key!r}")
                setattr(m, key, value)
            if "title" in overrides and "sort_title" not in overrides:
                m.sort_title = words.sort_title(m.title)
            return m

    def remove_movie(self, movie_id: int) -> None:
        with self.lock:
            m = self.movies.pop(movie_id)
            self.movie_files.pop(m.file_id, None)

    def delete_movie_file(self, movie_id: int) -> int:
        with self.lock:
            m = self.movies[movie_id]
            if not m.file_id:
                raise ValueError(f"movie {movie_id} has no file")
            file_id = m.file_id
            self.movie_files.pop(file_id, None)
            m.file_id = m.file_quality = m.file_size = m.file_added = 0
            return file_id

    def upgrade_movie_file(
        self, movie_id: int, *, quality_id: int | None = None, now: float = 0
    ) -> int:
        with self.lock:
            m = self.movies[movie_id]
            return self.set_movie_file(
                m, quality_id or self.profiles[m.quality_profile_id].cutoff, int(now)
            )

    # ------------------------------------------------------------------ summaries
    def summary(self, now: float) -> dict[str, int]:
        """Counts the tests and benchmarks report on (missing = monitored, aired, no file)."""
        with self.lock:
            if self.shape == "movies":
                movies = list(self.movies.values())
                return {
                    "movies": len(movies),
                    "with_file": sum(1 for m in movies if m.file_id),
                    "missing_available": sum(
                        1
                        for m in movies
                        if m.monitored and not m.file_id and self.movie_is_available(m, now)
                    ),
                    "cutoff_unmet": sum(
                        1 for m in movies if m.monitored and self.movie_cutoff_not_met(m)
                    ),
                }
            episodes = missing = with_file = cutoff = 0
            for s in self.series.values():
                for eid in s.episode_ids:
                    i = eid - 1
                    episodes += 1
                    file_id = self.ep_file[i]
                    if file_id:
                        with_file += 1
                        if (
                            s.monitored
                            and self.ep_flags[i] & F_MONITORED
                            and self.file_cutoff_not_met(file_id)
                        ):
                            cutoff += 1
                    elif (
                        s.monitored
                        and self.ep_flags[i] & F_MONITORED
                        and self.episode_aired(eid, now)
                    ):
                        missing += 1
            return {
                "series": len(self.series),
                "episodes": episodes,
                "with_file": with_file,
                "missing_aired_monitored": missing,
                "cutoff_unmet": cutoff,
            }


def _year(ts: float) -> int:
    return datetime.fromtimestamp(ts, UTC).year


def _episode_size(quality: int, rng: random.Random) -> int:
    base = {480: 350, 720: 900, 1080: 2200, 2160: 7000}
    from .qualities import TV_QUALITIES

    res = next((q.resolution for q in TV_QUALITIES if q.id == quality), 720)
    return int(base[res] * (0.7 + 0.6 * rng.random())) * 1024 * 1024


def _movie_size(quality: int, rng: random.Random) -> int:
    base = {480: 1400, 720: 4500, 1080: 11000, 2160: 30000}
    from .qualities import MOVIE_QUALITIES

    res = next((q.resolution for q in MOVIE_QUALITIES if q.id == quality), 1080)
    return int(base[res] * (0.7 + 0.6 * rng.random())) * 1024 * 1024


@dataclass
class _SeriesGenerator:
    """Builds series whose shape exercises every discovery rule (see generate())."""

    lib: Library
    now: float
    episodes_per_series: int
    _tag_ids: list[int] = field(default_factory=list)

    def make_series(self, sid: int) -> Series:
        lib, rng, now = self.lib, self.lib.rng, int(self.now)
        whisparr = lib.kind == "whisparr_v2"
        title = words.show_title(sid, lib.seed)
        roll = rng.random()
        status = "ended" if roll < 0.5 else "continuing" if roll < 0.95 else "upcoming"
        if whisparr:
            status = "continuing" if roll < 0.8 else "ended"
        roll = rng.random()
        series_type = "standard" if whisparr or roll < 0.9 else "daily" if roll < 0.95 else "anime"
        profile_id = rng.choice((1, 2, 2, 3))
        runtime = 30 if series_type == "anime" else rng.choice((22, 30, 44, 60))
        s = Series(
            id=sid,
            title=title,
            sort_title=words.sort_title(title),
            year=0,
            status=status,
            monitored=rng.random() >= 0.08,
            series_type=series_type,
            quality_profile_id=profile_id,
            tvdb_id=70000 + sid,
            tmdb_id=1000 + sid,
            tvmaze_id=500 + sid,
            imdb_id=f"tt{1000000 + sid:07d}",
            network=words.STUDIOS[sid % len(words.STUDIOS)]
            if whisparr
            else rng.choice(words.NETWORKS),
            runtime=runtime,
            added=now - rng.randrange(30 * DAY, 4 * YEAR),
            genres=tuple(sorted(set(rng.sample(words.GENRES, 2)))),
            tags=tuple(rng.sample(sorted(lib.tags), rng.randrange(0, 2))) if lib.tags else (),
            seasons={},
            episode_ids=array("i"),
        )
        lib.series[sid] = s
        lib._next_series_id = max(lib._next_series_id, sid + 1)
        target = max(1, int(self.episodes_per_series * (0.5 + rng.random())))
        if whisparr:
            self._scenes(s, target)
        else:
            self._seasons(s, target)
        self._files(s)
        years = [self.lib.ep_air[e - 1] for e in s.episode_ids if self.lib.ep_air[e - 1] != NO_AIR]
        s.year = _year(min(years)) if years else _year(now) + 1
        return s

    def _seasons(self, s: Series, target: int) -> None:
        lib, rng, now = self.lib, self.lib.rng, int(self.now)
        per_season = rng.randint(6, 24)
        n_seasons = max(1, round(target / per_season))
        gap = WEEK if s.series_type != "daily" else DAY
        if s.status == "upcoming":
            start = now + rng.randrange(2 * WEEK, 20 * WEEK)
        elif s.status == "continuing":
            # The last season is airing: some of its episodes are still in the future.
            aired_in_last = rng.randrange(1, per_season)
            start = now - (n_seasons - 1) * YEAR - aired_in_last * gap + DAY
        else:
            start = now - rng.randrange(n_seasons * YEAR + 60 * DAY, (n_seasons + 15) * YEAR)
        absolute = 0
        for season in range(1, n_seasons + 1):
            season_start = start + (season - 1) * YEAR
            season_unmonitored = n_seasons > 2 and season == 1 and rng.random() < 0.15
            s.seasons[season] = not season_unmonitored
            for number in range(1, per_season + 1):
                air = season_start + (number - 1) * gap
                # The next season of a continuing show is announced but has no dates yet.
                if (
                    s.status == "continuing"
                    and season == n_seasons
                    and number > per_season - 2
                    and rng.random() < 0.5
                ):
                    air = NO_AIR
                absolute += 1
                monitored = not season_unmonitored and rng.random() >= 0.03
                eid = lib._append_episode(
                    s.id,
                    season,
                    number,
                    air,
                    monitored,
                    absolute if s.series_type == "anime" else 0,
                )
                s.episode_ids.append(eid)
        if rng.random() < 0.3 and s.status != "upcoming":
            s.seasons[0] = rng.random() < 0.3
            for number in range(1, rng.randint(1, 5) + 1):
                air = start + rng.randrange(0, max(DAY, now - start))
                eid = lib._append_episode(s.id, 0, number, air, s.seasons[0] and rng.random() < 0.8)
                s.episode_ids.append(eid)
        # Specials are listed first, as the apps order them by season then episode.
        s.episode_ids = array(
            "i", sorted(s.episode_ids, key=lambda e: (lib.ep_season[e - 1], lib.ep_number[e - 1]))
        )

    def _scenes(self, s: Series, target: int) -> None:
        """Whisparr v2: a site (series) with one season per year of scenes (episodes)."""
        lib, rng, now = self.lib, self.lib.rng, int(self.now)
        this_year = _year(now)
        n_years = max(1, min(12, round(target / rng.randint(8, 20))))
        first_year = this_year - n_years + 1
        per_year = max(1, target // n_years)
        for year in range(first_year, this_year + 1):
            s.seasons[year] = not (year == first_year and n_years > 2 and rng.random() < 0.15)
            year_start = int(datetime(year, 1, 1, tzinfo=UTC).timestamp())
            for number in range(1, per_year + 1):
                air = year_start + int((number - 0.5) * (YEAR / per_year)) // DAY * DAY
                if s.status == "ended" and air > now:
                    continue
                eid = lib._append_episode(
                    s.id, year, number, air, s.seasons[year] and rng.random() >= 0.03
                )
                s.episode_ids.append(eid)

    def _files(self, s: Series) -> None:
        """Files: complete, scattered gaps, whole seasons missing, or nothing; some below cutoff."""
        lib, rng, now = self.lib, self.lib.rng, int(self.now)
        profile = lib.profiles[s.quality_profile_id]
        roll = rng.random()
        pattern = (
            "complete"
            if roll < 0.45
            else "scattered"
            if roll < 0.75
            else "seasons"
            if roll < 0.92
            else "none"
        )
        missing_seasons = set()
        if pattern == "seasons":
            numbers = [n for n in s.seasons if n > 0]
            missing_seasons = set(rng.sample(numbers, max(1, len(numbers) // 3)))
        below_cutoff_rate = 0.25 if profile.upgrade_allowed and rng.random() < 0.4 else 0.0
        below = [q for q in profile.allowed if profile.rank(q) < profile.rank(profile.cutoff)]
        for eid in s.episode_ids:
            i = eid - 1
            air = lib.ep_air[i]
            if air == NO_AIR or air > now:
                continue
            season = lib.ep_season[i]
            if pattern == "none" or season in missing_seasons:
                continue
            if pattern == "scattered" and rng.random() < 0.15:
                continue
            if not lib.ep_flags[i] & F_MONITORED and rng.random() < 0.5:
                continue
            quality = (
                rng.choice(below) if below and rng.random() < below_cutoff_rate else profile.cutoff
            )
            if not profile.upgrade_allowed:
                quality = rng.choice(profile.allowed)
            added = min(now, air + rng.randrange(3600, 30 * DAY))
            lib._add_file(eid, quality, added)


@dataclass
class _MovieGenerator:
    lib: Library
    now: float

    def make_movie(self, mid: int) -> Movie:
        lib, rng, now = self.lib, self.lib.rng, int(self.now)
        eros = lib.kind == "whisparr_v3"
        title = words.show_title(mid, lib.seed + 7)
        roll = rng.random()
        in_cinemas = digital = physical = release = None
        if roll < 0.78:  # released long ago
            in_cinemas = now - rng.randrange(200 * DAY, 30 * YEAR)
            digital = in_cinemas + rng.randrange(30 * DAY, 120 * DAY)
            physical = digital + rng.randrange(0, 60 * DAY) if rng.random() < 0.8 else None
        elif roll < 0.86:  # in cinemas now, digital release soon
            in_cinemas = now - rng.randrange(DAY, 60 * DAY)
            digital = now + rng.randrange(10 * DAY, 60 * DAY)
        elif roll < 0.95:  # announced, dates in the future
            in_cinemas = now + rng.randrange(30 * DAY, 2 * YEAR)
            digital = in_cinemas + rng.randrange(30 * DAY, 120 * DAY)
        # else tba: no dates
        if eros:
            release = digital if digital is not None else in_cinemas
            in_cinemas = digital = physical = None
        minimum = (
            "released" if rng.random() < 0.6 else "inCinemas" if rng.random() < 0.6 else "announced"
        )
        dates = [d for d in (in_cinemas, digital, physical, release) if d is not None]
        year = _year(min(dates)) if dates else _year(now) + 1
        m = Movie(
            id=mid,
            title=title,
            sort_title=words.sort_title(title),
            year=year,
            monitored=rng.random() >= 0.1,
            minimum_availability=minimum,
            in_cinemas=in_cinemas,
            digital_release=digital,
            physical_release=physical,
            release_date=release,
            quality_profile_id=rng.choice((1, 2, 2, 3)),
            tmdb_id=10000 + mid,
            imdb_id=f"tt{2000000 + mid:07d}",
            runtime=rng.randrange(25, 180) if not eros else rng.randrange(15, 60),
            added=now - rng.randrange(DAY, 5 * YEAR),
            item_type=("scene" if rng.random() < 0.6 else "movie") if eros else "movie",
            studio=rng.choice(words.STUDIOS),
            genres=tuple(sorted(set(rng.sample(words.GENRES, 2)))),
            tags=tuple(rng.sample(sorted(lib.tags), rng.randrange(0, 2))) if lib.tags else (),
        )
        lib.movies[mid] = m
        lib._next_movie_id = max(lib._next_movie_id, mid + 1)
        available = lib.movie_is_available(m, now) and lib.movie_status(m, now) == "released"
        if available and rng.random() < (0.72 if m.monitored else 0.5):
            profile = lib.profiles[m.quality_profile_id]
            below = [q for q in profile.allowed if profile.rank(q) < profile.rank(profile.cutoff)]
            quality = profile.cutoff
            if profile.upgrade_allowed and below and rng.random() < 0.18:
                quality = rng.choice(below)
            elif not profile.upgrade_allowed:
                quality = rng.choice(profile.allowed)
            lib.set_movie_file(
                m, quality, min(now, (release or digital or now) + rng.randrange(DAY, 60 * DAY))
            )
        return m


def generate(
    *,
    kind: str,
    shape: str,
    seed: int = 1,
    now: float,
    series: int = 20,
    episodes_per_series: int = 60,
    movies: int = 50,
) -> Library:
    """A deterministic library: the same seed, sizes and ``now`` give the same library.

    Series mix: about half ended, most of the rest continuing (last season airing, some
    episodes in the future, a few TBA), a few upcoming; 8% unmonitored series; some
    first seasons unmonitored; specials (season 0) on 30%, mostly unmonitored; 3% of
    episodes unmonitored. Files: complete, scattered gaps, whole seasons missing, or
    none; on 40% of upgradable series a quarter of files sit below the cutoff.
    Movies: released, in cinemas, announced, or tba; 10% unmonitored; availability
    from minimumAvailability and the dates; 18% of upgradable files below cutoff.
    """
    lib = Library(shape=shape, kind=kind, seed=seed, now=now)
    lib.tags = {i + 1: label for i, label in enumerate(("hd", "anime", "kids", "4k"))}
    if shape == "series":
        gen = _SeriesGenerator(lib, now, episodes_per_series)
        for sid in range(1, series + 1):
            gen.make_series(sid)
    else:
        mgen = _MovieGenerator(lib, now)
        for mid in range(1, movies + 1):
            mgen.make_movie(mid)
    return lib
