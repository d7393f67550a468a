"""Domain values the mappers produce from *arr JSON.

Plain frozen dataclasses: the rest of Comradarr (content sync, search state)
never sees raw API JSON. Field meanings follow the OpenAPI documents in
tests/data/openapi; a value the API omitted is None.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class SystemStatus:
    app_name: str
    version: str
    instance_name: str | None
    url_base: str | None
    is_docker: bool | None
    raw_branch: str | None


@dataclass(frozen=True, slots=True)
class HealthItem:
    source: str
    type: str  # ok | notice | warning | error
    message: str
    wiki_url: str | None


@dataclass(frozen=True, slots=True)
class QualityProfile:
    arr_id: int
    name: str
    upgrade_allowed: bool
    cutoff: int
    cutoff_format_score: int
    min_format_score: int


@dataclass(frozen=True, slots=True)
class QueueStatus:
    total_count: int
    count: int
    unknown_count: int
    errors: bool
    warnings: bool


@dataclass(frozen=True, slots=True)
class QueueItem:
    arr_id: int
    series_arr_id: int | None
    episode_arr_id: int | None
    movie_arr_id: int | None
    title: str
    status: str
    tracked_download_state: str | None


@dataclass(frozen=True, slots=True)
class WantedTotals:
    """totalRecords of /wanted/missing and /wanted/cutoff (monitored items), read cheaply."""

    missing: int
    cutoff: int


@dataclass(frozen=True, slots=True)
class HistoryRecord:
    arr_id: int
    event_type: str
    date: datetime
    series_arr_id: int | None
    episode_arr_id: int | None
    movie_arr_id: int | None
    source_title: str | None
    quality_cutoff_not_met: bool | None
    download_id: str | None


@dataclass(frozen=True, slots=True)
class CommandStatus:
    arr_id: int
    name: str
    status: str  # queued|started|completed|failed|aborted|cancelled|orphaned
    message: str | None
    queued: datetime | None
    started: datetime | None
    ended: datetime | None
    body: dict[str, Any] = field(default_factory=dict)

    FINISHED = frozenset({"completed", "failed", "aborted", "cancelled", "orphaned"})

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED


@dataclass(frozen=True, slots=True)
class SeasonData:
    season_number: int
    monitored: bool
    episode_file_count: int
    episode_count: int
    total_episode_count: int
    percent_of_episodes: float
    size_on_disk: int
    next_airing: datetime | None
    previous_airing: datetime | None


@dataclass(frozen=True, slots=True)
class SeriesData:
    arr_id: int
    title: str
    sort_title: str
    year: int | None
    status: str
    monitored: bool
    series_type: str
    quality_profile_id: int | None
    tvdb_id: int | None
    tmdb_id: int | None
    imdb_id: str | None
    added: datetime | None
    next_airing: datetime | None
    previous_airing: datetime | None
    episode_file_count: int
    episode_count: int
    total_episode_count: int
    size_on_disk: int
    seasons: tuple[SeasonData, ...]


@dataclass(frozen=True, slots=True)
class EpisodeData:
    arr_id: int
    series_arr_id: int
    season_number: int
    episode_number: int | None
    title: str
    air_date_utc: datetime | None
    release_date: date | None  # Whisparr v2 scenes carry a release date instead of an air date
    monitored: bool
    has_file: bool
    episode_file_id: int | None
    quality_name: str | None
    quality_resolution: int | None
    quality_cutoff_not_met: bool
    custom_format_score: int | None
    last_search_time: datetime | None


@dataclass(frozen=True, slots=True)
class MovieData:
    arr_id: int
    title: str
    sort_title: str
    year: int | None
    status: str
    monitored: bool
    minimum_availability: str
    is_available: bool
    in_cinemas: datetime | None
    digital_release: datetime | None
    physical_release: datetime | None
    tmdb_id: int | None
    imdb_id: str | None
    quality_profile_id: int | None
    has_file: bool
    movie_file_id: int | None
    quality_name: str | None
    quality_resolution: int | None
    quality_cutoff_not_met: bool
    custom_format_score: int | None
    last_search_time: datetime | None
    item_type: str  # movie | scene (Whisparr v3); always "movie" for Radarr
    added: datetime | None
    # Addition: Radarr >= 5.10 and Whisparr v3 send one releaseDate (Eros has no cinema dates).
    release_date: datetime | None = None


@dataclass(frozen=True, slots=True)
class CommandRequest:
    name: str
    body: dict[str, Any]  # the full JSON posted, including "name"


@dataclass(frozen=True, slots=True)
class WebhookFile:
    """The file a Download or file-delete webhook names (connectors.common.webhook)."""

    arr_id: int | None  # episodeFile.id / movieFile.id
    quality: str  # its quality name, "" when the payload has none


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """What one webhook says happened, in the connector's shape.

    ``action`` is one of connectors.common.webhook.Action; ``item_ids`` are the
    episodes' or the movie's arr ids, ``series_id`` the series' (series shape).
    """

    event: str  # eventType as sent (PascalCase)
    action: str
    item_ids: tuple[int, ...] = ()
    series_id: int | None = None
    file: WebhookFile | None = None
