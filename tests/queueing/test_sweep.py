import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction

from comradarr.locks import advisory_lock
from queueing.models import RequestQueue, RequestQueueItem, SweepRun
from queueing.sweep import sweep_connector
from searchstate.models import (
    Acquisition,
    SearchHistory,
    SearchRegistry,
    SearchSettings,
    SeasonPackSearch,
)
from searchstate.reasons import Reason
from searchstate.services import item_set_priority
from searchstate.states import SearchState
from searchstate.why import why
from tests.searchstate import builders as b
from tests.searchstate.builders import NOW

pytestmark = pytest.mark.django_db


def sweep(conn, **kw):
    kw.setdefault("downloading", frozenset())
    kw.setdefault("now", NOW)
    return sweep_connector(connector=conn, **kw)


def library():
    """A Sonarr library an expert would plan: one whole missing season, scattered gaps."""
    conn = b.connector()
    show = b.series(conn, title="Show")
    full = b.episodes(show, 1, 10, has_file=10)  # complete
    missing_season = b.episodes(show, 2, 8)  # fully aired, all missing -> pack
    scattered = b.episodes(show, 3, 12, has_file=10)  # 2 of 12 missing -> episodes
    airing = b.episodes(show, 4, 3, aired=NOW - timedelta(days=10))
    b.episodes(show, 4, 0)
    future = b.episode(show, season_number=4, aired=NOW + timedelta(days=7))
    other = b.series(conn, title="Other")
    lonely = b.episodes(other, 1, 20, has_file=19)
    return conn, {
        "full": full,
        "pack": missing_season,
        "scattered": scattered[10:],
        "airing": airing,
        "future": future,
        "lonely": lonely[19:],
    }


def test_dry_run_plans_like_an_expert_and_changes_nothing(django_assert_max_num_queries):
    conn, eps = library()
    with django_assert_max_num_queries(12):
        result = sweep(conn, dry_run=True)
    commands = [(e.command, e.payload) for e in result.plan.entries]
    show_arr = eps["pack"][0].series.arr_id
    assert (
        "SeasonSearch",
        {"name": "SeasonSearch", "seriesId": show_arr, "seasonNumber": 2},
    ) in commands
    episode_ids = sorted(
        i for cmd, body in commands if cmd == "EpisodeSearch" for i in body["episodeIds"]
    )
    expected = sorted(e.arr_id for e in eps["scattered"] + eps["airing"] + eps["lonely"])
    assert episode_ids == expected  # the airing season goes episode by episode
    assert eps["future"].arr_id not in episode_ids
    assert result.skipped == {Reason.NOT_AIRED: 1}
    assert result.selected == 8 + 2 + 3 + 1
    # Nothing was written.
    assert SearchRegistry.objects.count() == 0
    assert RequestQueue.objects.count() == 0
    assert SweepRun.objects.count() == 0
    assert result.as_dict()["plan"][0]["items"]


def test_sweep_queues_the_plan():
    conn, _eps = library()
    result = sweep(conn)
    assert result.status == "succeeded"
    entries = list(RequestQueue.objects.order_by("-priority"))
    assert len(entries) == result.entries == len(result.plan.entries)
    pack = next(e for e in entries if e.command == "SeasonSearch")
    assert pack.item_count == 8 and pack.links.count() == 8
    assert pack.season_number == 2 and pack.estimated_queries == 1
    assert SearchRegistry.objects.filter(state=SearchState.QUEUED).count() == 14
    for reg in SearchRegistry.objects.all():
        assert set(reg.priority_breakdown) == {
            "base",
            "recency",
            "missing_age",
            "attempts",
            "user",
            "findability",
            "unreleased",
        }
        assert round(sum(reg.priority_breakdown.values())) == reg.priority
    assert RequestQueueItem.objects.count() == 14
    run = SweepRun.objects.get()
    assert (run.status, run.found, run.selected, run.queued) == ("succeeded", 15, 14, 14)
    assert run.skipped == {"not_aired": 1}
    assert run.entries == len(entries)
    # Each entry's priority is the highest of its items'.
    for entry in entries:
        assert entry.priority == max(entry.items.values_list("priority", flat=True))


