"""The content browser's item lists: search state column and filters, sorts, keyset pages."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from content.models import Episode, Movie
from searchstate.item_states import RANK, ItemState, state_filter
from searchstate.models import Exclusion, SearchRegistry
from tests.searchstate import builders
from web import browse, browse_query

pytestmark = pytest.mark.django_db

FUTURE = timezone.now() + timedelta(days=30)


def reg(item, state, **fields):
    field = "movie" if isinstance(item, Movie) else "episode"
    values = {"search_type": "upgrade" if item.has_file else "gap", "state": state}
    values.update(fields)
    return SearchRegistry.objects.create(connector_id=item.connector_id, **{field: item}, **values)


@pytest.fixture
def zoo(sonarr):
    """One series whose episodes are each in one state; {expected state: episode}."""
    show = builders.series(sonarr, "Zoo", year=2015)
    eps = builders.episodes(show, 1, 12)
    now = timezone.now()
    reg(eps[0], "queued")
    reg(eps[1], "searching", last_searched_at=now - timedelta(minutes=3))
    reg(eps[2], "cooldown", failure_category="no_results", attempts=2, next_eligible_at=FUTURE)
    reg(eps[3], "cooldown", failure_category="", next_eligible_at=FUTURE)  # grabbed
    reg(eps[4], "exhausted", attempts=10)
    reg(eps[5], "cooldown", failure_category="no_results")
    Exclusion.objects.create(connector=sonarr, episode=eps[5])
    Episode.objects.filter(pk=eps[6].pk).update(has_file=True)
    Episode.objects.filter(pk=eps[7].pk).update(monitored=False)
    Episode.objects.filter(pk=eps[8].pk).update(air_date_utc=FUTURE)
    reg(eps[10], "failed", failure_category="timeout")
    reg(eps[11], "queued")
    reg(
        eps[11], "searching", search_type="upgrade"
    )  # two rows (gap and upgrade): the live-most speaks
    return {
        "queued": [eps[0]],
        "searching": [eps[1], eps[11]],
        "cooldown": [eps[2]],
        "grabbed": [eps[3]],
        "exhausted": [eps[4]],
        "excluded": [eps[5]],
        "not_eligible": [eps[6], eps[7], eps[8]],
        "eligible": [eps[9]],
        "failed": [eps[10]],
    }


def page_of(connector, size=100, **params):
    query = browse_query.parse(
        _qd(params),
        series_shape=connector.shape.is_series,
        profile_ids={1},
        sort_types=browse.sort_types(Movie if not connector.shape.is_series else Episode),
    )
    return query, browse.item_page(connector=connector, query=query, size=size)


def _qd(params) -> QueryDict:
    qd = QueryDict(mutable=True)
    for key, value in params.items():
        qd[key] = value
    return qd


def test_every_state_shown_with_its_words(sonarr, zoo):
    _, page = page_of(sonarr, type="episodes")
    shown = {row.item.pk: row.status for row in page.rows}
    for state, episodes in zoo.items():
        for ep in episodes:
            assert shown[ep.pk].state == state, (ep, shown[ep.pk])
    reasons = {shown[ep.pk].reason for ep in zoo["not_eligible"]}
    assert reasons == {"cutoff_met", "unmonitored", "not_aired"}
    assert shown[zoo["cooldown"][0].pk].until is not None
    assert shown[zoo["grabbed"][0].pk].label == "Grabbed, awaiting import"


@pytest.mark.parametrize("state", ItemState.values)
def test_each_state_filter_keeps_exactly_the_items_in_that_state(sonarr, zoo, state):
    _, page = page_of(sonarr, type="episodes", state=state)
    assert {row.item.pk for row in page.rows} == {e.pk for e in zoo[state]}
    assert all(row.status.state == state for row in page.rows)


@pytest.mark.parametrize("reason", ["cutoff_met", "unmonitored", "not_aired"])
def test_not_eligible_by_reason(sonarr, zoo, reason):
    _, page = page_of(sonarr, type="episodes", state="not_eligible", reason=reason)
    assert [row.status.reason for row in page.rows] == [reason]


def test_sort_by_state_follows_the_state_rank(sonarr, zoo):
    _, page = page_of(sonarr, type="episodes", sort="state", dir="asc")
    ranks = [RANK[row.status.state] for row in page.rows]
    assert ranks == sorted(ranks) and len(ranks) == 12


def test_state_filter_rejects_an_unknown_state():
    with pytest.raises(ValueError):
        state_filter(Episode, "bogus")


def test_state_filter_in_the_page_and_the_url(web, sonarr, zoo):
    response = web.get(reverse("library:list"), {"state": "exhausted", "q": "zoo"})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('data-state="exhausted"') == 1 and 'data-state="queued"' not in body
    assert 'option value="exhausted" selected' in body


def test_filters_combine_with_monitored_profile_and_search(web, sonarr, zoo):
    builders.profile(sonarr, 1)
    other = builders.series(sonarr, "Other", quality_profile_id=2)
    builders.episodes(other, 1, 2)
    body = web.get(
        reverse("library:list"), {"type": "episodes", "monitored": "no", "profile": "1"}
    ).content.decode()
    assert body.count("data-state=") == 1 and "Zoo S01E08" in body
    body = web.get(reverse("library:list"), {"type": "episodes", "q": "OTH"}).content.decode()
    assert body.count("data-state=") == 2 and "Zoo" not in body


def _movies(radarr, n=60):
    now = timezone.now()
    years = itertools.cycle([1999, 2001, 2001, None])
    movies = Movie.objects.bulk_create(
        Movie(
            connector=radarr,
            arr_id=i,
            title=f"M {i % 7}",
            sort_title=f"m {i % 7}",  # ties on purpose: the id breaks them
            year=next(years),
            added=now - timedelta(days=i % 5) if i % 3 else None,
            is_available=True,
        )
        for i in range(1, n + 1)
    )
    for m in movies[::2]:
        reg(
            m,
            "cooldown",
            attempts=m.arr_id % 4,
            priority=m.arr_id % 6,
            last_searched_at=now - timedelta(hours=m.arr_id % 3),
            failure_category="no_results",
        )
    return movies


@pytest.mark.parametrize("sort", list(browse_query.SORTS))
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_keyset_walks_every_sort_forward_and_back_without_gaps(radarr, sort, direction):
    movies = _movies(radarr)
    seen, cursor, pages = [], None, []
    while True:
        params = {"sort": sort, "dir": direction, **({"after": cursor} if cursor else {})}
        _, page = page_of(radarr, size=7, **params)
        pages.append(page)
        seen.extend(row.item.pk for row in page.rows)
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert sorted(seen) == sorted(m.pk for m in movies) and len(seen) == len(set(seen))
    _, whole = page_of(radarr, size=100, sort=sort, dir=direction)
    assert seen == [row.item.pk for row in whole.rows]
    _, back = page_of(radarr, size=7, sort=sort, dir=direction, before=pages[-1].prev_cursor)
    assert [row.item.pk for row in back.rows] == [row.item.pk for row in pages[-2].rows]


def test_sorted_values_really_are_in_order(radarr):
    _movies(radarr)
    _, page = page_of(radarr, size=100, sort="attempts", dir="desc")
    attempts = [row.status.attempts for row in page.rows]
    assert attempts == sorted(attempts, reverse=True)
    _, page = page_of(radarr, size=100, sort="year", dir="asc")
    years = [row.item.year or 0 for row in page.rows]
    assert years == sorted(years)


HOSTILE = [
    ({"sort": "title; DROP TABLE content_movie"}, "Unknown sort"),
    ({"sort": "__class__"}, "Unknown sort"),
    ({"dir": "sideways"}, "Unknown sort direction"),
    ({"state": "' OR 1=1 --"}, "Unknown search state"),
    ({"state": "queued", "reason": "unmonitored"}, "Unknown reason"),
    ({"profile": "abc"}, "Unknown quality profile"),
    ({"profile": "999"}, "Unknown quality profile"),
    ({"type": "../../etc"}, "Unknown content type"),
    ({"monitored": "maybe"}, "Unknown monitored"),
    ({"filter": "<script>"}, "Unknown filter"),
    ({"after": "garbage"}, "out of date or damaged"),
    ({"after": "WzEsMV0"}, "out of date or damaged"),  # [1,1]: a title is text
    ({"sort": "year", "after": "WyJhIiwxXQ"}, "out of date or damaged"),
    ({"sort": "added", "after": "WyIyMDIwLTAxLTAxIiwxXQ"}, "out of date or damaged"),  # naive
    ({"before": "x" * 3000}, "out of date or damaged"),
    ({"connector": "999999"}, "Unknown connector"),
]


@pytest.mark.parametrize(("params", "notice"), HOSTILE)
def test_hostile_parameters_render_the_page_with_a_notice(web, radarr, params, notice):
    builders.movie(radarr, "Heat")
    response = web.get(reverse("library:list"), {"connector": radarr.pk, **params})
    body = response.content.decode()
    assert response.status_code == 200
    assert notice in body
    assert "Heat" in body or params.get("state")
    assert "<script>" not in body


def test_the_list_needs_a_login(client, radarr):
    response = client.get(reverse("library:list"), {"connector": radarr.pk})
    assert response.status_code == 302 and "login" in response["Location"]


def test_episode_list_queries_do_not_grow_with_rows_or_states(
    web, sonarr, zoo, django_assert_num_queries
):
    for n in range(8):
        show = builders.series(sonarr, f"Show {n}")
        for ep in builders.episodes(show, 1, 8):
            reg(ep, "exhausted")
        hidden = builders.series(sonarr, f"Hidden {n}")
        builders.episodes(hidden, 1, 2)
        Exclusion.objects.create(connector=sonarr, series=hidden)
    web.get(reverse("library:list"))
    # session, user, connectors, quality profiles, the page's keys (walked on indexes), its
    # items (with their exclusion), their registry rows; or the page in one query (movies)
    for params, count in (
        ({"type": "episodes"}, 7),
        ({"state": "exhausted", "sort": "attempts"}, 7),
        ({"state": "exhausted", "sort": "title", "dir": "desc"}, 7),
        ({"state": "exhausted", "sort": "year"}, 7),
        ({"state": "exhausted", "sort": "state"}, 7),
        ({"state": "exhausted", "sort": "last_searched", "dir": "asc"}, 7),
    ):
        with django_assert_num_queries(count):
            response = web.get(reverse("library:list"), params)
        assert response.content.decode().count("data-state=") == 50


@pytest.mark.parametrize("direction", ["asc", "desc"])
@pytest.mark.parametrize("params", [{}, {"filter": "missing"}, {"state": "exhausted"}])
def test_episode_title_pages_walk_series_after_series(sonarr, direction, params):
    """Series with equal titles, empty series and Whisparr-like episodes without numbers."""
    shows = [builders.series(sonarr, t) for t in ("Bee", "Ant", "Bee", "Cat", "Empty")]
    Episode.objects.filter(series=shows[4]).delete()
    for show in shows[:4]:
        eps = builders.episodes(show, 1, 4, has_file=1) + builders.episodes(show, 2, 3)
        for ep in eps[::2]:
            reg(ep, "exhausted")
    Episode.objects.filter(series=shows[3], season_number=2).update(episode_number=None)
    seen, cursor, pages = [], None, []
    while True:
        extra = {"after": cursor} if cursor else {}
        _, page = page_of(sonarr, size=4, type="episodes", dir=direction, **params, **extra)
        pages.append(page)
        seen.extend(row.item.pk for row in page.rows)
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    _, whole = page_of(sonarr, size=500, type="episodes", dir=direction, **params)
    assert seen == [row.item.pk for row in whole.rows] and len(seen) == len(set(seen))

    def key(row):
        ep = row.item
        return (
            ep.series.sort_title,
            ep.series_id,
            ep.season_number,
            ep.episode_number or -1,
            ep.pk,
        )

    keys = [key(row) for row in whole.rows]
    assert keys == sorted(keys, reverse=direction == "desc")
    expected = {"missing": 24, "exhausted": 16}.get(next(iter(params.values()), ""), 28)
    assert len(seen) == expected
    for index in range(1, len(pages)):
        _, back = page_of(
            sonarr,
            size=4,
            type="episodes",
            dir=direction,
            before=pages[index].prev_cursor,
            **params,
        )
        assert [r.item.pk for r in back.rows] == [r.item.pk for r in pages[index - 1].rows]


def test_series_page_shows_each_episode_search_state_and_last_search(
    web, sonarr, zoo, django_assert_num_queries
):
    show = zoo["queued"][0].series
    url = reverse("library:series", args=[show.pk])
    web.get(url)
    # 11 for the header and episode table, the rest for the Seasons card (test_series_seasons).
    with django_assert_num_queries(18):
        body = web.get(url).content.decode()
    for state in ("queued", "searching", "grabbed", "cooldown", "exhausted", "excluded"):
        assert f'data-state="{state}"' in body
    assert "Grabbed, awaiting import" in body and "Not monitored <code>unmonitored</code>" in body
    assert body.count("<time datetime=") >= 2  # a last search and a cooldown end
    more = builders.episodes(show, 1, 5)
    for ep in more:
        reg(ep, "exhausted")
    with django_assert_num_queries(18):  # as many with 17 episodes as with 12
        web.get(url)
