import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from content.models import Episode, Series
from queueing.models import RequestQueue
from searchstate.models import Exclusion, PriorityOverride, SearchRegistry
from searchstate.states import SearchState
from tests.searchstate import builders as b
from tests.searchstate.builders import NOW

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("searchstate", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def show():
    conn = b.connector()
    s = b.series(conn, title="The Expanse", arr_id=77)
    b.episodes(s, 1, 3)
    b.episode(s, season_number=2, aired=NOW + timedelta(days=400))
    return s


def test_why_explains_each_item(show):
    out = json.loads(run("why", "--series", "expanse", "--json"))
    reasons = [i["reason"] for i in out["items"]]
    assert reasons.count("selected") == 3 and reasons.count("not_aired") == 1
    selected = next(i for i in out["items"] if i["reason"] == "selected")
    assert selected["priority"] > 0 and "base" in selected["priority_breakdown"]
    assert "download queue not checked" in selected["notes"][0]
    text = run("why", "--series", "77", "--season", "2")
    assert "Not aired yet" in text and "airs 2027" in text


def test_why_cooldown_and_exhausted(show):
    ep = Episode.objects.filter(series=show, season_number=1).first()
    SearchRegistry.objects.create(
        connector=show.connector,
        episode=ep,
        search_type="gap",
        state=SearchState.COOLDOWN,
        last_searched_at=NOW,
        next_eligible_at=NOW + timedelta(days=300),
    )
    out = json.loads(run("why", "--episode", str(ep.arr_id), "--json"))
    assert out["items"][0]["reason"] == "cooldown"
    assert "until" in out["items"][0]["detail"]
    run("exhaust", "--episode", str(ep.arr_id))
    assert "exhausted after" in run("why", "--episode", str(ep.arr_id))
    run("reset", "--episode", str(ep.arr_id))
    assert SearchRegistry.objects.get(episode=ep).state == "pending"


def test_priority_exclude_include(show):
    run("priority", "50", "--series", "The Expanse")
    assert PriorityOverride.of(show) == 50
    run("priority", "-10", "--series", "77", "--season", "1")
    season_one = Episode.objects.filter(season_number=1)
    assert [PriorityOverride.of(e) for e in season_one] == [-10] * season_one.count()
    assert set(
        PriorityOverride.objects.filter(episode__isnull=False).values_list("priority", flat=True)
    ) == {-10}
    run("priority", "clear", "--series", "77", "--season", "1")
    assert not PriorityOverride.objects.filter(episode__isnull=False).exists()
    assert PriorityOverride.of(show) == 50  # the season's clear left the series alone
    run("priority", "clear", "--series", "77")
    assert PriorityOverride.of(show) is None
    run("exclude", "--series", "77", "--note", "not interested")
    assert Exclusion.objects.get().note == "not interested"
    assert "Excluded" in run("why", "--series", "77", "--season", "1")
    run("exclude", "--include", "--series", "77")
    assert not Exclusion.objects.exists()


def test_search_now_sweeps_just_the_target(show, monkeypatch):
    from queueing import sweep as sweep_module

    monkeypatch.setattr(sweep_module, "downloading_arr_ids", lambda connector: frozenset())
    ep = Episode.objects.filter(series=show, season_number=1).first()
    SearchRegistry.objects.create(
        connector=show.connector, episode=ep, search_type="gap", state=SearchState.EXHAUSTED
    )
    out = io.StringIO()
    call_command("searchstate", "search-now", "--episode", str(ep.arr_id), stdout=out)
    assert "EpisodeSearch" in out.getvalue()
    entry = RequestQueue.objects.get()
    assert entry.payload == {"name": "EpisodeSearch", "episodeIds": [ep.arr_id]}
    assert SearchRegistry.objects.get(episode=ep).state == "queued"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["why"], "name a --series"),
        (["why", "--series", "nope"], "no series matches"),
        (["why", "--episode", "999999"], "no episode matches"),
        (["why", "--series", "77", "--season", "9"], "no season 9"),
        (["priority", "--series", "77"], "needs a value"),
        (["priority", "high", "--series", "77"], "must be an integer"),
        (["priority", "1000", "--series", "77"], "between -100 and 100"),
        (["why", "--connector", "ghost", "--series", "77"], "unknown connector"),
    ],
)
def test_bad_input(show, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_connector_required_when_several(show):
    b.connector("radarr", kind="radarr")
    with pytest.raises(CommandError, match="--connector NAME is required"):
        run("why", "--series", "77")
    assert "The Expanse" in run("why", "--connector", "sonarr", "--series", "77")


def test_ambiguous_title(show):
    b.series(show.connector, title="The Expanse Extras")
    assert run("why", "--series", "The Expanse")  # exact title wins
    b.series(show.connector, title="Expanse: Origins")
    with pytest.raises(CommandError, match="matches several"):
        run("why", "--series", "Expanse")


def test_why_for_movies():
    conn = b.connector("radarr", kind="radarr")
    b.movie(conn, title="Dune Part Three", status="announced", is_available=False, arr_id=42)
    b.movie(conn, title="Alien", arr_id=43)
    out = run("why", "--movie", "dune part three")
    assert "Not available yet" in out and "status announced" in out
    data = json.loads(run("why", "--movie", "43", "--json"))["items"][0]
    assert data["reason"] == "selected" and data["priority"] > 0
    assert "next sweep" in data["plan"]


@pytest.mark.parametrize(
    "hostile", ["%", "_", "'; DROP TABLE content_series; --", "x" * 5000, "\x00"]
)
def test_hostile_titles_match_nothing(show, hostile):
    # Too long or control characters: refused by the argument type before any query.
    refused = r"no series matches|matches several|too long|control characters"
    with pytest.raises(CommandError, match=refused):
        run("why", "--series", hostile)
    assert Series.objects.filter(pk=show.pk).exists()


def test_why_query_count_is_bounded(show, django_assert_max_num_queries):
    ep = Episode.objects.filter(series=show, season_number=1).first()
    with django_assert_max_num_queries(20):
        run("why", "--episode", str(ep.arr_id))


def test_why_says_when_radarr_makes_a_movie_available():
    conn = b.connector("radarr", kind="radarr")
    release = (timezone.now() + timedelta(days=30)).replace(hour=0, minute=0, second=0)
    b.movie(
        conn,
        title="Future Film",
        status="inCinemas",
        is_available=False,
        in_cinemas=release - timedelta(days=60),
        digital_release=release,
        arr_id=51,
    )
    b.movie(conn, title="Dateless", status="announced", is_available=False, in_cinemas=None)
    b.movie(conn, title="Delayed", status="released", is_available=False)
    assert f"expected available from {release:%Y-%m-%d %H:%M}" in run("why", "--movie", "51")
    assert "no release date known yet" in run("why", "--movie", "Dateless")
    assert "availability delay?" in run("why", "--movie", "Delayed")
