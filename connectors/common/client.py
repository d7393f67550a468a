"""The client base every *arr app package builds on.

ArrClient holds the endpoints all apps share; SeriesClient (Sonarr, Whisparr
v2) and MovieClient (Radarr, Whisparr v3) hold the library endpoints of each
shape. App packages subclass one of them and plug in their mapper functions,
sort keys and resource differences as class attributes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar

from connectors.common import images
from connectors.common import mapper as common_mapper
from connectors.common.capabilities import SHAPE_MOVIES, SHAPE_SERIES, Capabilities
from connectors.common.errors import BadResponseError, NotFoundError
from connectors.common.http import HttpClient
from connectors.common.parsing import as_int
from connectors.common.types import (
    CommandRequest,
    CommandStatus,
    EpisodeData,
    HealthItem,
    HistoryRecord,
    MovieData,
    QualityProfile,
    QueueItem,
    QueueStatus,
    SeriesData,
    SystemStatus,
    WantedTotals,
)

logger = logging.getLogger("connectors.client")

API = "/api/v3"
#: The cover types Comradarr shows, each the file name the app caches it under
#: (docs/arr-api.md section 2, MediaCover).
COVER_TYPES = ("poster", "fanart")


class ArrClient:
    """Endpoints every supported app has, all under /api/v3 (docs/arr-api.md section 2)."""

    kind: ClassVar[str] = ""
    shape: ClassVar[str] = ""
    # Set per instance by the registry from KindSpec.api_prefix (Lidarr/Readarr: "/api/v1").
    api_prefix: str = API
    display_name: ClassVar[str] = "*arr app"
    queue_sort_key: ClassVar[str] = "timeleft"  # handled explicitly by every app version
    history_sort_key: ClassVar[str] = "date"
    page_size: int = 1000  # records per page on paged endpoints (the apps have no maximum)

    def __init__(self, http: HttpClient, capabilities: Capabilities | None = None) -> None:
        self.http = http
        self.capabilities = capabilities

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.http.where}>"

    # ------------------------------------------------------------------ status

    def ping(self) -> None:
        """Cheap liveness check; raises an ArrError subclass if the app is not answering.

        /ping is anonymous (it does not check the key) and missing before Radarr 4,
        where system/status is used instead.
        """
        try:
            body = self.http.get_ping()
        except NotFoundError:
            self.system_status()
            return
        status = body.get("status")
        if isinstance(status, str) and status.lower() not in ("ok", ""):
            raise BadResponseError(f"{self.http.where} reports its status as {status!r}.")

    def system_status(self) -> SystemStatus:
        return common_mapper.map_system_status(self.http.get(f"{self.api_prefix}/system/status"))

    def health(self) -> list[HealthItem]:
        return common_mapper.map_health(self.http.get(f"{self.api_prefix}/health"))

    def probe_facts(self) -> tuple[tuple[str, str], ...]:
        """Extra (label, value) lines a connection test shows; a kind adds its own."""
        return ()

    def quality_profiles(self) -> list[QualityProfile]:
        return common_mapper.map_quality_profiles(
            self.http.get(f"{self.api_prefix}/qualityprofile")
        )

    # ------------------------------------------------------------ queue/history

    def queue_status(self) -> QueueStatus:
        return common_mapper.map_queue_status(self.http.get(f"{self.api_prefix}/queue/status"))

    def queue_items(self) -> Iterator[QueueItem]:
        for raw in self.http.paged(
            f"{self.api_prefix}/queue", sort_key=self.queue_sort_key, page_size=self.page_size
        ):
            yield common_mapper.map_queue_item(raw)

    def history_since(
        self, since: datetime, *, event_type: str | None = None
    ) -> list[HistoryRecord]:
        """History records dated at or after `since`, oldest first.

        `date` is always sent: without it the app returns its whole history
        (docs/arr-api.md section 2). Apps without /history/since (Radarr 3) are read
        through the paged /history, newest first, until older records start.
        """
        if since.tzinfo is None:
            raise ValueError("since must be an aware datetime")
        if self.capabilities is not None and not self.capabilities.history_since:
            records = self._history_since_paged(since, event_type)
        else:
            params: list[tuple[str, Any]] = [("date", since)]
            if event_type:
                params.append(("eventType", event_type))
            records = common_mapper.map_history(
                self.http.get_list(
                    f"{self.api_prefix}/history/since", params, kind="history record"
                )
            )
        return sorted(records, key=lambda record: (record.date, record.arr_id))

    def _history_since_paged(self, since: datetime, event_type: str | None) -> list[HistoryRecord]:
        since_utc = since.astimezone(UTC)
        found: list[HistoryRecord] = []
        for raw in self.http.paged(
            f"{self.api_prefix}/history",
            sort_key=self.history_sort_key,
            sort_direction="descending",
            page_size=self.page_size,
        ):
            record = common_mapper.map_history_record(raw)
            if record.date < since_utc:
                break  # newest first: everything after this is older still
            if event_type is None or record.event_type == event_type:
                found.append(record)
        return found

    def _wanted_totals(self, sort_key: str) -> WantedTotals | None:
        """How many monitored items /wanted/missing and /wanted/cutoff list, one record a
        page each (two small requests); None when the app has no such endpoints."""
        caps = self.capabilities
        if caps is not None and not caps.wanted_endpoints:
            return None
        try:
            missing, cutoff = (
                self.http.total_records(
                    f"{self.api_prefix}/wanted/{which}", {"monitored": True}, sort_key=sort_key
                )
                for which in ("missing", "cutoff")
            )
        except NotFoundError:
            return None  # an older build than the version gate assumed
        return WantedTotals(missing=missing, cutoff=cutoff)

    # ------------------------------------------------------------------ covers

    def media_cover(
        self, arr_id: int, cover_type: str, *, max_bytes: int = images.MAX_IMAGE_BYTES
    ) -> images.Image:
        """A series' or movie's poster or fanart, as the app cached it (docs/arr-api.md
        section 2): GET {prefix}/mediacover/{id}/{type}.jpg, with the key in the header.

        Only the mirrored id and a fixed file name go into the path, never a URL
        from the app (remoteUrl) or from a user. NotFoundError when the app has
        none; BadResponseError when the answer is not an image; ResponseTooLargeError
        past ``max_bytes``.
        """
        if cover_type not in COVER_TYPES:
            raise ValueError(f"unknown cover type {cover_type!r}")
        arr_id = int(arr_id)
        if arr_id < 1:
            raise ValueError("arr_id must be a positive id")
        path = f"{self.api_prefix}/mediacover/{arr_id}/{cover_type}.jpg"
        response = self.http.request("GET", path, stream=True, accept=images.ACCEPT)
        try:
            return images.read_image(self.http, response, self.http.scrub(path), max_bytes)
        finally:
            response.close()

    # ---------------------------------------------------------------- commands

    def post_command(self, command: CommandRequest) -> CommandStatus:
        """POST /command; the app answers 201 with the (possibly deduplicated) command."""
        body = dict(command.body)
        body["name"] = command.name
        return common_mapper.map_command(self.http.post(f"{self.api_prefix}/command", json=body))

    def get_command(self, command_id: int) -> CommandStatus:
        return common_mapper.map_command(
            self.http.get(f"{self.api_prefix}/command/{int(command_id)}")
        )

    def commands(self) -> list[CommandStatus]:
        return common_mapper.map_commands(self.http.get(f"{self.api_prefix}/command"))


class SeriesClient(ArrClient):
    """Sonarr-shaped apps: series, seasons, episodes, episode files."""

    shape: ClassVar[str] = SHAPE_SERIES
    wanted_sort_key: ClassVar[str] = "episodes.airDateUtc"
    map_series: ClassVar[Callable[[Any], SeriesData]]
    map_episode: ClassVar[Callable[..., EpisodeData]]
    # Whether /wanted/cutoff takes includeEpisodeFile (declared in both series-shaped specs).
    cutoff_include_episode_file: ClassVar[bool] = True

    def series(self) -> list[SeriesData]:
        raw = self.http.get_list(f"{self.api_prefix}/series", kind="series")
        return [type(self).map_series(item) for item in raw]

    def series_one(self, series_arr_id: int) -> SeriesData:
        """One series with its seasons and statistics; NotFoundError when it is gone."""
        raw = self.http.get(f"{self.api_prefix}/series/{int(series_arr_id)}")
        if not isinstance(raw, dict):
            raise BadResponseError(f"{self.http.where} answered /series/{{id}} without a series.")
        return type(self).map_series(raw)

    def wanted_totals(self) -> WantedTotals | None:
        return self._wanted_totals(self._wanted_sort_key())

    def episodes(self, series_arr_id: int) -> list[EpisodeData]:
        """Every episode of one series with its file's quality and cutoff state merged in."""
        series_arr_id = int(series_arr_id)
        caps = self.capabilities
        if caps is not None and caps.include_episode_file:
            raw = self.http.get_list(
                f"{self.api_prefix}/episode",
                {"seriesId": series_arr_id, "includeEpisodeFile": True},
                kind="episode",
            )
            return [type(self).map_episode(item) for item in raw]
        raw = self.http.get_list(
            f"{self.api_prefix}/episode", {"seriesId": series_arr_id}, kind="episode"
        )
        files: dict[int, dict] = {}
        if any((as_int(item.get("episodeFileId")) or 0) > 0 for item in raw):
            for file_raw in self.http.get_list(
                f"{self.api_prefix}/episodefile", {"seriesId": series_arr_id}, kind="episode file"
            ):
                file_id = as_int(file_raw.get("id"))
                if file_id:
                    files[file_id] = file_raw
        return [
            type(self).map_episode(
                item, episode_file=files.get(as_int(item.get("episodeFileId")) or 0)
            )
            for item in raw
        ]

    def wanted_missing(self) -> Iterator[EpisodeData]:
        """Monitored episodes without a file that have aired (the app's own filter)."""
        return _unique(self._wanted_missing())

    def _wanted_missing(self) -> Iterator[EpisodeData]:
        for raw in self.http.paged(
            f"{self.api_prefix}/wanted/missing",
            {"monitored": True},
            sort_key=self._wanted_sort_key(),
            sort_direction="ascending",
            page_size=self.page_size,
        ):
            yield type(self).map_episode(raw)

    def wanted_cutoff(self) -> Iterator[EpisodeData]:
        """Monitored episodes whose file is below the profile's quality cutoff."""
        return _unique(self._wanted_cutoff())

    def _wanted_cutoff(self) -> Iterator[EpisodeData]:
        params: dict[str, Any] = {"monitored": True}
        if self.cutoff_include_episode_file:
            params["includeEpisodeFile"] = True
        for raw in self.http.paged(
            f"{self.api_prefix}/wanted/cutoff",
            params,
            sort_key=self._wanted_sort_key(),
            sort_direction="ascending",
            page_size=self.page_size,
        ):
            # Listed by /wanted/cutoff means below cutoff, even if the file was not embedded.
            yield type(self).map_episode(raw, cutoff_listed=True)

    def _wanted_sort_key(self) -> str:
        return self.wanted_sort_key


