"""The apps' enum values in words on the library pages; a connector's kind said once."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from connectors.labels import enum_label
from tests.searchstate import builders

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "label"),
    [
        ("tba", "To be announced"),
        ("inCinemas", "In cinemas"),
        ("incinemas", "In cinemas"),
        ("announced", "Announced"),
        ("released", "Released"),
        ("deleted", "Deleted"),
        ("continuing", "Continuing"),
        ("ended", "Ended"),
        ("upcoming", "Upcoming"),
        # A value a newer app version adds still reads as words.
        ("somethingNewInV9", "Something new in v9"),
        ("two_words", "Two words"),
        ("", ""),
        (None, ""),
    ],
)
def test_enum_label(value, label):
    assert enum_label(value) == label


def test_movie_list_and_item_page_use_the_labels(web, radarr):
    film = builders.movie(
        radarr, "Soon", status="inCinemas", minimum_availability="tba", is_available=False
    )
    body = web.get(reverse("library:list"), {"connector": radarr.pk}).content.decode()
    assert "In cinemas" in body and "InCinemas" not in body and "Incinemas" not in body
    item = web.get(reverse("library:item", args=["movie", film.pk])).content.decode()
    assert "In cinemas, minimum To be announced" in item


def test_series_list_and_page_use_the_labels(web, sonarr):
    show = builders.series(sonarr, "Later", status="upcoming")
    body = web.get(reverse("library:list"), {"connector": sonarr.pk}).content.decode()
    assert ">Upcoming<" in body
    page = web.get(reverse("library:series", args=[show.pk])).content.decode()
    assert "<dd>Upcoming</dd>" in page


def test_one_label_per_tab(web):
    demo = builders.connector("Demo Radarr", "radarr")
    plain = builders.connector("Films", "radarr")
    body = web.get(reverse("library:list"), {"connector": demo.pk}).content.decode()
    tab = body[body.index('class="tabs"') :]
    tab = tab[: tab.index("</nav>")]
    assert "Demo Radarr</a>" in tab  # the name says the kind: no "Radarr" after it
    assert 'Films <span class="muted small">Radarr</span>' in tab
    assert plain.pk


def test_connector_row_shows_its_kind_once(web):
    builders.connector("Demo Radarr", "radarr", instance_name="Radarr")
    builders.connector("Films", "radarr", instance_name="Cinema box")
    body = web.get(reverse("connectors:list")).content.decode()
    row = body[body.index('class="connector-name"') :]
    demo = re.sub(r"<[^>]+>", " ", row[: row.index("</tr>")])  # the text a reader sees
    # Once in the name, once in the kind column; the app's instance name "Radarr" adds nothing.
    assert demo.split().count("Radarr") == 2
    assert '<div class="muted small">Radarr</div>' not in demo
    assert "Cinema box" in body
