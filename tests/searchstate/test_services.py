from datetime import timedelta

import pytest

from comradarr import events
from content.models import Episode
from searchstate import services
from searchstate.discovery import DiscoveryContext, discover
from searchstate.models import Exclusion, PriorityOverride, SearchRegistry, SearchSettings
from searchstate.states import SearchState
from searchstate.transitions import Event, IllegalTransition
from tests.searchstate import builders as b
from tests.searchstate.builders import NOW

pytestmark = pytest.mark.django_db


def row(conn, item, state=SearchState.PENDING, **fields):
    return SearchRegistry.objects.create(
        connector=conn, episode=item, search_type="gap", state=state, **fields
    )


@pytest.mark.parametrize(
    ("state", "event", "moved"),
    [
        (SearchState.QUEUED, Event.DISPATCH, True),
        (SearchState.COOLDOWN, Event.DISPATCH, False),
        (SearchState.SEARCHING, Event.RESET, False),
        (SearchState.EXHAUSTED, Event.SEARCH_NOW, True),
    ],
)
def test_apply_uses_the_table(state, event, moved):
    conn = b.connector()
    r = row(conn, b.episode(b.series(conn)), state)
    assert services.registry_apply(SearchRegistry.objects.all(), event) == int(moved)
    if moved:
        services.registry_apply(SearchRegistry.objects.all(), Event.RESET)
    else:
        with pytest.raises(IllegalTransition):
            services.registry_apply_one(r, event)


def test_dispatch_counts_with_f_expressions():
    conn = b.connector()
    r = row(conn, b.episode(b.series(conn)), SearchState.QUEUED)
    services.registry_dispatched(SearchRegistry.objects.all(), now=NOW)
    r.refresh_from_db()
    assert (r.state, r.search_count, r.first_searched_at, r.last_searched_at) == (
        "searching",
        1,
        NOW,
        NOW,
    )


def test_completion_backoff_exhaustion_and_fresh_items(django_capture_on_commit_callbacks):
    conn = b.connector()
    show = b.series(conn)
    settings = SearchSettings(connector=conn, cooldown_hours=24, max_attempts=3)
    old, fresh, last_try = b.episodes(show, 1, 3)
    Episode.objects.filter(pk=fresh.pk).update(air_date_utc=NOW - timedelta(hours=10))
    row(conn, old, SearchState.SEARCHING, attempts=1)
    row(conn, fresh, SearchState.SEARCHING)
    row(conn, last_try, SearchState.SEARCHING, attempts=2)
    received = []

    def listener(sender, **kwargs):
        received.append(kwargs)

    events.items_exhausted.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=False):
            moved = services.registry_completed(
                SearchRegistry.objects.all(), found_nothing=True, settings=settings, now=NOW
            )
    finally:
        events.items_exhausted.disconnect(listener)
    assert moved == {"cooldown": 2, "exhausted": 1}
    exhausted_id = SearchRegistry.objects.get(episode=last_try).pk
    assert received == [
        {"signal": events.items_exhausted, "connector": conn, "registry_ids": [exhausted_id]}
    ]
    got = {r.episode_id: r for r in SearchRegistry.objects.all()}
    assert got[old.pk].attempts == 2
    assert got[old.pk].next_eligible_at == NOW + timedelta(hours=48)  # 24 h x 2
    assert got[fresh.pk].next_eligible_at == NOW + timedelta(hours=4)  # fresh cooldown
    assert got[last_try.pk].state == "exhausted"
    assert got[last_try.pk].failure_category == "no_results"