class MovieClient(ArrClient):
    """Radarr-shaped apps: movies (and Whisparr v3 scenes) with their files."""

    shape: ClassVar[str] = SHAPE_MOVIES
    wanted_sort_key: ClassVar[str] = "movieMetadata.sortTitle"
    map_movie: ClassVar[Callable[..., MovieData]]
    movie_file_batch: ClassVar[int] = 100

    def movies(self) -> list[MovieData]:
        """The whole library (the endpoint is unpaged) with each movie's file merged in."""
        raw = self.http.get_list(f"{self.api_prefix}/movie", kind="movie")
        files = self._files_not_embedded(raw)
        return [
            type(self).map_movie(item, movie_file=files.get(as_int(item.get("id")) or 0))
            for item in raw
        ]

    def movie_pages(self, page_size: int = 1000) -> Iterator[list[MovieData]]:
        """The library as movies() reads it, streamed: the /movie answer is parsed
        as it arrives and handed out ``page_size`` movies at a time, so memory
        holds one page, not the whole list. A failure raises mid-iteration, after
        earlier pages were handed out: act on "vanished" only after the last page.
        """
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        page: list[dict] = []
        for item in self.http.get_list_stream(f"{self.api_prefix}/movie", kind="movie"):
            page.append(item)
            if len(page) >= page_size:
                yield self._map_movies(page)
                page = []
        if page:
            yield self._map_movies(page)

    def movie(self, movie_arr_id: int) -> MovieData:
        """One movie with its file (GET /movie/{id} embeds it); NotFoundError when gone."""
        raw = self.http.get(f"{self.api_prefix}/movie/{int(movie_arr_id)}")
        if not isinstance(raw, dict):
            raise BadResponseError(f"{self.http.where} answered /movie/{{id}} without a movie.")
        return self._map_movies([raw])[0]

    def library_count(self) -> int | None:
        """How many movies the library holds, when an endpoint says so cheaply (None: none
        does; Radarr has no count short of the whole /movie list)."""
        return None

    def wanted_totals(self) -> WantedTotals | None:
        return self._wanted_totals(self.wanted_sort_key)

    def _map_movies(self, raw: list[dict]) -> list[MovieData]:
        files = self._files_not_embedded(raw)
        return [
            type(self).map_movie(item, movie_file=files.get(as_int(item.get("id")) or 0))
            for item in raw
        ]

    def _files_not_embedded(self, raw: list[dict]) -> dict[int, dict]:
        """Fetch /moviefile for movies that say they have a file but did not embed it."""
        wanted = [
            movie_id
            for item in raw
            if not isinstance(item.get("movieFile"), dict)
            and (item.get("hasFile") is True or (as_int(item.get("movieFileId")) or 0) > 0)
            and (movie_id := as_int(item.get("id")))
        ]
        files: dict[int, dict] = {}
        for start in range(0, len(wanted), self.movie_file_batch):
            batch = wanted[start : start + self.movie_file_batch]
            for file_raw in self.http.get_list(
                f"{self.api_prefix}/moviefile", {"movieId": batch}, kind="movie file"
            ):
                movie_id = as_int(file_raw.get("movieId"))
                if movie_id:
                    files[movie_id] = file_raw
        return files

    def wanted_missing(self) -> Iterator[MovieData]:
        """Monitored movies without a file, as /wanted/missing lists them.

        Like the app's endpoint this does NOT filter on availability: callers
        must skip movies whose is_available is False (an API search would grab
        unreleased movies; docs/arr-api.md section 5).
        """
        yield from _unique(
            self._wanted(
                "missing",
                lambda movie: movie.monitored and not movie.has_file and bool(movie.year),
            )
        )

    def wanted_cutoff(self) -> Iterator[MovieData]:
        """Monitored movies whose file is below the profile's quality cutoff."""
        yield from _unique(
            self._wanted(
                "cutoff",
                lambda movie: movie.monitored and movie.has_file and movie.quality_cutoff_not_met,
                cutoff_listed=True,
            )
        )

    def _wanted(
        self,
        which: str,
        keep: Callable[[MovieData], bool],
        *,
        cutoff_listed: bool = False,
    ) -> Iterator[MovieData]:
        caps = self.capabilities
        if caps is None or caps.wanted_endpoints:
            pages = self.http.paged(
                f"{self.api_prefix}/wanted/{which}",
                {"monitored": True},
                sort_key=self.wanted_sort_key,
                sort_direction="ascending",
                page_size=self.page_size,
            )
            try:
                first = next(pages, None)
            except NotFoundError:
                # Older builds than the version gate assumed: read the library instead.
                logger.info("%s has no /wanted/%s; filtering the library", self.http.where, which)
            else:
                if first is not None:
                    yield from self._map_wanted([first], cutoff_listed)
                    yield from self._map_wanted(pages, cutoff_listed)
                return
        yield from (movie for movie in self.movies() if keep(movie))

    def _map_wanted(self, raws: Iterable[dict], cutoff_listed: bool) -> Iterator[MovieData]:
        for raw in raws:
            yield type(self).map_movie(raw, cutoff_listed=cutoff_listed)


def _unique(items: Iterable[Any]) -> Iterator[Any]:
    """Drop repeats by arr_id: the apps page with OFFSET over a sort key that can tie
    (many episodes share an air date), so a record can show up on two pages."""
    seen: set[int] = set()
    for item in items:
        if item.arr_id not in seen:
            seen.add(item.arr_id)
            yield item
