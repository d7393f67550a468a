"""Findability learned from outcomes: per connector and type, shown in the why breakdown."""

from datetime import timedelta

import pytest

from searchstate.findability import learned_share
from searchstate.models import SearchHistory
from searchstate.priority import PriorityInputs, Weights, score
from searchstate.states import SearchType
from searchstate.why import why
from tests.searchstate import builders as b
from tests.searchstate.builders import NOW

pytestmark = pytest.mark.django_db


def _history(conn, n, *, command="MoviesSearch", grabbed=2, outcome="grabbed", days_ago=1):
    SearchHistory.objects.bulk_create(
        SearchHistory(
            connector=conn,
            connector_name=conn.name,
            search_type="gap",
            command_name=command,
            item_count=10,
            items_grabbed=grabbed,
            outcome=outcome,
            dispatched_at=NOW - timedelta(days=days_ago),
        )
        for _ in range(n)
    )


def test_share_of_searched_items_grabbed_per_connector_and_type():
    conn = b.connector("radarr", kind="radarr")
    other = b.connector("other", kind="radarr")
    _history(conn, 4)
    assert learned_share(conn.pk, "movie", now=NOW) is None  # too few searches to say
    _history(conn, 4, grabbed=0, outcome="no_results")
    _history(conn, 5, grabbed=0, outcome="failed")  # an error says nothing about indexers
    _history(conn, 5, grabbed=10, days_ago=40)  # too old
    _history(other, 9, grabbed=10)  # another connector
    _history(conn, 9, grabbed=10, command="EpisodeSearch")  # another type
    assert learned_share(conn.pk, "movie", now=NOW) == pytest.approx(8 / 80)
    assert learned_share(conn.pk, "episode", now=NOW) == 1.0


def test_rarely_found_ranks_lower_but_never_above_unreleased_rules():
    rare = score(PriorityInputs(SearchType.GAP, NOW, findability=0.1), now=NOW)
    often = score(PriorityInputs(SearchType.GAP, NOW, findability=0.9), now=NOW)
    unknown = score(PriorityInputs(SearchType.GAP, NOW), now=NOW)
    assert rare.parts["findability"] == -90 and often.parts["findability"] == -10
    assert unknown.parts["findability"] == 0
    assert rare.total < often.total
    # A released gap that is never found still outranks the best unreleased one.
    w = Weights()
    worst_released = score(
        PriorityInputs(SearchType.GAP, None, attempts=99, item_priority=-100, findability=0.0),
        now=NOW,
        weights=w,
    )
    best_unreleased = score(
        PriorityInputs(SearchType.GAP, NOW, item_priority=100, released=False, findability=1.0),
        now=NOW,
        weights=w,
    )
    assert worst_released.total > best_unreleased.total


def test_why_page_breakdown_shows_the_learned_findability():
    conn = b.connector("radarr", kind="radarr")
    movie = b.movie(conn, "Hard to find")
    _history(conn, 10, grabbed=1)
    report = why(movie, now=NOW)
    assert report.score.parts["findability"] == -90
    assert "findability -90" in report.score.explain()
