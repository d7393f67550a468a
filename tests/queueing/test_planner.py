from datetime import UTC, datetime

from queueing.planner import PlannedEntry, apply_limit, batch_episodes, batch_movies
from searchstate.discovery import Candidate
from searchstate.priority import Score

NOW = datetime(2026, 11, 26, tzinfo=UTC)


def cand(arr_id, series=1, season=1, priority=100, kind="episode"):
    return Candidate(
        kind=kind,
        item_id=arr_id,
        arr_id=arr_id,
        search_type="gap",
        title=f"item {arr_id}",
        released_at=None,
        score=Score(total=priority, parts={"base": priority}),
        series_id=series,
        series_arr_id=series,
        season_number=season,
        episode_number=arr_id,
    )


def test_full_batches_per_series_then_remainders_merged():
    items = [cand(i, series=1) for i in range(1, 13)] + [cand(100 + i, series=2) for i in range(3)]
    entries = batch_episodes(items, batch_size=10, search_type="gap", reason="r")
    sizes = sorted(len(e.items) for e in entries)
    assert sizes == [5, 10]  # 10 of series 1, then its 2 with series 2's 3
    full = next(e for e in entries if len(e.items) == 10)
    assert {c.series_id for c in full.items} == {1}
    assert all(len(e.payload["episodeIds"]) <= 10 for e in entries)


def test_each_item_in_exactly_one_entry():
    items = [cand(i, series=i % 7) for i in range(1, 200)]
    entries = batch_episodes(items, batch_size=10, search_type="gap", reason="r")
    ids = [c.arr_id for e in entries for c in e.items]
    assert sorted(ids) == sorted(c.arr_id for c in items)
    assert all(1 <= len(e.items) <= 10 for e in entries)


def test_batches_take_the_best_first():
    items = [cand(i, kind="movie", priority=i) for i in range(1, 26)]
    entries = batch_movies(items, batch_size=10, search_type="gap")
    assert [e.priority for e in entries] == [25, 15, 5]
    assert entries[0].payload == {"name": "MoviesSearch", "movieIds": list(range(25, 15, -1))}


def test_limit_trims_batches_but_never_splits_a_pack():
    pack = PlannedEntry(
        "SeasonSearch",
        "gap",
        [cand(i, priority=500) for i in range(1, 9)],
        "pack",
        series_arr_id=1,
        season_number=1,
    )
    batch = PlannedEntry(
        "EpisodeSearch", "gap", [cand(100 + i, priority=900) for i in range(5)], "e"
    )
    low = PlannedEntry("EpisodeSearch", "gap", [cand(200 + i, priority=10) for i in range(5)], "e")
    kept, left_out = apply_limit([pack, batch, low], 9)
    assert [e.command for e in kept] == ["EpisodeSearch", "EpisodeSearch"]
    assert [len(e.items) for e in kept] == [5, 4]  # the pack (8) did not fit in 4
    assert left_out == 8 + 1
    kept, left_out = apply_limit([pack, batch, low], None)
    assert [e.priority for e in kept] == [900, 500, 10] and left_out == 0


def test_estimated_queries():
    pack = PlannedEntry("SeasonSearch", "gap", [cand(1)], "p", series_arr_id=1, season_number=1)
    series = PlannedEntry("SeriesSearch", "gap", [cand(1)], "s", series_arr_id=1, seasons=4)
    eps = PlannedEntry("EpisodeSearch", "gap", [cand(1), cand(2)], "e")
    assert (pack.estimated_queries, series.estimated_queries, eps.estimated_queries) == (1, 4, 2)
    # Anime and daily seasons fall back to one query per episode of the entry.
    anime = [cand(i) for i in range(1, 6)]
    for c in anime:
        c.series_type = "anime"
    anime_pack = PlannedEntry("SeasonSearch", "gap", anime, "p", series_arr_id=1, season_number=1)
    assert anime_pack.estimated_queries == 5
    assert series.payload == {"name": "SeriesSearch", "seriesId": 1}
