"""/library/artwork/...: posters and fanart proxied from a real fake app (tests/fakearr)."""

from __future__ import annotations

import pytest
from django.templatetags.static import static
from django.urls import reverse

from connectors.common.errors import UnreachableError
from connectors.models import Connector
from tests.searchstate import builders
from web import artwork

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cache_dir(settings, tmp_path):
    settings.ARTWORK_CACHE_DIR = tmp_path / "artwork"
    artwork.default_cache.cache_clear()
    artwork.forget_down()
    yield settings.ARTWORK_CACHE_DIR
    artwork.default_cache.cache_clear()
    artwork.forget_down()


@pytest.fixture
def arr(fakearr_factory):
    return fakearr_factory("radarr", movies=4, seed=5, url_base="/radarr")  # behind a URL base


@pytest.fixture
def movie(arr):
    connector = Connector.objects.create(
        name="Movies", kind="radarr", url=arr.url, api_key=arr.api_key, app_version="5.28.0.10205"
    )
    return builders.movie(connector, "Dune", arr_id=2)


def url(kind, pk, cover="poster"):
    return reverse("library:artwork", args=[kind, pk, cover])


def test_the_poster_comes_from_the_app_then_from_the_disk(web, arr, movie):
    first = web.get(url("movie", movie.pk))
    assert first.status_code == 200 and first["Content-Type"] == "image/png"
    assert first.content.startswith(b"\x89PNG") and first.content[16:24] == bytes(
        [0, 0, 0, 120, 0, 0, 0, 180]
    )
    assert "private" in first["Cache-Control"] and "max-age=86400" in first["Cache-Control"]
    assert arr.requests["GET /api/v3/mediacover/2/poster.jpg"] == 1
    again = web.get(url("movie", movie.pk))
    assert again.content == first.content and again["ETag"] == first["ETag"]
    assert arr.requests["GET /api/v3/mediacover/2/poster.jpg"] == 1  # served from disk
    fanart = web.get(url("movie", movie.pk, "fanart"))
    assert fanart.status_code == 200 and fanart.content[16:20] == bytes([0, 0, 1, 64])


def test_the_key_never_reaches_the_browser(web, arr, movie):
    response = web.get(url("movie", movie.pk))
    headers = "\n".join(f"{k}: {v}" for k, v in response.items())
    assert arr.api_key not in headers and arr.api_key.encode() not in response.content
    assert arr.url not in headers


