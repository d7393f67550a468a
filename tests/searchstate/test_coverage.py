import pytest

from searchstate.coverage import (
    CommandSpec,
    EpisodeFacts,
    covers_episode,
    covers_movie,
    estimated_queries,
)

EP = EpisodeFacts(arr_id=5, series_arr_id=1, season_number=2, monitored=True)


@pytest.mark.parametrize(
    ("command", "episode", "covered"),
    [
        (CommandSpec("EpisodeSearch", ids=(5, 6)), EP, True),
        (CommandSpec("EpisodeSearch", ids=(6,)), EP, False),
        (CommandSpec("SeasonSearch", series_id=1, season_number=2), EP, True),
        (CommandSpec("SeasonSearch", series_id=1, season_number=3), EP, False),
        (CommandSpec("SeasonSearch", series_id=9, season_number=2), EP, False),
        # Sonarr runs pack searches with monitoredOnly: unmonitored episodes are not searched
        (
            CommandSpec("SeasonSearch", series_id=1, season_number=2),
            EpisodeFacts(5, 1, 2, monitored=False),
            False,
        ),
        (CommandSpec("SeriesSearch", series_id=1), EP, True),
        (
            CommandSpec("SeriesSearch", series_id=1),
            EpisodeFacts(5, 1, 2, True, season_monitored=False),
            False,
        ),
        (CommandSpec("MoviesSearch", ids=(5,)), EP, False),
    ],
)
def test_episode_coverage(command, episode, covered):
    assert covers_episode(command, episode) is covered


def test_movie_coverage():
    assert covers_movie(CommandSpec("MoviesSearch", ids=(1, 2)), 2)
    assert not covers_movie(CommandSpec("EpisodeSearch", ids=(2,)), 2)


@pytest.mark.parametrize(
    "body",
    [
        {"name": "SeriesSearch", "seriesId": 12},
        {"name": "SeasonSearch", "seriesId": 12, "seasonNumber": 3},
        {"name": "EpisodeSearch", "episodeIds": [101, 102]},
        {"name": "MoviesSearch", "movieIds": [7, 8]},
    ],
)
def test_command_bodies_round_trip(body):
    assert CommandSpec.from_body(body).body() == body


def test_unknown_command_body_refused():
    with pytest.raises(ValueError):
        CommandSpec("MissingEpisodeSearch").body()


SEASON = CommandSpec("SeasonSearch", series_id=1, season_number=1)
SERIES = CommandSpec("SeriesSearch", series_id=1)


@pytest.mark.parametrize(
    ("command", "kwargs", "expected"),
    [
        (CommandSpec("EpisodeSearch", ids=(1, 2, 3)), {}, 3),
        (CommandSpec("MoviesSearch", ids=(7,)), {}, 1),
        (CommandSpec("EpisodeSearch"), {}, 1),
        # A season search is one query per indexer, however many episodes it covers.
        (SEASON, {}, 1),
        (SEASON, {"series_type": "standard", "episodes": 12}, 1),
        # Anime and daily series fall back to one query per episode.
        (SEASON, {"series_type": "anime", "episodes": 12}, 12),
        (SEASON, {"series_type": "daily", "episodes": 5}, 5),
        (SEASON, {"series_type": "daily", "episodes": 0}, 1),
        (SERIES, {"seasons": 4}, 4),
        (SERIES, {"seasons": 4, "series_type": "anime", "episodes": 30}, 30),
        (SERIES, {"seasons": 0}, 1),
    ],
)
def test_estimated_queries(command, kwargs, expected):
    assert estimated_queries(command, **kwargs) == expected
