"""GET /api/v1/connectors/{id}/library: series or movies, filtered, keyset-paged."""

from __future__ import annotations

import pytest
from django.urls import reverse

from connectors.models import Connector
from tests.api.conftest import API_KEY, api, assert_error
from tests.searchstate import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def radarr(db) -> Connector:
    return Connector.objects.create(
        name="Radarr", kind=Connector.Kind.RADARR, url="http://127.0.0.1:1", api_key=API_KEY
    )


def url(connector) -> str:
    return reverse("api:library", args=[connector.pk])


def test_movies_filtered_searched_and_paged(radarr, read_key, full_key):
    for title in ("Alien", "Aliens", "Brazil", "Heat"):
        builders.movie(radarr, title, monitored=True)
    builders.movie(radarr, "Ran", has_file=True)
    client = api(read_key.raw)
    first = client.get(url(radarr), {"limit": 2}).json()
    assert first["kind"] == "movies" and [m["title"] for m in first["results"]] == [
        "Alien",
        "Aliens",
    ]
    second = client.get(url(radarr), {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [m["title"] for m in second["results"]] == ["Brazil", "Heat"]
    last = client.get(url(radarr), {"limit": 2, "cursor": second["next_cursor"]}).json()
    assert [m["title"] for m in last["results"]] == ["Ran"] and last["next_cursor"] is None
    missing = client.get(url(radarr), {"filter": "missing"}).json()
    assert "Ran" not in {m["title"] for m in missing["results"]}
    found = client.get(url(radarr), {"search": "alien"}).json()
    assert [m["title"] for m in found["results"]] == ["Alien", "Aliens"]
    assert api(full_key.raw).get(url(radarr)).status_code == 200
    assert_error(api().get(url(radarr)), 401)


def test_series_come_with_their_seasons(connector, read_key):
    show = builders.series(connector, "Severance")
    builders.episodes(show, 1, 3, has_file=1)
    body = api(read_key.raw).get(url(connector)).json()
    assert body["kind"] == "series"
    (series,) = body["results"]
    assert series["title"] == "Severance" and series["seasons"][0]["season_number"] == 1
    assert API_KEY not in str(body)


@pytest.mark.parametrize(
    "params, field",
    [
        ({"filter": "everything"}, "filter"),
        ({"cursor": "garbage!"}, "cursor"),
        ({"limit": "1000"}, "limit"),
    ],
)
def test_bad_parameters_are_400_per_field(radarr, read_key, params, field):
    error = assert_error(api(read_key.raw).get(url(radarr), params), 400, "invalid")
    assert field in error["details"]


def test_an_unknown_connector_is_404(read_key):
    assert_error(api(read_key.raw).get("/api/v1/connectors/999999/library"), 404)
