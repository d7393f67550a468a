"""Connector.shape: one answer, from the registry and the app's capabilities, read by all.

The undetected-Whisparr case is the one the three former copies disagreed on
(discovery said episode, the library series, the webhook receiver movies).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from connectors.common.shape import MOVIES, SERIES, shape_named
from content.models import Episode
from content.webhooks import webhook_secret_for
from searchstate.discovery import DiscoveryContext, discover
from searchstate.models import SearchSettings
from searchstate.states import SearchType
from tests.searchstate import builders

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kind", "version", "expected"),
    [
        ("sonarr", "4.0.19.2979", SERIES),
        ("sonarr", "", SERIES),
        ("radarr", "5.28.0.10205", MOVIES),
        ("radarr", "", MOVIES),
        ("whisparr", "2.0.0.1145", SERIES),
        ("whisparr", "3.2.0.66", MOVIES),
        ("whisparr", "3.0.0.100", MOVIES),
        ("whisparr", "", SERIES),
    ],
)
def test_shape_follows_the_capabilities_of_the_detected_version(kind, version, expected):
    conn = builders.connector(f"{kind}{version}", kind, app_version=version)
    assert conn.shape == expected
    assert conn.shape.item == ("episode" if expected is SERIES else "movie")


def test_nouns_of_each_shape():
    assert (SERIES.item, SERIES.items, SERIES.container) == ("episode", "episodes", "series")
    assert (MOVIES.item, MOVIES.items, MOVIES.container) == ("movie", "movies", "")
    assert SERIES.is_series and not SERIES.is_movies and MOVIES.is_movies
    unknown = shape_named("music")
    assert (unknown.name, unknown.item, unknown.mirrored) == ("music", "item", False)


@pytest.mark.parametrize(
    ("kind", "version", "packs"),
    [("sonarr", "4.0.19.2979", True), ("whisparr", "2.0.0.1145", False), ("whisparr", "", False)],
)
def test_season_packs_are_a_capability_not_a_kind_check(kind, version, packs):
    conn = builders.connector(f"{kind}{version}", kind, app_version=version)
    assert SearchSettings(connector=conn).packs_possible is packs


@pytest.fixture
def undetected_whisparr():
    """A Whisparr saved before any check told its version, with an empty mirror."""
    return builders.connector("Sites", "whisparr", app_version="")


def test_undetected_whisparr_with_an_empty_mirror_is_one_shape_everywhere(
    undetected_whisparr, client, django_user_model
):
    conn = undetected_whisparr
    assert conn.shape is SERIES

    # Discovery: episodes are its items (no movie query, nothing selected from an empty mirror).
    ctx = DiscoveryContext(connector=conn, settings=SearchSettings(connector=conn), now=NOW)
    assert discover(ctx, SearchType.GAP).candidates == []

    # The library page lists series.
    user = django_user_model.objects.create_user("admin", password="correct horse battery")
    client.force_login(user)
    page = client.get(reverse("library:list"), {"connector": conn.pk})
    assert page.status_code == 200
    assert page.context["series_shape"] is True
    assert page.context["shape"] is SERIES
    assert "Search series by title" in page.content.decode()

    # The webhook receiver reads a series payload, and refuses a movie one.
    url = reverse("content_webhook", args=[conn.pk, webhook_secret_for(conn)])
    series_event = {"eventType": "Grab", "series": {"id": 1}, "episodes": [{"id": 5}]}
    movie_event = {"eventType": "Grab", "movie": {"id": 5}}
    ok = client.post(url, data=json.dumps(series_event), content_type="application/json")
    refused = client.post(url, data=json.dumps(movie_event), content_type="application/json")
    assert ok.status_code == 200
    assert refused.status_code == 400


def test_undetected_whisparr_with_scenes_selects_them(undetected_whisparr):
    site = builders.series(undetected_whisparr, title="Site")
    scene = builders.episode(site, season_number=2026)
    ctx = DiscoveryContext(
        connector=undetected_whisparr,
        settings=SearchSettings(connector=undetected_whisparr),
        now=NOW,
    )
    (candidate,) = discover(ctx, SearchType.GAP).candidates
    assert (candidate.kind, candidate.item_id) == ("episode", scene.pk)
    assert Episode.objects.filter(pk=scene.pk).exists()