def test_fresh_searches_do_not_use_up_attempts():
    """A new episode retried every 4 h for 48 h would otherwise be exhausted before its
    release is late by two days; the early searches are counted, not spent."""
    conn = b.connector()
    show = b.series(conn)
    settings = SearchSettings(connector=conn, cooldown_hours=24, max_attempts=3)
    fresh, scene, stale = b.episodes(show, 1, 3)
    Episode.objects.filter(pk=fresh.pk).update(air_date_utc=NOW - timedelta(hours=10))
    # Whisparr v2: a release date only, counted from the end of its day.
    Episode.objects.filter(pk=scene.pk).update(
        air_date_utc=None, release_date=(NOW - timedelta(days=1)).date()
    )
    for ep in (fresh, scene, stale):
        row(conn, ep, SearchState.SEARCHING, attempts=2)
    moved = services.registry_completed(
        SearchRegistry.objects.all(), found_nothing=True, settings=settings, now=NOW
    )
    assert moved == {"cooldown": 2, "exhausted": 1}
    got = {r.episode_id: r for r in SearchRegistry.objects.all()}
    for ep in (fresh, scene):
        assert got[ep.pk].state == "cooldown"
        assert got[ep.pk].attempts == 2
        assert got[ep.pk].next_eligible_at == NOW + timedelta(hours=4)
    assert got[stale.pk].state == "exhausted"


def test_cooldown_is_capped():
    settings = SearchSettings(cooldown_hours=24, backoff_multiplier=2, cooldown_cap_hours=72)
    delay = services.cooldown_delay(attempts=9, settings=settings, aired_at=None, now=NOW)
    assert delay == timedelta(hours=72)


def test_reset_exhaust_priority_exclude():
    conn = b.connector()
    show = b.series(conn)
    a, c = b.episodes(show, 1, 2)
    row(conn, a, SearchState.EXHAUSTED, attempts=10)
    assert services.registry_reset(items=[a]) == 1
    r = SearchRegistry.objects.get(episode=a)
    assert (r.state, r.attempts) == ("pending", 0)
    # Exhausting an item never selected creates its row.
    assert services.registry_mark_exhausted(connector=conn, items=[a, c]) == 2
    assert set(SearchRegistry.objects.values_list("state", flat=True)) == {"exhausted"}
    services.item_set_priority(target=show, priority=40)
    assert PriorityOverride.of(show) == 40
    services.item_set_priority(target=show, priority=-5)  # an update, not a second row
    assert PriorityOverride.of(show) == -5 and PriorityOverride.objects.count() == 1
    with pytest.raises(ValueError):
        services.item_set_priority(target=a, priority=101)
    services.item_exclude(target=a, note="bad release")
    services.item_exclude(target=a)
    assert Exclusion.objects.count() == 1
    assert services.item_include(target=a) == 1


def test_enqueue_skips_vanished_items_and_busy_rows():
    conn = b.connector()
    show = b.series(conn)
    ok, busy, gone = b.episodes(show, 1, 3)
    row(conn, busy, SearchState.SEARCHING)
    ctx = DiscoveryContext(connector=conn, settings=SearchSettings(connector=conn), now=NOW)
    # discovery never selects a searching row; build candidates by hand to test the guard
    candidates = discover(ctx, "gap").candidates
    extra = next(c for c in candidates if c.item_id == ok.pk)
    from dataclasses import replace

    candidates = [*candidates, replace(extra, item_id=busy.pk), replace(extra, item_id=gone.pk)]
    Episode.objects.filter(pk=gone.pk).delete()
    queued = services.registry_enqueue(connector=conn, candidates=candidates, now=NOW)
    assert set(queued) == {("gap", ok.pk)}
    assert SearchRegistry.objects.get(episode=busy).state == "searching"


def test_prune():
    conn = b.connector()
    show = b.series(conn)
    old, recent = b.episodes(show, 1, 2)
    row(conn, old, SearchState.EXHAUSTED)
    row(conn, recent, SearchState.EXHAUSTED)
    SearchRegistry.objects.filter(episode=old).update(updated_at=NOW - timedelta(days=31))
    SearchRegistry.objects.filter(episode=recent).update(updated_at=NOW - timedelta(days=29))
    assert services.prune_exhausted(now=NOW) == 1
    assert services.prune_exhausted(now=NOW, older_than_days=1) == 1
    assert services.prune_orphans() == 0
