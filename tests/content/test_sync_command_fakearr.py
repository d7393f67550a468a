"""Done-when: `manage.py sync` mirrors fakearr Sonarr, Radarr and both Whisparrs,
and every mirrored field of every item equals what the app's API serves.

The expected values are read from the fake app's HTTP API with plain
`requests` and interpreted here, independently of the client layer's
mappers, so a mapper or upsert bug that drops or mangles a field fails.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import requests
from django.core.management import call_command

from connectors.models import Connector
from content.models import Episode, Movie, Season, Series, SyncRun

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def _api(arr, path: str, **params) -> list[dict]:
    response = requests.get(
        f"{arr.url}/api/v3{path}", params=params, headers={"X-Api-Key": arr.api_key}, timeout=10
    )
    response.raise_for_status()
    return response.json()


def _when(value: str | None) -> datetime | None:
    if not value:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return None if parsed.year <= 1 else parsed.astimezone(UTC)


def _quality(file: dict | None) -> tuple[str, int | None]:
    if not file:
        return "", None
    inner = file["quality"]["quality"]
    return inner["name"], inner.get("resolution")


def _file_fields(file: dict | None) -> tuple:
    name, resolution = _quality(file)
    return (
        file is not None,
        file["id"] if file else None,
        name,
        resolution,
        bool(file and file.get("qualityCutoffNotMet")),
        file.get("customFormatScore") if file else None,
    )


def expected_series(arr) -> tuple[dict, dict, dict]:
    series, seasons, episodes = {}, {}, {}
    for raw in _api(arr, "/series"):
        stats = raw.get("statistics") or {}
        series[raw["id"]] = (
            raw["title"],
            raw.get("sortTitle", ""),
            raw.get("year"),
            raw.get("status", ""),
            raw["monitored"],
            raw.get("seriesType", "standard"),
            raw.get("qualityProfileId"),
            raw.get("tvdbId") or None,
            raw.get("tmdbId") or None,
            raw.get("imdbId", ""),
            _when(raw.get("added")),
            _when(raw.get("nextAiring")),
            _when(raw.get("previousAiring")),
            stats.get("episodeFileCount", 0),
            stats.get("episodeCount", 0),
            stats.get("totalEpisodeCount", 0),
            stats.get("sizeOnDisk", 0),
        )
        for season in raw.get("seasons", []):
            s = season.get("statistics") or {}
            seasons[(raw["id"], season["seasonNumber"])] = (
                season["monitored"],
                s.get("episodeFileCount", 0),
                s.get("episodeCount", 0),
                s.get("totalEpisodeCount", 0),
                float(s.get("percentOfEpisodes", 0)),
                s.get("sizeOnDisk", 0),
                _when(s.get("nextAiring")),
                _when(s.get("previousAiring")),
            )
        files = {f["id"]: f for f in _api(arr, "/episodefile", seriesId=raw["id"])}
        for ep in _api(arr, "/episode", seriesId=raw["id"]):
            file = files.get(ep.get("episodeFileId") or 0)
            release = ep.get("releaseDate")
            episodes[ep["id"]] = (
                raw["id"],
                ep["seasonNumber"],
                ep.get("episodeNumber") if release is None else None,
                ep.get("title", ""),
                _when(ep.get("airDateUtc")) if release is None else None,
                date.fromisoformat(release[:10]) if release else None,
                ep["monitored"],
                *_file_fields(file),
                _when(ep.get("lastSearchTime")),
            )
    return series, seasons, episodes


def mirrored_series(connector) -> tuple[dict, dict, dict]:
    series = {
        s.arr_id: (
            s.title,
            s.sort_title,
            s.year,
            s.status,
            s.monitored,
            s.series_type,
            s.quality_profile_id,
            s.tvdb_id,
            s.tmdb_id,
            s.imdb_id,
            s.added,
            s.next_airing,
            s.previous_airing,
            s.episode_file_count,
            s.episode_count,
            s.total_episode_count,
            s.size_on_disk,
        )
        for s in Series.objects.filter(connector=connector)
    }
    seasons = {
        (s.series.arr_id, s.season_number): (
            s.monitored,
            s.episode_file_count,
            s.episode_count,
            s.total_episode_count,
            s.percent_of_episodes,
            s.size_on_disk,
            s.next_airing,
            s.previous_airing,
        )
        for s in Season.objects.filter(series__connector=connector).select_related("series")
    }
    episodes = {
        e.arr_id: (
            e.series.arr_id,
            e.season_number,
            e.episode_number,
            e.title,
            e.air_date_utc,
            e.release_date,
            e.monitored,
            e.has_file,
            e.episode_file_id,
            e.quality_name,
            e.quality_resolution,
            e.quality_cutoff_not_met,
            e.custom_format_score,
            e.last_search_time,
        )
        for e in Episode.objects.filter(connector=connector).select_related("series")
    }
    return series, seasons, episodes


def expected_movies(arr) -> dict:
    movies = {}
    for raw in _api(arr, "/movie"):
        file = raw.get("movieFile")
        if file is None and (raw.get("movieFileId") or 0) > 0:
            file = _api(arr, "/moviefile", movieId=raw["id"])[0]
        movies[raw["id"]] = (
            raw["title"],
            raw.get("sortTitle", ""),
            raw.get("year"),
            raw.get("status", ""),
            raw["monitored"],
            # Eros (Whisparr v3) has none; the mirror records "released" (its rule).
            raw.get("minimumAvailability", "released"),
            raw.get("isAvailable", False),
            _when(raw.get("inCinemas")),
            _when(raw.get("digitalRelease")),
            _when(raw.get("physicalRelease")),
            _when(raw.get("releaseDate")),
            raw.get("tmdbId") or None,
            raw.get("imdbId", ""),
            raw.get("qualityProfileId"),
            raw.get("itemType", "movie"),
            _when(raw.get("added")),
            *_file_fields(file),
            _when(raw.get("lastSearchTime")),
        )
    return movies


def mirrored_movies(connector) -> dict:
    return {
        m.arr_id: (
            m.title,
            m.sort_title,
            m.year,
            m.status,
            m.monitored,
            m.minimum_availability,
            m.is_available,
            m.in_cinemas,
            m.digital_release,
            m.physical_release,
            m.release_date,
            m.tmdb_id,
            m.imdb_id,
            m.quality_profile_id,
            m.item_type,
            m.added,
            m.has_file,
            m.movie_file_id,
            m.quality_name,
            m.quality_resolution,
            m.quality_cutoff_not_met,
            m.custom_format_score,
            m.last_search_time,
        )
        for m in Movie.objects.filter(connector=connector)
    }


def _assert_equal_item_for_item(expected: dict, mirrored: dict, what: str) -> None:
    assert expected, f"the fake library has no {what}"
    assert mirrored.keys() == expected.keys(), what
    wrong = {
        key: (mirrored[key], expected[key]) for key in expected if mirrored[key] != expected[key]
    }
    assert not wrong, f"{len(wrong)} {what} differ, e.g. {next(iter(wrong.items()))}"


def test_manage_py_sync_mirrors_all_four_apps_field_for_field(fakearr_factory, capsys):
    apps = {
        "sonarr": fakearr_factory("sonarr", series=6, episodes_per_series=20, seed=3),
        "whisparr2": fakearr_factory("whisparr_v2", series=4, episodes_per_series=15, seed=3),
        "radarr": fakearr_factory("radarr", movies=30, seed=3),
        "whisparr3": fakearr_factory("whisparr_v3", movies=30, seed=3),
    }
    for name, arr in apps.items():
        Connector.objects.create(name=name, kind=arr.kind, url=arr.url, api_key=arr.api_key)

    call_command("sync", "--full")
    out = capsys.readouterr().out
    for name in apps:
        assert name in out

    for name, arr in apps.items():
        connector = Connector.objects.get(name=name)
        run = SyncRun.objects.get(connector=connector)
        assert run.status == SyncRun.Status.SUCCEEDED, run.error
        assert run.kind == SyncRun.Kind.FULL and run.trigger == SyncRun.Trigger.MANUAL
        if name in ("radarr", "whisparr3"):
            expected = expected_movies(arr)
            _assert_equal_item_for_item(expected, mirrored_movies(connector), f"{name} movies")
            assert run.added == len(expected)
        else:
            want_series, want_seasons, want_episodes = expected_series(arr)
            got_series, got_seasons, got_episodes = mirrored_series(connector)
            _assert_equal_item_for_item(want_series, got_series, f"{name} series")
            _assert_equal_item_for_item(want_seasons, got_seasons, f"{name} seasons")
            _assert_equal_item_for_item(want_episodes, got_episodes, f"{name} episodes")
            assert run.added == len(want_series) + len(want_episodes)
            assert run.items_seen == len(want_episodes)

    # The library changes; an incremental `manage.py sync` brings every field back in line.
    sonarr, radarr = apps["sonarr"], apps["radarr"]
    lib = sonarr.library
    first = next(iter(lib.series))
    episode = next(iter(lib.iter_episodes(first)))
    sonarr.set_monitored(not lib.episode_monitored(episode), episode_id=episode)
    if lib.episode_file_id(episode):
        sonarr.delete_episode_file(episode)
    else:
        sonarr.set_episode_file(episode)
    movies = radarr.library.movies
    with_file = [m for m in movies if movies[m].file_id]
    radarr.set_movie_monitored(with_file[0], not movies[with_file[0]].monitored)
    radarr.upgrade_movie_file(with_file[1])
    radarr.add_movie()

    call_command("sync", "--connector", "sonarr", "--connector", "radarr")
    _assert_equal_item_for_item(
        expected_series(sonarr)[2],
        mirrored_series(Connector.objects.get(name="sonarr"))[2],
        "sonarr episodes after the change",
    )
    _assert_equal_item_for_item(
        expected_movies(radarr),
        mirrored_movies(Connector.objects.get(name="radarr")),
        "radarr movies after the change",
    )
