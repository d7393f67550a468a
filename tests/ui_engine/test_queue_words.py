"""The queue page says what each entry searches, in words, and links to those items."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from queueing.entry_words import describe_entries
from tests.searchstate import builders
from tests.ui_engine.conftest import make_entry

pytestmark = pytest.mark.django_db


def _words(entry) -> str:
    describe_entries([entry])
    return entry.words.text


def test_season_pack_names_series_season_and_size(sonarr):
    expanse = builders.series(sonarr, "The Expanse")
    eps = builders.episodes(expanse, 2, 13)
    entry = make_entry(sonarr, items=eps, command="SeasonSearch", season_number=2)
    assert _words(entry) == "The Expanse S02 (season pack, 13 episodes)"
    assert entry.words.parts[0].url == reverse("library:series", args=[expanse.pk])


def test_episodes_of_one_series_are_listed_with_links(sonarr):
    expanse = builders.series(sonarr, "The Expanse")
    eps = builders.episodes(expanse, 1, 6)
    entry = make_entry(sonarr, items=eps)
    assert _words(entry) == (
        "6 episodes of The Expanse: S01E01, S01E02, S01E03, S01E04, and 2 more"
    )
    links = [p.url for p in entry.words.parts if p.url]
    assert reverse("library:item", args=["episode", eps[0].pk]) in links


def test_one_episode_and_episodes_across_series(sonarr):
    expanse = builders.series(sonarr, "The Expanse")
    andor = builders.series(sonarr, "Andor")
    one = builders.episodes(expanse, 1, 1)
    assert _words(make_entry(sonarr, items=one)) == "The Expanse S01E01"
    mixed = builders.episodes(andor, 3, 1)
    other = builders.episodes(expanse, 4, 1)
    assert _words(make_entry(sonarr, items=mixed + other)) == (
        "2 episodes: Andor S03E01, The Expanse S04E01"
    )


def test_movies_are_listed_and_a_single_movie_is_named(radarr):
    films = [
        builders.movie(radarr, t, year=y, sort_title=t.lower())
        for t, y in [("Dune", 2021), ("Heat", 1995), ("Alien", 1979), ("Brazil", 1985)]
    ]
    extra = builders.movie(radarr, "Zodiac", year=2007, sort_title="zodiac")
    entry = make_entry(radarr, items=[*films, extra], command="MoviesSearch")
    assert _words(entry) == (
        "5 movies: Alien (1979), Brazil (1985), Dune (2021), Heat (1995), and 1 more"
    )
    solo = make_entry(radarr, items=[builders.movie(radarr, "Up", year=2009)])
    assert _words(solo) == "Up (2009)"


def test_entry_whose_items_are_gone_says_so(sonarr):
    entry = make_entry(sonarr, items=(), item_count=3)
    assert _words(entry) == "3 episodes (no longer linked)"


def test_hostile_titles_are_escaped_on_the_page(web, sonarr):
    show = builders.series(sonarr, "<script>alert(1)</script>")
    make_entry(sonarr, items=builders.episodes(show, 1, 2))
    body = web.get(reverse("queueing:queue")).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def _queue_queries(web) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert web.get(reverse("queueing:queue")).status_code == 200
    return len(ctx.captured_queries)


def test_queue_page_queries_do_not_grow_with_entries(web, sonarr, radarr):
    show = builders.series(sonarr, "The Expanse")
    make_entry(sonarr, items=builders.episodes(show, 1, 3))
    make_entry(radarr, items=[builders.movie(radarr, "Dune", year=2021)], command="MoviesSearch")
    make_entry(sonarr, items=builders.episodes(show, 19, 2), status="dispatched")
    _queue_queries(web)  # the first request of a fresh database creates the settings row
    few = _queue_queries(web)
    for season in range(2, 12):
        make_entry(
            sonarr,
            items=builders.episodes(show, season, 8),
            command="SeasonSearch",
            season_number=season,
        )
        make_entry(radarr, items=[builders.movie(radarr, f"Film {season}")], command="MoviesSearch")
    make_entry(sonarr, items=builders.episodes(show, 20, 3), status="dispatched")
    body = web.get(reverse("queueing:queue")).content.decode()
    assert "The Expanse</a> S11 (season pack, 8 episodes)" in body
    assert _queue_queries(web) == few