def test_a_second_sweep_queues_nothing_twice():
    conn, _ = library()
    sweep(conn)
    again = sweep(conn)
    assert again.queued == 0 and again.entries == 0
    assert again.skipped[Reason.IN_PROGRESS] == 14
    assert RequestQueueItem.objects.count() == 14


def test_an_item_is_never_in_two_live_entries():
    conn, _ = library()
    sweep(conn)
    link = RequestQueueItem.objects.first()
    other = RequestQueue.objects.exclude(pk=link.entry_id).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        RequestQueueItem.objects.create(entry=other, registry_id=link.registry_id)


def test_released_entry_frees_its_items_for_the_next_sweep():
    conn, _ = library()
    sweep(conn)
    entry = RequestQueue.objects.filter(command="EpisodeSearch").first()
    ids = list(entry.links.values_list("registry_id", flat=True))
    SearchRegistry.objects.filter(pk__in=ids).update(state=SearchState.PENDING)
    entry.release(status=RequestQueue.Status.CANCELLED)
    again = sweep(conn)
    assert again.queued == len(ids)


def test_item_limit_keeps_the_best_and_counts_the_rest():
    conn, _ = library()
    result = sweep(conn, item_limit=9)
    assert result.selected <= 9
    assert result.skipped[Reason.BUDGET_USED] == 14 - result.selected
    assert SearchRegistry.objects.count() == result.queued


def test_items_in_the_download_queue_are_left_out_and_block_a_pack():
    conn, eps = library()
    busy = eps["pack"][0]
    result = sweep(conn, dry_run=True, downloading=frozenset({busy.arr_id}))
    assert result.skipped[Reason.IN_DOWNLOAD_QUEUE] == 1
    assert all(e.command != "SeasonSearch" for e in result.plan.entries)
    ids = {i for e in result.plan.entries for i in e.payload.get("episodeIds", [])}
    assert busy.arr_id not in ids
    assert {e.arr_id for e in eps["pack"][1:]} <= ids


def test_pack_cooldown_and_hybrid_fallback():
    conn, eps = library()
    show = eps["pack"][0].series
    SeasonPackSearch.objects.create(
        connector=conn,
        series=show,
        season_number=2,
        last_searched_at=NOW - timedelta(days=8),
        last_outcome="no_results",
    )
    result = sweep(conn, dry_run=True)
    assert all(e.command != "SeasonSearch" for e in result.plan.entries)
    entry = next(
        e for e in result.plan.entries if eps["pack"][0].arr_id in e.payload.get("episodeIds", [])
    )
    assert "pack search found nothing" in entry.reason


def test_a_pack_that_found_nothing_holds_its_episodes_until_its_cooldown_ends():
    conn, eps = library()
    show = eps["pack"][0].series
    SeasonPackSearch.objects.create(
        connector=conn,
        series=show,
        season_number=2,
        last_searched_at=NOW - timedelta(days=3),
        last_outcome="no_results",
    )
    result = sweep(conn)
    planned = {c.item_id for e in result.plan.entries for c in e.items}
    assert not planned & {e.pk for e in eps["pack"]}
    assert result.skipped == {Reason.NOT_AIRED: 1, Reason.COOLDOWN: 8}
    assert result.found == 15 and result.selected == 6
    assert SweepRun.objects.get().skipped == {"not_aired": 1, "cooldown": 8}
    report = why(eps["pack"][0], now=NOW, downloading=frozenset())
    assert report.reason == Reason.COOLDOWN
    assert "found nothing" in report.detail and "held until" in report.detail
    # A manual search-now searches them one by one anyway.
    forced = sweep(conn, only=[eps["pack"][0].pk], force=True, dry_run=True)
    assert [e.command for e in forced.plan.entries] == ["EpisodeSearch"]
    assert "pack search in cooldown" in forced.plan.entries[0].reason


