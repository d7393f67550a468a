"""Coverage accounting: which items a search command actually searched.

A SeasonSearch searches every monitored episode of the season (Sonarr runs it
with monitoredOnly=true), so when it completes every such episode is credited
as searched and goes to cooldown: the next hourly sweep must not search them
one by one. A SeriesSearch covers monitored episodes of monitored seasons.
EpisodeSearch and MoviesSearch cover exactly their ids.

The rules here are pure (over :class:`CommandSpec` and :class:`EpisodeFacts`);
:func:`searchstate.services.registry_rows_covered` applies them to the
database in one query.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CommandSpec:
    """A search command as posted: its name and body fields (docs/arr-api.md section 5)."""

    name: str
    series_id: int | None = None
    season_number: int | None = None
    ids: tuple[int, ...] = ()

    @classmethod
    def from_body(cls, body: dict) -> CommandSpec:
        name = str(body.get("name", ""))
        ids = body.get("episodeIds") or body.get("movieIds") or ()
        return cls(
            name=name,
            series_id=body.get("seriesId"),
            season_number=body.get("seasonNumber"),
            ids=tuple(int(i) for i in ids),
        )

    def body(self) -> dict:
        if self.name == "SeriesSearch":
            return {"name": self.name, "seriesId": self.series_id}
        if self.name == "SeasonSearch":
            return {
                "name": self.name,
                "seriesId": self.series_id,
                "seasonNumber": self.season_number,
            }
        if self.name == "EpisodeSearch":
            return {"name": self.name, "episodeIds": list(self.ids)}
        if self.name == "MoviesSearch":
            return {"name": self.name, "movieIds": list(self.ids)}
        raise ValueError(f"unknown search command {self.name!r}")


@dataclass(frozen=True)
class EpisodeFacts:
    arr_id: int
    series_arr_id: int
    season_number: int
    monitored: bool
    season_monitored: bool = True


def covers_episode(command: CommandSpec, episode: EpisodeFacts) -> bool:
    if command.name == "EpisodeSearch":
        return episode.arr_id in command.ids
    if command.name == "SeasonSearch":
        return (
            episode.series_arr_id == command.series_id
            and episode.season_number == command.season_number
            and episode.monitored
        )
    if command.name == "SeriesSearch":
        return (
            episode.series_arr_id == command.series_id
            and episode.monitored
            and episode.season_monitored
        )
    return False


def covers_movie(command: CommandSpec, movie_arr_id: int) -> bool:
    return command.name == "MoviesSearch" and movie_arr_id in command.ids


#: Series types whose season search Sonarr falls back to per-episode queries for
#: (anime by absolute number, daily by air date): docs/arr-api.md section 10.
PER_EPISODE_SERIES_TYPES = frozenset({"anime", "daily"})


def estimated_queries(
    command: CommandSpec, *, seasons: int = 1, series_type: str = "", episodes: int = 1
) -> int:
    """Indexer queries a command costs per indexer (the budget rule, BUDGET_RULE).

    An episode or movie search: one per id. A season search: one query, unless the
    series is anime or daily, whose fallbacks search its ``episodes`` one by one.
    A series search: one per season it covers (or per episode for anime/daily).
    """
    per_episode = series_type in PER_EPISODE_SERIES_TYPES
    if command.name == "SeasonSearch":
        return max(1, episodes) if per_episode else 1
    if command.name == "SeriesSearch":
        return max(1, seasons, episodes) if per_episode else max(1, seasons)
    return max(1, len(command.ids))
