"""Coverage accounting across a pack search's life: plan, dispatch, outcome, next sweeps."""

from datetime import timedelta

import pytest

from queueing.models import RequestQueue, SweepRun
from queueing.sweep import sweep_connector
from searchstate import services
from searchstate.models import SearchRegistry, SearchSettings, SeasonPackSearch
from searchstate.reasons import Reason
from searchstate.states import SearchState
from tests.searchstate import builders as b
from tests.searchstate.builders import NOW

pytestmark = pytest.mark.django_db


def sweep(conn, now, **kw):
    return sweep_connector(connector=conn, downloading=frozenset(), now=now, **kw)


def finish(entry, *, found_nothing, now):
    """What dispatch does with an entry: searching, outcome, credit, pack record, release."""
    settings = SearchSettings.for_connector(entry.connector)
    rows = SearchRegistry.objects.filter(queue_links__entry=entry)
    services.registry_dispatched(rows, now=now)
    covered = services.registry_rows_covered(connector=entry.connector, body=entry.payload)
    services.registry_completed(
        covered.filter(state=SearchState.SEARCHING),
        found_nothing=found_nothing,
        settings=settings,
        now=now,
    )
    services.registry_credit_covered(covered, settings=settings, now=now)
    if entry.command == "SeasonSearch":
        from content.models import Series

        services.season_pack_record(
            series=Series.objects.get(connector=entry.connector, arr_id=entry.series_arr_id),
            season_number=entry.season_number,
            outcome="no_results" if found_nothing else "grabbed",
            settings=settings,
            now=now,
        )
    entry.release(status=RequestQueue.Status.DONE)


def test_pack_credits_its_episodes_then_hybrid_fallback():
    conn = b.connector()
    show = b.series(conn, title="Show")
    missing = b.episodes(show, 1, 8, has_file=2)  # 6 of 8 missing: a pack
    upgrade = missing[0]
    type(upgrade).objects.filter(pk=upgrade.pk).update(
        quality_cutoff_not_met=True, cutoff_met_at=None
    )
    first = sweep(conn, NOW, kind="gaps")
    assert [e.command for e in first.plan.entries] == ["SeasonSearch"]
    # An upgrade row of the same season, planned separately, still pending.
    SearchRegistry.objects.create(connector=conn, episode=upgrade, search_type="upgrade")

    entry = RequestQueue.objects.get()
    finish(entry, found_nothing=True, now=NOW)
    # All 6 gaps and the season's upgrade row were credited.
    gaps = SearchRegistry.objects.filter(search_type="gap")
    assert set(gaps.values_list("state", flat=True)) == {"cooldown"}
    assert set(gaps.values_list("attempts", flat=True)) == {1}
    credited = SearchRegistry.objects.get(search_type="upgrade")
    assert credited.state == "pending" and credited.next_eligible_at > NOW
    assert SeasonPackSearch.objects.get().last_outcome == "no_results"

    # An hour later: nothing is searched one by one.
    later = sweep(conn, NOW + timedelta(hours=1))
    assert later.queued == 0
    assert later.skipped[Reason.COOLDOWN] == 7

    # After the episodes' cooldown but inside the pack's: the pack's season query saw
    # the single-episode releases too, so the episodes wait for the pack cooldown.
    two_days = sweep(conn, NOW + timedelta(days=2), kind="gaps")
    assert two_days.plan.entries == []
    assert two_days.skipped[Reason.COOLDOWN] == 6
    assert SweepRun.objects.get(pk=two_days.run.pk).skipped == {"cooldown": 6}

    # After the pack's cooldown: the hybrid, episodes individually since the pack found nothing.
    week = sweep(conn, NOW + timedelta(days=8), kind="gaps")
    assert {e.command for e in week.plan.entries} == {"EpisodeSearch"}
    assert "pack search found nothing" in week.plan.entries[0].reason


def test_covered_rows_by_command():
    conn = b.connector()
    show = b.series(conn, arr_id=5)
    s1 = b.episodes(show, 1, 3)
    b.season(show, 2, monitored=False)
    s2 = b.episodes(show, 2, 2)
    unmonitored = b.episode(show, season_number=1, monitored=False)
    for e in [*s1, *s2, unmonitored]:
        SearchRegistry.objects.create(connector=conn, episode=e, search_type="gap")
    covered = services.registry_rows_covered
    season = covered(
        connector=conn, body={"name": "SeasonSearch", "seriesId": 5, "seasonNumber": 1}
    )
    assert {r.episode_id for r in season} == {e.pk for e in s1}
    series = covered(connector=conn, body={"name": "SeriesSearch", "seriesId": 5})
    assert {r.episode_id for r in series} == {e.pk for e in s1}  # season 2 unmonitored
    eps = covered(connector=conn, body={"name": "EpisodeSearch", "episodeIds": [s2[0].arr_id]})
    assert [r.episode_id for r in eps] == [s2[0].pk]
    assert not covered(connector=conn, body={"name": "MoviesSearch", "movieIds": [1]}).exists()


def test_pack_outcome_is_validated():
    conn = b.connector()
    show = b.series(conn)
    with pytest.raises(ValueError):
        services.season_pack_record(
            series=show, season_number=1, outcome="maybe", settings=SearchSettings(connector=conn)
        )