def test_whole_series_missing_uses_series_search():
    conn = b.connector()
    show = b.series(conn)
    b.episodes(show, 1, 6)
    b.episodes(show, 2, 6)
    result = sweep(conn, dry_run=True)
    assert [e.command for e in result.plan.entries] == ["SeriesSearch"]
    assert result.plan.entries[0].estimated_queries == 2
    off = SearchSettings.objects.create(connector=conn, series_search_enabled=False)
    result = sweep(conn, dry_run=True)
    assert sorted(e.command for e in result.plan.entries) == ["SeasonSearch", "SeasonSearch"]
    off.season_packs_enabled = False
    off.save()
    result = sweep(conn, dry_run=True)
    assert {e.command for e in result.plan.entries} == {"EpisodeSearch"}
    assert max(len(e.items) for e in result.plan.entries) == 10


def test_upgrades_in_a_packed_season_ride_along_with_the_pack():
    """Sonarr runs SeasonSearch with missingOnly=false: the pack's queries look for the
    season's upgrades too, so a separate EpisodeSearch would search the season twice."""
    conn = b.connector()
    show = b.series(conn, title="Show")
    b.episodes(show, 1, 10, has_file=10)
    elsewhere = b.episode(show, 1, has_file=1, quality_cutoff_not_met=True, episode_number=11)
    packed = b.episodes(show, 2, 8)
    low = b.episode(show, 2, has_file=1, quality_cutoff_not_met=True, episode_number=9)
    result = sweep(conn)
    pack = next(e for e in result.plan.entries if e.command == "SeasonSearch")
    assert {c.arr_id for c in pack.items} == {e.arr_id for e in packed} | {low.arr_id}
    assert "covers 1 upgrade(s) too" in pack.reason
    upgrades = [e for e in result.plan.entries if e.search_type == "upgrade"]
    assert [[c.arr_id for c in e.items] for e in upgrades] == [[elsewhere.arr_id]]
    entry = RequestQueue.objects.get(command="SeasonSearch")
    linked = SearchRegistry.objects.filter(queue_links__entry=entry)
    assert linked.count() == 9
    assert linked.get(episode=low).search_type == "upgrade"
    assert result.queued == 10
    # Gaps only: nothing to fold, the upgrade is not discovered at all.
    RequestQueue.objects.all().delete()
    SearchRegistry.objects.all().delete()
    only_gaps = sweep(conn, kind="gaps", dry_run=True)
    assert all(c.search_type == "gap" for e in only_gaps.plan.entries for c in e.items)


def test_upgrades_of_a_series_searched_whole_join_the_series_search():
    conn = b.connector()
    show = b.series(conn)
    b.episodes(show, 1, 6)
    b.episodes(show, 2, 6)
    low = b.episode(show, 2, has_file=1, quality_cutoff_not_met=True, episode_number=7)
    result = sweep(conn, dry_run=True)
    assert [e.command for e in result.plan.entries] == ["SeriesSearch"]
    assert low.arr_id in {c.arr_id for c in result.plan.entries[0].items}


def test_movies_are_batched_by_batch_size():
    conn = b.connector("radarr", kind="radarr")
    for n in range(23):
        b.movie(conn, title=f"Film {n}")
    b.movie(conn, title="Upgrade me", has_file=True, quality_cutoff_not_met=True)
    b.movie(conn, title="Soon", is_available=False, status="inCinemas")
    SearchSettings.objects.create(connector=conn, batch_size=10)
    result = sweep(conn)
    sizes = sorted(len(e.items) for e in result.plan.entries if e.search_type == "gap")
    assert sizes == [3, 10, 10]
    upgrade = [e for e in result.plan.entries if e.search_type == "upgrade"]
    assert len(upgrade) == 1 and upgrade[0].command == "MoviesSearch"
    assert result.skipped == {Reason.NOT_AVAILABLE: 1}
    gap_entry = RequestQueue.objects.filter(search_type="gap").order_by("-priority").first()
    assert gap_entry.priority > RequestQueue.objects.get(search_type="upgrade").priority


