"""The /api/v3 endpoints: request in, (status, JSON-able body) out.

HTTP mechanics (auth, faults, URL base, encoding) live in server.py; this module
only knows what each endpoint answers. Behaviour follows docs/arr-api.md: paging with
sortDirection defaulting to descending when omitted, allow-listed sort keys (or a
500 for an unknown key on versions before the allow-list), 400 for missing
required parameters, 404 with {"message", "description"} for unknown ids.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from .library import F_MONITORED, NO_AIR, Library
from .profiles import AppProfile
from .render import Renderer
from .simulation import CommandError, Simulation

Query = dict[str, list[str]]

EPISODE_EVENTS = (
    "unknown",
    "grabbed",
    "seriesFolderImported",
    "downloadFolderImported",
    "downloadFailed",
    "episodeFileDeleted",
    "episodeFileRenamed",
    "downloadIgnored",
)
MOVIE_EVENTS = {
    "unknown": 0,
    "grabbed": 1,
    "downloadFolderImported": 3,
    "downloadFailed": 4,
    "movieFileDeleted": 6,
    "movieFolderImported": 7,
    "movieFileRenamed": 8,
    "downloadIgnored": 9,
}


class ApiError(Exception):
    def __init__(self, status: int, body: Any = None) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


def not_found(what: str) -> ApiError:
    return ApiError(404, {"message": f"{what} does not exist", "description": None})


def bad_request(message: str) -> ApiError:
    return ApiError(400, {"message": message, "content": None})


def _one(q: Query, name: str) -> str | None:
    """First value of a parameter, matched case-insensitively as ASP.NET binds them."""
    for key, values in q.items():
        if key.lower() == name.lower() and values:
            return values[0]
    return None


def _many(q: Query, name: str, *, split_commas: bool) -> list[str]:
    out: list[str] = []
    for key, values in q.items():
        if key.lower() in (name.lower(), f"{name.lower()}[]"):
            for v in values:
                out.extend(v.split(",") if split_commas else [v])
    return [v for v in out if v != ""]


def _int(q: Query, name: str, default: int | None = None) -> int | None:
    raw = _one(q, name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ApiError(
            400,
            [
                {
                    "propertyName": name,
                    "errorMessage": f"The value '{raw}' is not valid.",
                    "severity": "error",
                }
            ],
        ) from None


def _ints(q: Query, name: str, *, split_commas: bool) -> list[int]:
    try:
        return [int(v) for v in _many(q, name, split_commas=split_commas)]
    except ValueError:
        raise ApiError(
            400,
            [
                {
                    "propertyName": name,
                    "errorMessage": "The value is not valid.",
                    "severity": "error",
                }
            ],
        ) from None


def _bool(q: Query, name: str, default: bool = False) -> bool:
    raw = _one(q, name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("true", "1"):
        return True
    if raw.lower() in ("false", "0"):
        return False
    raise ApiError(
        400,
        [
            {
                "propertyName": name,
                "errorMessage": f"The value '{raw}' is not valid.",
                "severity": "error",
            }
        ],
    )


def parse_date(raw: str) -> float:
    text = raw.strip().replace(" ", "+")
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        raise ApiError(
            400,
            [
                {
                    "propertyName": "date",
                    "errorMessage": f"The value '{raw}' is not valid.",
                    "severity": "error",
                }
            ],
        ) from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


class Api:
    def __init__(
        self,
        profile: AppProfile,
        library: Library,
        sim: Simulation,
        renderer: Renderer,
        *,
        url_base: str,
        instance_name: str,
        started: datetime,
    ) -> None:
        self.p = profile
        self.lib = library
        self.sim = sim
        self.r = renderer
        self.url_base = url_base
        self.instance_name = instance_name
        self.started = started
        self.health: list[dict[str, Any]] = []
        self._wanted_cache: dict[tuple, tuple[int, float, list[int]]] = {}
        self.routes: list[tuple[str, re.Pattern, Callable[..., Any]]] = []
        series_shape = profile.shape == "series"
        add = self._route
        # GET /api (not under /api/v3) names the API version, as ApiInfoController does.
        self.routes.append(("GET", re.compile(r"^/api/?$", re.IGNORECASE), self.api_info))
        add("GET", r"/system/status", self.system_status)
        add("GET", r"/health", self.get_health)
        add("GET", r"/qualityprofile", self.quality_profiles)
        add("GET", r"/qualityprofile/(\d+)", self.quality_profile)
        add("GET", r"/tag", self.tags)
        add("GET", r"/tag/(\d+)", self.tag)
        if series_shape:
            add("GET", r"/series", self.series_list)
            add("GET", r"/series/(\d+)", self.series_one)
            add("GET", r"/episode", self.episodes)
            add("GET", r"/episode/(\d+)", self.episode_one)
            add("GET", r"/episodefile", self.episode_files)
            add("GET", r"/episodefile/(\d+)", self.episode_file_one)
            add("GET", r"/history/series", self.history_item)
        else:
            add("GET", r"/movie", self.movie_list)
            add("GET", r"/movie/(\d+)", self.movie_one)
            add("GET", r"/moviefile", self.movie_files)
            add("GET", r"/moviefile/(\d+)", self.movie_file_one)
            add("GET", r"/history/movie", self.history_item)
            if profile.kind == "whisparr_v3":
                add("GET", r"/movie/list", self.movie_ids)
        if profile.wanted_endpoints:
            add("GET", r"/wanted/missing", lambda q: self.wanted(q, cutoff=False))
            add("GET", r"/wanted/cutoff", lambda q: self.wanted(q, cutoff=True))
            if series_shape:
                add("GET", r"/wanted/missing/(\d+)", self.episode_one)
                add("GET", r"/wanted/cutoff/(\d+)", self.episode_one)
        add("GET", r"/queue", self.queue)
        add("GET", r"/queue/status", self.queue_status)
        add("GET", r"/queue/details", self.queue_details)
        add("DELETE", r"/queue/(\d+)", self.queue_delete)
        add("GET", r"/history", self.history_paged)
        add("GET", r"/history/since", self.history_since)
        add("GET", r"/command", self.commands)
        add("POST", r"/command", self.command_post)
        add("GET", r"/command/(\d+)", self.command_one)
        add("DELETE", r"/command/(\d+)", self.command_delete)

    def _route(self, method: str, pattern: str, fn: Callable[..., Any]) -> None:
        self.routes.append((method, re.compile(f"^/api/v3{pattern}/?$", re.IGNORECASE), fn))

    def dispatch(
        self, method: str, path: str, query: Query, body: Any, user_agent: str | None
    ) -> tuple[int, Any]:
        allowed_methods = set()
        for m, pattern, fn in self.routes:
            match = pattern.match(path)
            if not match:
                continue
            allowed_methods.add(m)
            if m != method:
                continue
            args = [int(g) for g in match.groups()]
            with self.lib.lock:
                if method == "POST":
                    return fn(query, body, user_agent)
                return fn(query, *args)
        if allowed_methods:
            return 405, None
        return 404, None

    @property
    def now(self) -> float:
        return self.sim.clock.timestamp()

    # ------------------------------------------------------------------ paging
    def _paging(
        self,
        q: Query,
        keys: dict[str, Callable[[Any], Any]],
        default_key: str,
        default_direction: str,
    ) -> tuple[int, int, str, str, Callable[[Any], Any]]:
        page = _int(q, "page", 1)
        size = _int(q, "pageSize", 10)
        raw_dir = _one(q, "sortDirection")
        if raw_dir is None or raw_dir == "":
            direction = "descending"  # PagingResource's constructor default, not the controller's
        elif raw_dir.lower() == "default":
            direction = default_direction
        elif raw_dir.lower() in ("ascending", "descending"):
            direction = raw_dir.lower()
        else:
            raise ApiError(
                400,
                [
                    {
                        "propertyName": "sortDirection",
                        "errorMessage": f"The value '{raw_dir}' is not valid.",
                        "severity": "error",
                    }
                ],
            )
        raw_key = _one(q, "sortKey")
        lookup = {k.lower(): k for k in keys}
        if raw_key and raw_key.lower() in lookup:
            key = lookup[raw_key.lower()]
        elif not raw_key or self.p.sort_allow_list:
            key = default_key
        else:
            # Before the allow-list the key went straight into SQL: an unknown column is a 500.
            raise ApiError(
                500,
                {"message": f"SQLite Error 1: 'no such column: {raw_key}'.", "description": None},
            )
        return max(page, 1), max(size, 0), key, direction, keys[key]

    @staticmethod
    def _page(records: list, page: int, size: int) -> list:
        start = (page - 1) * size
        return records[start : start + size]

    # ------------------------------------------------------------------ app-level endpoints
    def api_info(self, q: Query) -> tuple[int, Any]:
        return 200, {"current": "v3", "deprecated": []}

    def system_status(self, q: Query) -> tuple[int, Any]:
        return 200, self.r.system_status(
            started=self.started, url_base=self.url_base, instance_name=self.instance_name
        )

    def get_health(self, q: Query) -> tuple[int, Any]:
        return 200, [
            {
                "id": i + 1,
                "source": h["source"],
                "type": h["type"],
                "message": h["message"],
                "wikiUrl": h.get("wikiUrl"),
            }
            for i, h in enumerate(self.health)
        ]

    def quality_profiles(self, q: Query) -> tuple[int, Any]:
        return 200, self.r.quality_profiles()

    def quality_profile(self, q: Query, pid: int) -> tuple[int, Any]:
        for prof in self.r.quality_profiles():
            if prof["id"] == pid:
                return 200, prof
        raise not_found(f"QualityProfile with ID {pid}")

    def tags(self, q: Query) -> tuple[int, Any]:
        return 200, [{"id": i, "label": label} for i, label in sorted(self.lib.tags.items())]

    def tag(self, q: Query, tid: int) -> tuple[int, Any]:
        if tid not in self.lib.tags:
            raise not_found(f"Tag with ID {tid}")
        return 200, {"id": tid, "label": self.lib.tags[tid]}

    # ------------------------------------------------------------------ series shape
    def series_list(self, q: Query) -> tuple[int, Any]:
        tvdb = _int(q, "tvdbId")
        now = self.now
        return 200, [
            self.r.series(s, now)
            for s in self.lib.series.values()
            if tvdb is None or s.tvdb_id == tvdb
        ]

    def series_one(self, q: Query, sid: int) -> tuple[int, Any]:
        s = self.lib.series.get(sid)
        if s is None:
            raise not_found(f"Series with ID {sid}")
        return 200, self.r.series(s, self.now)

    def _grabbed(self, eid: int) -> bool:
        return eid in self.sim._queued_episodes

    def episodes(self, q: Query) -> tuple[int, Any]:
        sid = _int(q, "seriesId")
        season = _int(q, "seasonNumber")
        ids = _ints(q, "episodeIds", split_commas=self.p.is_sonarr_v3_app)
        file_id = _int(q, "episodeFileId")
        include_file = self.p.include_episode_file and _bool(q, "includeEpisodeFile")
        include_series = self.p.include_episode_file and _bool(q, "includeSeries")
        include_images = _bool(q, "includeImages")
        now = self.now
        lib = self.lib
        if sid is not None:
            if sid not in lib.series:
                raise not_found(f"Series with ID {sid}")
            chosen = [
                e
                for e in lib.series[sid].episode_ids
                if season is None or lib.ep_season[e - 1] == season
            ]
        elif ids:
            chosen = [e for e in ids if lib.episode_exists(e)]
        elif file_id is not None:
            chosen = [
                e
                for e in ([lib.f_episode[file_id - 1]] if 0 < file_id <= len(lib.f_episode) else [])
                if e and lib.episode_exists(e)
            ]
        else:
            raise bad_request("seriesId or episodeIds must be provided")
        render = self.r.episode
        return 200, [
            render(
                e,
                include_file=include_file,
                include_series=include_series,
                include_images=include_images,
                grabbed=self._grabbed(e),
                now=now,
            )
            for e in chosen
        ]

    def episode_one(self, q: Query, eid: int) -> tuple[int, Any]:
        if not self.lib.episode_exists(eid):
            raise not_found(f"Episode with ID {eid}")
        return 200, self.r.episode(
            eid,
            include_file=True,
            include_series=True,
            include_images=True,
            grabbed=self._grabbed(eid),
            now=self.now,
        )

    def episode_files(self, q: Query) -> tuple[int, Any]:
        sid = _int(q, "seriesId")
        file_ids = _ints(q, "episodeFileIds", split_commas=self.p.is_sonarr_v3_app)
        lib = self.lib
        if sid is not None:
            if sid not in lib.series:
                raise not_found(f"Series with ID {sid}")
            files = [lib.ep_file[e - 1] for e in lib.series[sid].episode_ids if lib.ep_file[e - 1]]
        elif file_ids:
            files = [f for f in file_ids if 0 < f <= len(lib.f_episode) and lib.f_episode[f - 1]]
        else:
            raise bad_request("seriesId or episodeFileIds must be provided")
        return 200, [self.r.episode_file(f) for f in files]

    def episode_file_one(self, q: Query, fid: int) -> tuple[int, Any]:
        if not (0 < fid <= len(self.lib.f_episode)) or not self.lib.f_episode[fid - 1]:
            raise not_found(f"EpisodeFile with ID {fid}")
        return 200, self.r.episode_file(fid)

    # ------------------------------------------------------------------ movies shape
    def movie_list(self, q: Query) -> tuple[int, Any]:
        tmdb = _int(q, "tmdbId")
        now = self.now
        return 200, [
            self.r.movie(m, now)
            for m in self.lib.movies.values()
            if tmdb is None or m.tmdb_id == tmdb
        ]

    def movie_ids(self, q: Query) -> tuple[int, Any]:
        return 200, sorted(self.lib.movies)

    def movie_one(self, q: Query, mid: int) -> tuple[int, Any]:
        m = self.lib.movies.get(mid)
        if m is None:
            raise not_found(f"Movie with ID {mid}")
        return 200, self.r.movie(m, self.now)

    def movie_files(self, q: Query) -> tuple[int, Any]:
        movie_ids = _ints(q, "movieId", split_commas=False)
        file_ids = _ints(q, "movieFileIds", split_commas=False)
        lib = self.lib
        if movie_ids:
            movies = [lib.movies[m] for m in movie_ids if m in lib.movies]
        elif file_ids:
            movies = [lib.movies[lib.movie_files[f]] for f in file_ids if f in lib.movie_files]
        else:
            raise bad_request("movieId or movieFileIds must be provided")
        return 200, [self.r.movie_file(m) for m in movies if m.file_id]

    def movie_file_one(self, q: Query, fid: int) -> tuple[int, Any]:
        mid = self.lib.movie_files.get(fid)
        if mid is None:
            raise not_found(f"MovieFile with ID {fid}")
        return 200, self.r.movie_file(self.lib.movies[mid])

    # ------------------------------------------------------------------ wanted
    def wanted(self, q: Query, *, cutoff: bool) -> tuple[int, Any]:
        monitored = _bool(q, "monitored", True)
        if self.p.is_sonarr_v3_app and _one(q, "filterKey") == "monitored":
            monitored = (_one(q, "filterValue") or "true").lower() == "true"
        now = self.now
        lib = self.lib
        if self.p.shape == "series":
            keys = {
                "episodes.airDateUtc": lambda e: (lib.ep_air[e - 1], e),
                "series.sortTitle": lambda e: (
                    lib.series[lib.ep_series[e - 1]].sort_title,
                    lib.ep_air[e - 1],
                    e,
                ),
            }
            if self.p.last_search_time:
                keys["episodes.lastSearchTime"] = lambda e: (lib.ep_last_search[e - 1], e)
            if not self.p.sort_allow_list:
                keys["airDateUtc"] = keys["episodes.airDateUtc"]
                if self.p.kind == "whisparr_v2":
                    keys["releaseDate"] = keys["episodes.airDateUtc"]
            page, size, key, direction, keyfn = self._paging(
                q, keys, "episodes.airDateUtc", "ascending"
            )
            ids = self._wanted_episode_ids(cutoff, monitored, key, direction, keyfn, now)
            total = len(ids)
            include_series = _bool(q, "includeSeries")
            include_file = cutoff and _bool(q, "includeEpisodeFile")
            include_images = _bool(q, "includeImages")
            records = [
                self.r.episode(
                    e,
                    include_file=include_file,
                    include_series=include_series,
                    include_images=include_images,
                    grabbed=self._grabbed(e),
                    now=now,
                )
                for e in self._page(ids, page, size)
            ]
        else:
            keys = {
                "movieMetadata.sortTitle": lambda m: (m.sort_title, m.id),
                "movieMetadata.year": lambda m: (m.year, m.id),
                "movies.lastSearchTime": lambda m: (m.last_search, m.id),
            }
            if self.p.kind == "whisparr_v3":
                keys["movieMetadata.releaseDate"] = lambda m: (m.release_date or 0, m.id)
            else:
                keys["movieMetadata.inCinemas"] = lambda m: (m.in_cinemas or 0, m.id)
                keys["movieMetadata.digitalRelease"] = lambda m: (m.digital_release or 0, m.id)
                keys["movieMetadata.physicalRelease"] = lambda m: (m.physical_release or 0, m.id)
            page, size, key, direction, keyfn = self._paging(
                q, keys, "movieMetadata.sortTitle", "ascending"
            )
            movies = [
                m
                for m in lib.movies.values()
                if m.monitored == monitored
                and m.year > 0
                and ((cutoff and lib.movie_cutoff_not_met(m)) or (not cutoff and not m.file_id))
            ]
            movies.sort(key=keyfn, reverse=direction == "descending")
            total = len(movies)
            records = [self.r.movie(m, now) for m in self._page(movies, page, size)]
        body = {
            "page": page,
            "pageSize": size,
            "sortKey": key,
            "sortDirection": direction,
            "totalRecords": total,
            "records": records,
        }
        if self.p.is_sonarr_v3_app:
            body["filters"] = []
        return 200, body

    def _wanted_episode_ids(
        self, cutoff: bool, monitored: bool, key: str, direction: str, keyfn: Callable, now: float
    ) -> list[int]:
        """Filtered, sorted ids, cached until the library changes or the next episode airs."""
        lib = self.lib
        cache_key = (cutoff, monitored, key, direction)
        hit = self._wanted_cache.get(cache_key)
        if hit is not None and hit[0] == lib.revision and now < hit[1]:
            return hit[2]
        ids: list[int] = []
        valid_until = float("inf")
        for s in lib.series.values():
            runtime = s.runtime * 60
            for e in s.episode_ids:
                i = e - 1
                both = s.monitored and lib.ep_flags[i] & F_MONITORED
                if bool(both) != monitored:
                    continue
                file_id = lib.ep_file[i]
                if cutoff:
                    if file_id and lib.file_cutoff_not_met(file_id):
                        ids.append(e)
                    continue
                if file_id:
                    continue
                air = lib.ep_air[i]
                if air == NO_AIR:
                    continue
                # Wanted/missing counts an episode once it has finished airing.
                if air + runtime <= now:
                    ids.append(e)
                else:
                    valid_until = min(valid_until, air + runtime)
        ids.sort(key=keyfn, reverse=direction == "descending")
        self._wanted_cache[cache_key] = (lib.revision, valid_until, ids)
        return ids

    # ------------------------------------------------------------------ queue
    def _queue_keys(self) -> dict[str, Callable]:
        lib = self.lib

        def title_of(item):
            if item.series_id in lib.series:
                return lib.series[item.series_id].sort_title
            if item.movie_id in lib.movies:
                return lib.movies[item.movie_id].sort_title
            return ""

        return {
            "timeleft": lambda item: (item.import_at, item.id),
            "estimatedCompletionTime": lambda item: (item.import_at, item.id),
            "added": lambda item: (item.grabbed_at, item.id),
            "title": lambda item: (item.title, item.id),
            "size": lambda item: (item.size, item.id),
            "progress": lambda item: (item.import_at - item.grabbed_at, item.id),
            "series.sortTitle": lambda item: (title_of(item), item.id),
            "movies.sortTitle": lambda item: (title_of(item), item.id),
        }

    def queue(self, q: Query) -> tuple[int, Any]:
        page, size, key, direction, keyfn = self._paging(
            q, self._queue_keys(), "timeleft", "ascending"
        )
        items = list(self.sim.queue.values())
        if self.p.shape == "series":
            series_ids = set(_ints(q, "seriesIds", split_commas=False))
            if series_ids:
                items = [i for i in items if i.series_id in series_ids]
            include = _bool(q, "includeEpisode") or _bool(q, "includeSeries")
        else:
            movie_ids = set(_ints(q, "movieIds", split_commas=False))
            if movie_ids:
                items = [i for i in items if i.movie_id in movie_ids]
            include = _bool(q, "includeMovie")
        items.sort(key=keyfn, reverse=direction == "descending")
        now = self.now
        body = {
            "page": page,
            "pageSize": size,
            "sortKey": key,
            "sortDirection": direction,
            "totalRecords": len(items),
            "records": [
                self.r.queue_item(i, now, include_item=include)
                for i in self._page(items, page, size)
            ],
        }
        if self.p.is_sonarr_v3_app:
            body["filters"] = []
        return 200, body

    def queue_status(self, q: Query) -> tuple[int, Any]:
        total = len(self.sim.queue)
        return 200, {
            "id": 0,
            "totalCount": total,
            "count": total,
            "unknownCount": 0,
            "errors": False,
            "warnings": False,
            "unknownErrors": False,
            "unknownWarnings": False,
        }

    def queue_details(self, q: Query) -> tuple[int, Any]:
        items = sorted(self.sim.queue.values(), key=lambda i: i.id)
        if self.p.shape == "series":
            sid = _int(q, "seriesId")
            eids = set(_ints(q, "episodeIds", split_commas=self.p.is_sonarr_v3_app))
            if sid is not None:
                items = [i for i in items if i.series_id == sid]
            if eids:
                items = [i for i in items if i.episode_id in eids]
            include = _bool(q, "includeEpisode") or _bool(q, "includeSeries")
        else:
            mid = _int(q, "movieId")
            if mid is not None:
                items = [i for i in items if i.movie_id == mid]
            include = _bool(q, "includeMovie")
        now = self.now
        return 200, [self.r.queue_item(i, now, include_item=include) for i in items]

    def queue_delete(self, q: Query, qid: int) -> tuple[int, Any]:
        if not self.sim.remove_queue_item(qid):
            raise not_found(f"Queue item with ID {qid}")
        return 200, None  # the controller action returns void: an empty 200

    # ------------------------------------------------------------------ history
    def _event_name(self, raw: str) -> str:
        if self.p.shape == "series":
            if raw.isdigit() and int(raw) < len(EPISODE_EVENTS):
                return EPISODE_EVENTS[int(raw)]
            names = {n.lower(): n for n in EPISODE_EVENTS}
        else:
            by_value = {v: k for k, v in MOVIE_EVENTS.items()}
            if raw.isdigit() and int(raw) in by_value:
                return by_value[int(raw)]
            names = {n.lower(): n for n in MOVIE_EVENTS}
        if raw.lower() in names:
            return names[raw.lower()]
        raise ApiError(
            400,
            [
                {
                    "propertyName": "eventType",
                    "errorMessage": f"The value '{raw}' is not valid.",
                    "severity": "error",
                }
            ],
        )

    def _include_history_item(self, q: Query) -> bool:
        if self.p.shape == "series":
            return _bool(q, "includeEpisode") or _bool(q, "includeSeries")
        return _bool(q, "includeMovie")

    def history_paged(self, q: Query) -> tuple[int, Any]:
        keys = {"date": lambda h: (h.date, h.id), "id": lambda h: h.id}
        page, size, key, direction, keyfn = self._paging(q, keys, "date", "descending")
        events = self.sim.history
        wanted = {self._event_name(v) for v in _many(q, "eventType", split_commas=False)}
        if wanted:
            events = [h for h in events if h.event_type in wanted]
        episode_id = _int(q, "episodeId")
        if episode_id is not None:
            events = [h for h in events if h.episode_id == episode_id]
        download_id = _one(q, "downloadId")
        if download_id:
            events = [h for h in events if h.download_id == download_id]
        item_ids = set(
            _ints(q, "seriesIds" if self.p.shape == "series" else "movieIds", split_commas=False)
        )
        if item_ids:
            events = [
                h
                for h in events
                if (h.series_id if self.p.shape == "series" else h.movie_id) in item_ids
            ]
        events = sorted(events, key=keyfn, reverse=direction == "descending")
        now = self.now
        include = self._include_history_item(q)
        body = {
            "page": page,
            "pageSize": size,
            "sortKey": key,
            "sortDirection": direction,
            "totalRecords": len(events),
            "records": [
                self.r.history(h, now, include_item=include) for h in self._page(events, page, size)
            ],
        }
        if self.p.is_sonarr_v3_app:
            body["filters"] = []
        return 200, body

    def history_since(self, q: Query) -> tuple[int, Any]:
        raw = _one(q, "date")
        # A non-nullable DateTime: omitted means 0001-01-01, i.e. the whole history.
        since = parse_date(raw) if raw else float("-inf")
        event_raw = _one(q, "eventType")
        event = self._event_name(event_raw) if event_raw else None
        now = self.now
        include = self._include_history_item(q)
        events = [
            h
            for h in self.sim.history
            if h.date >= since and (event is None or h.event_type == event)
        ]
        events.sort(key=lambda h: (h.date, h.id))
        return 200, [self.r.history(h, now, include_item=include) for h in events]

    def history_item(self, q: Query) -> tuple[int, Any]:
        event_raw = _one(q, "eventType")
        event = self._event_name(event_raw) if event_raw else None
        if self.p.shape == "series":
            sid = _int(q, "seriesId")
            season = _int(q, "seasonNumber")
            events = [
                h
                for h in self.sim.history
                if h.series_id == sid
                and (
                    season is None
                    or (h.episode_id and self.lib.ep_season[h.episode_id - 1] == season)
                )
            ]
        else:
            mid = _int(q, "movieId")
            events = [h for h in self.sim.history if h.movie_id == mid]
        events = [h for h in events if event is None or h.event_type == event]
        events.sort(key=lambda h: (h.date, h.id), reverse=True)
        now = self.now
        return 200, [
            self.r.history(h, now, include_item=self._include_history_item(q)) for h in events
        ]

    # ------------------------------------------------------------------ commands
    def commands(self, q: Query) -> tuple[int, Any]:
        now = self.now
        # The in-memory list: queued, started, and finished within the cleanup window.
        live = [
            c
            for c in self.sim.commands.values()
            if c.ended is None or now - c.ended < self.sim.config.message_retention
        ]
        return 200, [self.r.command(c, now) for c in live]

    def command_post(self, q: Query, body: Any, user_agent: str | None) -> tuple[int, Any]:
        try:
            cmd, _created = self.sim.post_command(body, user_agent)
        except CommandError as exc:
            raise ApiError(exc.status, exc.body) from None
        return 201, self.r.command(cmd, self.now)

    def command_one(self, q: Query, cid: int) -> tuple[int, Any]:
        c = self.sim.commands.get(cid)
        if c is None:
            raise not_found(f"Command with ID {cid}")
        return 200, self.r.command(c, self.now)

    def command_delete(self, q: Query, cid: int) -> tuple[int, Any]:
        c = self.sim.commands.get(cid)
        if c is None:
            raise not_found(f"Command with ID {cid}")
        if c.status != "queued":
            raise ApiError(409, {"message": "Unable to cancel task", "description": None})
        # The app drops it from the in-memory queue; its row stays "queued".
        if cid in self.sim._waiting:
            self.sim._waiting.remove(cid)
        return 200, None  # the controller action returns void: an empty 200
