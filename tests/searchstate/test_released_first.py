"""Released items first: an available but unreleased movie ranks after every released gap."""

from datetime import timedelta

import pytest

from searchstate.availability import movie_released
from searchstate.discovery import DiscoveryContext, discover
from searchstate.models import SearchRegistry, SearchSettings
from searchstate.states import SearchState, SearchType
from searchstate.why import why
from tests.searchstate import builders as b
from tests.searchstate.builders import LONG_AGO, NOW

pytestmark = pytest.mark.django_db


def _in_cinemas(conn, title):
    """Radarr lets it through (minimum availability "inCinemas"), but it is not out yet."""
    return b.movie(
        conn,
        title,
        status="inCinemas",
        minimum_availability="inCinemas",
        is_available=True,
        in_cinemas=NOW - timedelta(days=3),
        digital_release=NOW + timedelta(days=60),
    )


def test_released_gaps_are_searched_before_unreleased_movies():
    conn = b.connector("radarr", kind="radarr")
    fresh_unreleased = _in_cinemas(conn, "New in cinemas")
    announced = b.movie(
        conn, "Announced", status="announced", minimum_availability="announced", in_cinemas=None
    )
    old_released = b.movie(conn, "Old classic", in_cinemas=LONG_AGO - timedelta(days=9000))
    SearchRegistry.objects.create(
        connector=conn,
        movie=old_released,
        search_type="gap",
        state=SearchState.PENDING,
        attempts=8,
    )
    digital = b.movie(
        conn,
        "Streaming already",
        status="inCinemas",
        in_cinemas=NOW - timedelta(days=20),
        digital_release=NOW - timedelta(days=1),
    )
    ctx = DiscoveryContext(connector=conn, settings=SearchSettings(connector=conn), now=NOW)
    order = [c.item_id for c in discover(ctx, SearchType.GAP).candidates]
    assert order[:2] == [digital.pk, old_released.pk]
    assert set(order[2:]) == {fresh_unreleased.pk, announced.pk}


def test_why_shows_the_unreleased_part_of_the_priority():
    conn = b.connector("radarr", kind="radarr")
    movie = _in_cinemas(conn, "New in cinemas")
    report = why(movie, now=NOW)
    assert report.score is not None
    assert report.score.parts["unreleased"] < 0
    assert "unreleased -" in report.score.explain()
    released = b.movie(conn, "Out")
    assert why(released, now=NOW).score.parts["unreleased"] == 0


@pytest.mark.parametrize(
    ("status", "digital", "physical", "expected"),
    [
        ("released", None, None, True),
        ("inCinemas", NOW - timedelta(days=1), None, True),
        ("inCinemas", None, NOW - timedelta(hours=1), True),
        ("inCinemas", NOW + timedelta(days=1), None, False),
        ("announced", None, None, False),
        ("tba", None, None, False),
    ],
)
def test_movie_released(status, digital, physical, expected):
    got = movie_released(status=status, digital_release=digital, physical_release=physical, now=NOW)
    assert got is expected
