"""Whisparr: v2 is series-shaped (scenes with releaseDate), v3 Eros movie-shaped (itemType)."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qsl, urlsplit

import pytest

from connectors.common.client import MovieClient, SeriesClient
from connectors.whisparr.client import WhisparrV2Client, WhisparrV3Client
from connectors.whisparr.commands import episode_search, movies_search

from .conftest import load_fixture

BASE = "http://arr.test:8989"
API = f"{BASE}/api/v3"


def query(call) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(call.request.url).query)


@pytest.mark.parametrize(
    ("version", "cls", "shape_base"),
    [("2.0.0.819", WhisparrV2Client, SeriesClient), ("3.2.0.170", WhisparrV3Client, MovieClient)],
)
def test_major_version_picks_the_shape(make_client, version, cls, shape_base):
    client = make_client("whisparr", version)
    assert type(client) is cls and isinstance(client, shape_base)
    assert client.kind == "whisparr"


def test_v2_episodes_never_ask_for_included_files_and_map_release_dates(rsps, make_client):
    client = make_client("whisparr", "2.0.0.819")
    rsps.get(f"{API}/episode", json=load_fixture("whisparr_v2", "episodes"))
    rsps.get(f"{API}/episodefile", json=load_fixture("whisparr_v2", "episodefiles"))
    scene, wanted = client.episodes(3)
    assert query(rsps.calls[0]) == [("seriesId", "3")]  # no includeEpisodeFile in v2
    assert query(rsps.calls[1]) == [("seriesId", "3")]
    assert scene.release_date == date(2024, 3, 15) and scene.episode_number is None
    assert scene.air_date_utc is None
    assert scene.quality_cutoff_not_met is True
    assert wanted.has_file is False


def test_v2_sites(rsps, make_client):
    client = make_client("whisparr", "2.0.0.819")
    rsps.get(f"{API}/series", json=load_fixture("whisparr_v2", "series"))
    (site,) = client.series()
    assert site.title == "Example Site" and site.seasons[0].season_number == 2024


def test_v2_wanted_missing(rsps, make_client):
    client = make_client("whisparr", "2.0.0.819")
    episodes = load_fixture("whisparr_v2", "episodes")
    rsps.get(
        f"{API}/wanted/missing",
        json={"page": 1, "pageSize": 1000, "totalRecords": 1, "records": [episodes[1]]},
    )
    (scene,) = client.wanted_missing()
    assert scene.release_date == date(2024, 4, 2)
    assert dict(query(rsps.calls[0]))["sortKey"] == "episodes.airDateUtc"


def test_v3_items_keep_item_type(rsps, make_client):
    client = make_client("whisparr", "3.2.0.170")
    rsps.get(f"{API}/movie", json=load_fixture("whisparr_v3", "movies"))
    scene, feature = client.movies()
    assert (scene.item_type, feature.item_type) == ("scene", "movie")
    assert len(rsps.calls) == 1  # the scene's file is embedded, the feature has none


def test_v3_wanted_from_3_2_uses_the_endpoint(rsps, make_client):
    client = make_client("whisparr", "3.2.0.170")
    items = load_fixture("whisparr_v3", "movies")
    rsps.get(
        f"{API}/wanted/missing",
        json={"page": 1, "pageSize": 1000, "totalRecords": 1, "records": [items[1]]},
    )
    (item,) = client.wanted_missing()
    assert item.arr_id == 42
    assert dict(query(rsps.calls[0]))["sortKey"] == "movieMetadata.sortTitle"


def test_v3_wanted_before_3_2_filters_the_library(rsps, make_client):
    client = make_client("whisparr", "3.1.0.50")
    rsps.get(f"{API}/movie", json=load_fixture("whisparr_v3", "movies"))
    assert [m.arr_id for m in client.wanted_missing()] == [42]
    assert list(client.wanted_cutoff()) == []
    assert all(urlsplit(c.request.url).path == "/api/v3/movie" for c in rsps.calls)


def test_whisparr_reuses_the_shape_matching_command_builders():
    assert episode_search([301]).body == {"name": "EpisodeSearch", "episodeIds": [301]}
    assert movies_search([41]).body == {"name": "MoviesSearch", "movieIds": [41]}
