"""The walked pages (series walk, registry streams, narrow filters sorted) give exactly the
rows and order of the reference sort (one ORM query ordering every item by its keys), on a
library full of ties, forward and backward across every page boundary."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from content.models import Episode, Movie, Season, Series
from searchstate.models import Exclusion, SearchRegistry
from tests.searchstate import builders
from web import browse, browse_narrow, browse_query

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def reg(item, state, search_type=None, **fields):
    field = "movie" if isinstance(item, Movie) else "episode"
    kind = search_type or ("upgrade" if item.has_file else "gap")
    return SearchRegistry.objects.create(
        connector_id=item.connector_id, **{field: item}, search_type=kind, state=state, **fields
    )


@pytest.fixture
def tied_library(sonarr):
    """Series tied on year, title and added date (and some without them); episodes in every
    state, with ties on every registry value and items holding two registry rows."""
    added = NOW - timedelta(days=3)
    shows = [
        builders.series(sonarr, "Bee", year=2001, added=added),
        builders.series(sonarr, "Ant", year=2001, added=added),
        builders.series(sonarr, "Bee", year=2001, added=added),  # same title and year
        builders.series(sonarr, "Cat", year=None, added=None),
        builders.series(sonarr, "Dog", year=1999, added=added, monitored=False),
    ]
    eps = []
    for show in shows:
        eps += builders.episodes(show, 1, 3, has_file=1) + builders.episodes(show, 2, 2)
    Episode.objects.filter(series=shows[3], season_number=2).update(episode_number=None)
    Episode.objects.filter(pk=eps[1].pk).update(air_date_utc=NOW + timedelta(days=5))
    Episode.objects.filter(pk=eps[6].pk).update(air_date_utc=NOW + timedelta(days=5))
    Episode.objects.filter(pk__in=[eps[5].pk, eps[10].pk, eps[20].pk]).update(
        quality_cutoff_not_met=True
    )
    Episode.objects.filter(pk=eps[12].pk).update(monitored=False)
    Season.objects.filter(series=shows[2], season_number=2).update(monitored=False)
    states = ["queued", "searching", "cooldown", "failed", "exhausted", "pending"]
    for i, ep in enumerate(eps):
        if i % 3 == 0:
            continue  # never searched
        reg(
            ep,
            states[i % len(states)],
            attempts=i % 3,  # ties on purpose
            priority=(i % 4) * 10,
            last_searched_at=None if i % 5 == 0 else NOW - timedelta(hours=i % 2),
            failure_category="" if i % 7 == 0 else "no_results",
        )
    # Two rows for one item: its greatest value and highest-precedence state speak.
    reg(eps[4], "searching", search_type="upgrade", attempts=7, priority=-5)
    reg(eps[7], "pending", search_type="upgrade", attempts=0, last_searched_at=NOW)
    Exclusion.objects.create(connector=sonarr, series=shows[1])
    Exclusion.objects.create(connector=sonarr, episode=eps[8])
    return eps


def _query(connector, **params):
    from django.http import QueryDict

    qd = QueryDict(mutable=True)
    for key, value in params.items():
        qd[key] = value
    model = Episode if connector.shape.is_series else Movie
    query = browse_query.parse(
        qd,
        series_shape=connector.shape.is_series,
        profile_ids={1},
        sort_types=browse.sort_types(model),
    )
    assert not query.notices, query.notices
    return query


def _pks(page) -> list[int]:
    return [row.item.pk for row in page.rows]


def assert_walks_like_the_reference(connector, size=4, **params):
    reference = browse.reference_page(
        connector=connector, query=_query(connector, **params), size=10_000, now=NOW
    )
    expected = _pks(reference)
    pages, cursor = [], None
    while True:
        extra = {"after": cursor} if cursor else {}
        page = browse.item_page(
            connector=connector, query=_query(connector, **params, **extra), size=size, now=NOW
        )
        pages.append(page)
        if not page.next_cursor:
            break
        cursor = page.next_cursor
        assert len(pages) < 100
    walked = [pk for page in pages for pk in _pks(page)]
    assert walked == expected, params
    assert pages[0].is_first and not pages[0].prev_cursor
    for index in range(1, len(pages)):
        back = browse.item_page(
            connector=connector,
            query=_query(connector, **params, before=pages[index].prev_cursor),
            size=size,
            now=NOW,
        )
        assert _pks(back) == _pks(pages[index - 1]), (params, index)
        assert back.is_first == (index == 1)
    # the states the page shows are the ones its filter asked for
    if params.get("state"):
        assert {row.status.state for page in pages for row in page.rows} <= {params["state"]}
    return expected


FILTERS = [
    {},
    {"filter": "missing"},
    {"filter": "cutoff"},
    {"filter": "cutoff", "monitored": "no"},
    {"state": "exhausted"},
    {"state": "grabbed"},
    {"state": "excluded"},
    {"state": "eligible"},
    {"state": "not_eligible", "reason": "not_aired"},
    {"monitored": "yes", "q": "bee"},
]


@pytest.mark.parametrize("sort", list(browse_query.SORTS))
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_episode_walks_match_the_reference_order(sonarr, tied_library, sort, direction):
    whole = assert_walks_like_the_reference(sonarr, type="episodes", sort=sort, dir=direction)
    assert sorted(whole) == sorted(e.pk for e in tied_library)
    for params in FILTERS:
        assert_walks_like_the_reference(
            sonarr, size=3, type="episodes", sort=sort, dir=direction, **params
        )


@pytest.mark.parametrize("limit", [0, 2, 1000])
@pytest.mark.parametrize("sort", list(browse_query.SORTS))
def test_narrow_filters_sorted_or_walked_give_the_same_pages(
    sonarr, tied_library, monkeypatch, limit, sort
):
    """Under GATHER_LIMIT candidates are sorted, over it the series or streams are walked:
    the same rows, whatever the sort."""
    monkeypatch.setattr(browse_narrow, "GATHER_LIMIT", limit)
    for params in (
        {"filter": "cutoff"},
        {"filter": "missing", "monitored": "yes"},
        {"state": "not_eligible", "reason": "not_aired"},
        {"filter": "cutoff", "monitored": "no", "q": "Bee"},
    ):
        for direction in ("asc", "desc"):
            assert_walks_like_the_reference(
                sonarr, size=2, type="episodes", sort=sort, dir=direction, **params
            )


def test_the_reference_orders_are_the_documented_keys(sonarr, tied_library):
    ref = browse.reference_page(
        connector=sonarr,
        query=_query(sonarr, type="episodes", sort="year", dir="asc"),
        size=100,
        now=NOW,
    )
    keys = [(r.item.series.year or 0, r.item.series.sort_title, r.item.series_id) for r in ref.rows]
    assert keys == sorted(keys)
    ref = browse.reference_page(
        connector=sonarr,
        query=_query(sonarr, type="episodes", sort="attempts", dir="desc"),
        size=100,
        now=NOW,
    )
    searched = [SearchRegistry.objects.filter(episode=r.item).exists() for r in ref.rows]
    assert searched == sorted(searched, reverse=True)  # never searched last
    attempts = [r.status.attempts for r in ref.rows if r.status.priority is not None]
    assert attempts == sorted(attempts, reverse=True)
    assert ref.rows[0].status.attempts == 7  # the greater of an item's two rows


@pytest.mark.parametrize("sort", ["state", "last_searched", "attempts", "priority"])
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_movie_streams_match_the_reference_order(radarr, sort, direction):
    movies = [
        builders.movie(radarr, f"M {i % 4}", year=2000 + i % 3, is_available=i % 5 != 0)
        for i in range(18)
    ]
    Movie.objects.filter(pk__in=[m.pk for m in movies[::4]]).update(has_file=True)
    for i, movie in enumerate(movies):
        if i % 3:
            movie.refresh_from_db()
            reg(movie, ["queued", "cooldown", "exhausted", "pending"][i % 4], attempts=i % 2)
    Exclusion.objects.create(connector=radarr, movie=movies[5])
    for params in ({}, {"state": "exhausted"}, {"state": "not_eligible"}, {"q": "m 1"}):
        assert_walks_like_the_reference(radarr, size=3, sort=sort, dir=direction, **params)


def test_a_cursor_of_one_state_still_pages_when_items_move(sonarr, tied_library):
    """A page after a cursor whose item changed state since: the walk goes on from the key."""
    first = browse.item_page(
        connector=sonarr, query=_query(sonarr, type="episodes", sort="state"), size=3, now=NOW
    )
    SearchRegistry.objects.filter(episode_id__in=_pks(first)).delete()
    after = browse.item_page(
        connector=sonarr,
        query=_query(sonarr, type="episodes", sort="state", after=first.next_cursor),
        size=3,
        now=NOW,
    )
    assert after.rows and not set(_pks(after)) & set(_pks(first))


def test_series_order_keeps_ties_apart(sonarr, tied_library):
    """Two series named alike in the same year: the id orders them, in both directions."""
    bees = list(Series.objects.filter(title="Bee").order_by("pk").values_list("pk", flat=True))
    for direction in ("asc", "desc"):
        order = assert_walks_like_the_reference(
            sonarr, size=2, type="episodes", sort="year", dir=direction
        )
        series_seen = [Episode.objects.get(pk=pk).series_id for pk in order]
        firsts = [series_seen.index(b) for b in bees]
        assert (firsts == sorted(firsts)) == (direction == "asc")