def test_a_matching_etag_gets_304_without_the_bytes(web, arr, movie):
    etag = web.get(url("movie", movie.pk))["ETag"]
    response = web.get(url("movie", movie.pk), HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304 and response.content == b""
    assert response["ETag"] == etag
    stale = web.get(url("movie", movie.pk), HTTP_IF_NONE_MATCH='"something-else"')
    assert stale.status_code == 200


def test_an_episode_list_uses_its_series_poster(web, fakearr_factory):
    sonarr = fakearr_factory("sonarr", series=3, episodes_per_series=2, seed=2)
    connector = Connector.objects.create(
        name="TV", kind="sonarr", url=sonarr.url, api_key=sonarr.api_key, app_version="4.0.19.2979"
    )
    show = builders.series(connector, "The Expanse", arr_id=3)
    response = web.get(url("series", show.pk))
    assert response.status_code == 200 and response.content.startswith(b"\x89PNG")
    assert sonarr.requests["GET /api/v3/mediacover/3/poster.jpg"] == 1


def test_a_cover_the_app_lacks_is_a_placeholder_and_not_asked_again(web, arr, movie):
    arr.covers_missing.add(2)
    for _ in range(3):
        response = web.get(url("movie", movie.pk))
        assert response.status_code == 302
        assert response["Location"] == static("img/artwork-poster.svg")
        assert "max-age=300" in response["Cache-Control"]
    assert arr.requests["GET /api/v3/mediacover/2/poster.jpg"] == 1


def test_the_app_down_gives_a_placeholder_never_an_error(web, movie):
    Connector.objects.filter(pk=movie.connector_id).update(url="http://127.0.0.1:1")
    response = web.get(url("movie", movie.pk))
    assert response.status_code == 302
    assert response["Location"] == static("img/artwork-poster.svg")
    fanart = web.get(url("movie", movie.pk, "fanart"))
    assert fanart["Location"] == static("img/artwork-fanart.svg")


def test_a_cached_cover_is_served_while_the_app_is_down(web, arr, movie):
    body = web.get(url("movie", movie.pk)).content
    arr.stop()
    assert web.get(url("movie", movie.pk)).content == body


def test_a_wrong_key_or_a_non_image_answer_is_a_placeholder(web, arr, movie):
    Connector.objects.filter(pk=movie.connector_id).update(api_key="x" * 32)
    assert web.get(url("movie", movie.pk)).status_code == 302
    Connector.objects.filter(pk=movie.connector_id).update(api_key=arr.api_key)
    arr.faults.html("/api/v3/mediacover/*")
    assert web.get(url("movie", movie.pk, "fanart")).status_code == 302


@pytest.mark.parametrize(
    ("kind", "cover"),
    [("episode", "poster"), ("show", "poster"), ("movie", "banner"), ("movie", "..")],
)
def test_unknown_kind_or_cover_type_is_404(web, movie, kind, cover):
    assert web.get(f"/library/artwork/{kind}/{movie.pk}/{cover}/").status_code == 404


def test_unknown_item_is_404(web, movie):
    assert web.get(url("movie", movie.pk + 1000)).status_code == 404
    assert web.get(url("series", movie.pk)).status_code == 404  # a movie is no series


def test_it_needs_a_login(client, movie):
    response = client.get(url("movie", movie.pk))
    assert response.status_code == 302 and "login" in response["Location"]


def test_only_get(web, movie):
    assert web.post(url("movie", movie.pk)).status_code == 405


def test_a_disabled_connector_is_not_asked(web, arr, movie):
    Connector.objects.filter(pk=movie.connector_id).update(enabled=False)
    assert web.get(url("movie", movie.pk)).status_code == 302
    assert arr.requests["GET /api/v3/mediacover/2/poster.jpg"] == 0


def test_an_unreachable_app_is_left_alone_for_a_while(web, movie, monkeypatch):
    calls = []

    def down(target, cover):
        calls.append(cover)
        raise UnreachableError("refused", reached_app=False)

    monkeypatch.setattr(artwork, "_fetch", down)
    for cover in ("poster", "fanart", "poster"):
        assert web.get(url("movie", movie.pk, cover)).status_code == 302
    assert calls == ["poster"]  # one timeout, not one per image on the page
    artwork.forget_down()
    web.get(url("movie", movie.pk))
    assert calls == ["poster", "poster"]


def test_an_old_cover_is_fetched_again_and_kept_when_that_fails(web, arr, movie, monkeypatch):
    first = web.get(url("movie", movie.pk)).content
    later = artwork.now() + artwork.REFRESH_SECONDS + 60
    monkeypatch.setattr(artwork, "now", lambda: later)
    assert web.get(url("movie", movie.pk)).content == first
    assert arr.requests["GET /api/v3/mediacover/2/poster.jpg"] == 2  # refreshed
    arr.faults.server_error("/api/v3/mediacover/*")
    monkeypatch.setattr(artwork, "now", lambda: later + artwork.REFRESH_SECONDS + 60)
    assert web.get(url("movie", movie.pk)).content == first  # the app failed: the old copy


def test_a_cached_cover_costs_a_few_queries_and_no_request(
    web, arr, movie, django_assert_num_queries
):
    web.get(url("movie", movie.pk))
    # session, user, the item with its connector
    with django_assert_num_queries(3):
        web.get(url("movie", movie.pk))
    assert arr.requests["GET /api/v3/mediacover/2/poster.jpg"] == 1