def test_priority_order_newest_first():
    conn = b.connector("radarr", kind="radarr")
    old = b.movie(conn, title="Old", in_cinemas=NOW - timedelta(days=3000))
    new = b.movie(conn, title="New", in_cinemas=NOW - timedelta(days=200))
    boosted = b.movie(conn, title="Boosted", in_cinemas=NOW - timedelta(days=5000))
    item_set_priority(target=boosted, priority=100)
    SearchSettings.objects.create(connector=conn, batch_size=1)
    result = sweep(conn, dry_run=True)
    assert [e.items[0].item_id for e in result.plan.entries] == [boosted.pk, new.pk, old.pk]


def test_resolution_runs_first():
    conn = b.connector("radarr", kind="radarr")
    film = b.movie(conn)
    sweep(conn)
    reg = SearchRegistry.objects.get()
    SearchRegistry.objects.filter(pk=reg.pk).update(
        state=SearchState.COOLDOWN, last_searched_at=NOW - timedelta(hours=3)
    )
    RequestQueue.objects.all().delete()
    type(film).objects.filter(pk=film.pk).update(
        has_file=True, file_acquired_at=NOW - timedelta(hours=1)
    )
    result = sweep(conn)
    assert result.resolved == 1
    assert SearchRegistry.objects.count() == 0
    assert Acquisition.objects.get().source == "search"


def test_item_deleted_upstream_mid_sweep(monkeypatch):
    conn, eps = library()
    victim = eps["lonely"][0]
    from queueing import sweep as sweep_module

    real = sweep_module.build_plan

    def plan_then_delete(**kw):
        plan = real(**kw)
        type(victim).objects.filter(pk=victim.pk).delete()  # a sync removed it meanwhile
        return plan

    monkeypatch.setattr(sweep_module, "build_plan", plan_then_delete)
    result = sweep(conn)
    assert result.status == "succeeded"
    assert result.queued == 13
    assert not SearchRegistry.objects.filter(episode_id=victim.pk).exists()
    for entry in RequestQueue.objects.filter(command="EpisodeSearch"):
        assert victim.arr_id not in entry.payload["episodeIds"]
        assert entry.item_count == len(entry.payload["episodeIds"]) == entry.links.count()


def test_unusable_connector_is_skipped_with_reasons():
    conn, _ = library()
    conn.enabled = False
    conn.save()
    result = sweep(conn, downloading=None)  # no HTTP for a disabled connector
    assert result.status == "skipped"
    assert result.skipped == {Reason.CONNECTOR_UNUSABLE: 15}
    assert SweepRun.objects.get().status == "skipped"
    assert RequestQueue.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_one_connector_never_sweeps_twice_at_once():
    conn, _ = library()
    other = b.connector("sonarr2")
    b.episodes(b.series(other), 1, 3)
    holding = threading.Event()
    release = threading.Event()

    def hold_lock():
        with advisory_lock("sweep", conn.pk):
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=hold_lock)
    thread.start()
    try:
        assert holding.wait(10)
        busy = sweep(conn)
        parallel = sweep(other)  # another connector is not held back
    finally:
        release.set()
        thread.join()
    assert busy.status == "skipped" and "already running" in busy.error
    assert RequestQueue.objects.filter(connector=conn).count() == 0
    assert parallel.status == "succeeded" and parallel.queued == 3
    assert sweep(conn).status == "succeeded"
    assert connection.vendor == "postgresql"


def test_search_history_is_append_only_shape():
    # Defined here, written by dispatch: a snapshot row can be stored as dispatch will.
    conn = b.connector()
    row = SearchHistory.objects.create(
        connector=conn,
        connector_name=conn.name,
        command_name="EpisodeSearch",
        command_body={"name": "EpisodeSearch", "episodeIds": [1]},
        items=[{"kind": "episode", "arr_id": 1, "title": "Show S01E01"}],
        item_count=1,
        dispatched_at=NOW,
    )
    assert isinstance(row.pk, int) and row.outcome == "pending"


def _count_sweep_queries(conn):
    from django.db import connection as conn_db
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(conn_db) as ctx:
        result = sweep(conn)
    assert result.status == "succeeded"
    return len(ctx.captured_queries), result


