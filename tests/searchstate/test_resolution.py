from datetime import timedelta

import pytest

from content.models import Episode, Movie
from searchstate.models import Acquisition, SearchRegistry
from searchstate.resolution import resolve_acquisitions
from searchstate.states import SearchState
from tests.searchstate import builders as b
from tests.searchstate.builders import NOW

pytestmark = pytest.mark.django_db


def reg(conn, item, search_type="gap", **fields):
    key = "movie" if isinstance(item, Movie) else "episode"
    return SearchRegistry.objects.create(
        connector=conn, search_type=search_type, **{key: item}, **fields
    )


def test_resolves_ours_rss_and_pending(django_assert_num_queries):
    conn = b.connector()
    show = b.series(conn, title="Show")
    ours, rss, never, still = b.episodes(show, 1, 4)
    reg(
        conn,
        ours,
        state=SearchState.COOLDOWN,
        first_searched_at=NOW - timedelta(days=3),
        last_searched_at=NOW - timedelta(hours=5),
        search_count=2,
    )
    # Searched by us a month ago, then found by the *arr's RSS: not ours.
    reg(
        conn,
        rss,
        state=SearchState.COOLDOWN,
        first_searched_at=NOW - timedelta(days=30),
        last_searched_at=NOW - timedelta(days=30),
        search_count=1,
    )
    # Selected but never searched (queued): an RSS grab that was never ours.
    reg(conn, never, state=SearchState.QUEUED)
    reg(conn, still, state=SearchState.COOLDOWN)
    acquired = NOW - timedelta(hours=1)
    Episode.objects.filter(pk__in=[ours.pk, rss.pk, never.pk]).update(
        has_file=True, file_acquired_at=acquired, cutoff_met_at=acquired
    )
    # settings + (resolve + stale upgrades) x 2 tables, then the items_imported event's
    # outbox row (notifications: savepoint, titles, insert, release, immediate-channel check).
    # + 4: the savepoints that make the imported event commit with the acquisitions
    with django_assert_num_queries(5 + 5 + 4):
        result = resolve_acquisitions(connector=conn, now=NOW)
    assert result.acquisitions == 3
    assert list(SearchRegistry.objects.values_list("episode_id", flat=True)) == [still.pk]
    by_item = {a.episode_id: a for a in Acquisition.objects.all()}
    assert by_item[ours.pk].source == "search"
    assert by_item[ours.pk].searches == 2
    assert by_item[ours.pk].time_to_acquire == acquired - (NOW - timedelta(days=3))
    assert by_item[ours.pk].title == "Show S01E01"
    assert by_item[rss.pk].source == "rss"
    assert by_item[never.pk].source == "rss"
    assert by_item[never.pk].searches == 0
    assert by_item[never.pk].time_to_acquire is None
    assert {a.search_type for a in by_item.values()} == {"gap"}


def test_upgrades_resolve_on_cutoff_met_and_vanish_without_file():
    conn = b.connector("radarr", kind="radarr")
    met = b.movie(conn, has_file=True, quality_cutoff_not_met=True)
    lost = b.movie(conn, has_file=True, quality_cutoff_not_met=True)
    waiting = b.movie(conn, has_file=True, quality_cutoff_not_met=True)
    for m in (met, lost, waiting):
        reg(conn, m, "upgrade", last_searched_at=NOW - timedelta(hours=2))
    Movie.objects.filter(pk=met.pk).update(quality_cutoff_not_met=False, cutoff_met_at=NOW)
    Movie.objects.filter(pk=lost.pk).update(has_file=False, file_acquired_at=None)
    result = resolve_acquisitions(connector=conn, now=NOW)
    assert (result.acquisitions, result.stale_upgrades) == (1, 1)
    acq = Acquisition.objects.get()
    assert (acq.movie_id, acq.search_type, acq.source) == (met.pk, "upgrade", "search")
    assert list(SearchRegistry.objects.values_list("movie_id", flat=True)) == [waiting.pk]


def test_other_connectors_untouched_and_idempotent():
    a = b.connector("a")
    other = b.connector("b")
    ea = b.episode(b.series(a))
    eb = b.episode(b.series(other))
    reg(a, ea)
    reg(other, eb)
    Episode.objects.update(has_file=True, file_acquired_at=NOW)
    assert resolve_acquisitions(connector=a, now=NOW).acquisitions == 1
    assert resolve_acquisitions(connector=a, now=NOW).acquisitions == 0
    assert SearchRegistry.objects.get().episode_id == eb.pk


def test_acquisition_survives_the_item():
    conn = b.connector()
    e = b.episode(b.series(conn))
    reg(conn, e)
    Episode.objects.filter(pk=e.pk).update(has_file=True, file_acquired_at=NOW)
    resolve_acquisitions(connector=conn, now=NOW)
    Episode.objects.all().delete()
    acq = Acquisition.objects.get()
    assert acq.episode_id is None and acq.title