def test_sweep_queries_do_not_grow_with_the_library():
    small = b.connector("small")
    for n in range(2):
        show = b.series(small, title=f"S{n}")
        b.episodes(show, 1, 6)
        b.episodes(show, 2, 10, has_file=8)
    big = b.connector("big")
    for n in range(20):
        show = b.series(big, title=f"B{n}")
        b.episodes(show, 1, 6)
        b.episodes(show, 2, 10, has_file=8)
    small_queries, small_result = _count_sweep_queries(small)
    big_queries, big_result = _count_sweep_queries(big)
    assert big_result.queued == 10 * small_result.queued
    assert big_queries == small_queries
    # ledger, lock, resolution (4), discovery (3 per type), seasons (3), upserts, links, events
    # (+ 9: the notification outbox rows of sweep started and completed)
    # (+ 2: the learned findability, one aggregate per type)
    # 12 of them are savepoints: the started and completed events commit with their run.
    assert big_queries <= 48, big_queries


@pytest.mark.parametrize(
    ("kw", "message"), [({"kind": "all"}, "unknown sweep kind"), ({"item_limit": 0}, "at least 1")]
)
def test_bad_arguments(kw, message):
    conn = b.connector()
    with pytest.raises(ValueError, match=message):
        sweep(conn, **kw)
    assert SweepRun.objects.count() == 0


def test_live_payload_drops_resolved_items():
    conn = b.connector("radarr", kind="radarr")
    films = [b.movie(conn, title=f"F{n}") for n in range(3)]
    sweep(conn)
    entry = RequestQueue.objects.get()
    assert entry.live_payload() == {
        "name": "MoviesSearch",
        "movieIds": sorted(f.arr_id for f in films),
    }
    type(films[0]).objects.filter(pk=films[0].pk).update(has_file=True, file_acquired_at=NOW)
    from searchstate.resolution import resolve_acquisitions

    resolve_acquisitions(connector=conn, now=NOW)
    assert entry.live_payload()["movieIds"] == sorted(f.arr_id for f in films[1:])
    type(films[1]).objects.filter(pk=films[1].pk).delete()  # gone upstream
    assert entry.live_payload()["movieIds"] == [films[2].arr_id]


def test_resolution_of_queued_items_takes_their_links_and_empty_entries():
    conn = b.connector("radarr", kind="radarr")
    film = b.movie(conn)
    sweep(conn)
    assert RequestQueueItem.objects.count() == 1
    type(film).objects.filter(pk=film.pk).update(has_file=True, file_acquired_at=NOW)
    result = sweep(conn)
    assert result.resolved == 1
    assert not RequestQueueItem.objects.exists()
    assert not RequestQueue.objects.exists()  # the emptied entry was dropped
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # what COMMIT would check


def test_sql_delete_of_mirror_rows_cascades_in_the_database():
    conn, _ = library()
    sweep(conn)
    assert SearchRegistry.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM content_episode WHERE connector_id = %s", [conn.pk])
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert not SearchRegistry.objects.exists()
    assert not RequestQueueItem.objects.exists()


def test_sweep_task_loads_by_id_and_tolerates_a_missing_connector(monkeypatch):
    from queueing import sweep as sweep_module

    monkeypatch.setattr(sweep_module, "downloading_arr_ids", lambda connector: frozenset())
    conn, _ = library()
    summary = sweep_module.sweep_task(conn.pk, kind="gaps", trigger="schedule")
    assert summary["status"] == "succeeded" and summary["queued"] == 14
    assert "plan" not in summary
    assert SweepRun.objects.get().trigger == "schedule"
    assert sweep_module.sweep_task(999_999) is None


def test_queue_querysets():
    conn, _ = library()
    sweep(conn)
    entries = list(RequestQueue.objects.due(NOW))
    assert [e.priority for e in entries] == sorted((e.priority for e in entries), reverse=True)
    assert not RequestQueue.objects.due(NOW - timedelta(seconds=1)).exists()
    assert RequestQueue.objects.live().count() == len(entries)
    assert not RequestQueue.objects.empty().exists()
    first = entries[0]
    first.links.all().delete()
    assert list(RequestQueue.objects.empty()) == [first]
    first.release(status=RequestQueue.Status.DONE)
    assert list(RequestQueue.objects.finished_before(NOW + timedelta(days=3650))) == [first]
