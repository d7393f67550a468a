"""The library browser: list, filters, search, keyset pages, series, item with its why."""

from __future__ import annotations

import pytest
from django.urls import reverse

from content.models import Movie, Season
from searchstate.models import Exclusion, PriorityOverride, SearchRegistry
from tests.searchstate import builders
from tests.ui_engine.conftest import make_entry, make_history
from web import library as library_pages

pytestmark = pytest.mark.django_db


def seasons_stats(show, number, *, missing=0, cutoff=0, files=0, count=0):
    Season.objects.filter(series=show, season_number=number).update(
        missing_monitored_episodes=missing,
        cutoff_unmet_episodes=cutoff,
        episode_file_count=files,
        episode_count=count,
    )


@pytest.fixture
def library(sonarr):
    complete = builders.series(sonarr, "Complete Show", episode_file_count=3, episode_count=3)
    builders.episodes(complete, 1, 3, has_file=3)
    seasons_stats(complete, 1, files=3, count=3)
    gappy = builders.series(sonarr, "Gappy Show", episode_file_count=1, episode_count=3)
    builders.episodes(gappy, 1, 3, has_file=1)
    seasons_stats(gappy, 1, missing=2, files=1, count=3)
    upgrade = builders.series(sonarr, "Upgrade Show", episode_file_count=2, episode_count=2)
    builders.episodes(upgrade, 1, 2, has_file=2, quality_cutoff_not_met=True)
    seasons_stats(upgrade, 1, cutoff=2, files=2, count=2)
    return {"complete": complete, "gappy": gappy, "upgrade": upgrade}


def test_no_connectors_empty_state(web):
    body = web.get(reverse("library:list")).content.decode()
    assert "No library yet" in body


def test_series_list_with_season_progress(web, sonarr, library):
    body = web.get(reverse("library:list")).content.decode()
    for title in ("Complete Show", "Gappy Show", "Upgrade Show"):
        assert title in body
    assert "S1 1/3" in body and "chip-missing" in body and "chip-cutoff" in body


@pytest.mark.parametrize(
    ("filter_", "shown", "hidden"),
    [
        ("missing", "Gappy Show", "Complete Show"),
        ("cutoff", "Upgrade Show", "Gappy Show"),
        ("all", "Complete Show", None),
        ("bogus';--", "Complete Show", None),  # unknown filter: all
    ],
)
def test_filters(web, sonarr, library, filter_, shown, hidden):
    body = web.get(reverse("library:list"), {"filter": filter_}).content.decode()
    assert shown in body
    if hidden:
        assert hidden not in body


def test_search_is_case_insensitive_and_htmx_gets_the_fragment(web, sonarr, library):
    response = web.get(
        reverse("library:list"),
        {"q": "gAPPY", "connector": sonarr.pk},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="browse-results",
    )
    body = response.content.decode()
    assert "<html" not in body
    assert "Gappy Show" in body and "Complete Show" not in body
    assert 'id="browse-filters" aria-label="Show" hx-swap-oob="true"' in body


@pytest.mark.parametrize("query", ["%", "_", "\x00", "<script>alert(1)</script>", "a" * 5000])
def test_hostile_search_text_is_harmless(web, sonarr, library, query):
    response = web.get(reverse("library:list"), {"q": query})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


@pytest.mark.parametrize("cursor", ["garbage", "W10", "WyJhIiwidHJ1ZSJd", "%%%", "x" * 3000])
def test_tampered_cursor_falls_back_to_the_first_page(web, sonarr, library, cursor):
    response = web.get(reverse("library:list"), {"after": cursor})
    assert response.status_code == 200
    assert "Complete Show" in response.content.decode()


def test_unknown_connector_falls_back_to_the_first(web, sonarr, library):
    for value in ("999999", "abc", "-3"):
        assert web.get(reverse("library:list"), {"connector": value}).status_code == 200


def test_keyset_pages_walk_the_whole_library_without_counting(radarr):
    Movie.objects.bulk_create(
        Movie(connector=radarr, arr_id=n, title=f"Movie {n:03d}", sort_title=f"movie {n:03d}")
        for n in range(1, 124)
    )
    seen, cursor = [], None
    while True:
        page = library_pages.movie_page(connector=radarr, after=cursor, size=50)
        seen.extend(m.arr_id for m in page.rows)
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert seen == list(range(1, 124))
    back = library_pages.movie_page(connector=radarr, before=page.prev_cursor, size=50)
    assert [m.arr_id for m in back.rows] == list(range(51, 101))


def test_movie_list_queries_are_bounded(web, radarr, django_assert_num_queries):
    Movie.objects.bulk_create(
        Movie(connector=radarr, arr_id=n, title=f"Movie {n}", sort_title=f"movie {n}")
        for n in range(1, 200)
    )
    web.get(reverse("library:list"))
    # session, user, connectors, quality profiles, movies (with their exclusion), registry rows
    with django_assert_num_queries(6):
        response = web.get(reverse("library:list"), {"connector": radarr.pk})
    assert response.content.decode().count('class="title-link"') == library_pages.PAGE_SIZE


def test_series_list_queries_do_not_grow_with_seasons(web, sonarr, django_assert_num_queries):
    for n in range(30):
        show = builders.series(sonarr, f"Show {n:02d}")
        for number in range(1, 4):
            builders.season(show, number)
    web.get(reverse("library:list"))
    # session, user, connectors, quality profiles, series, their seasons
    with django_assert_num_queries(6):
        web.get(reverse("library:list"))


def test_series_page_shows_a_season(web, library):
    gappy = library["gappy"]
    body = web.get(reverse("library:series", args=[gappy.pk])).content.decode()
    assert "Season 1" in body and "Missing" in body and "Episode 3" in body
    body = web.get(
        reverse("library:series", args=[gappy.pk]), {"season": "x", "filter": "missing"}
    ).content.decode()
    assert "Episode 1" not in body and "Episode 2" in body


def test_item_detail_explains_why(web, sonarr, library):
    episode = library["gappy"].episodes.order_by("episode_number").last()
    body = web.get(reverse("library:item", args=["episode", episode.pk])).content.decode()
    assert "Selected for search" in body
    assert "Gappy Show" in body
    assert "Search now" in body


def test_item_detail_of_a_file_already_there(web, library):
    episode = library["complete"].episodes.first()
    body = web.get(reverse("library:item", args=["episode", episode.pk])).content.decode()
    assert "Quality cutoff already met" in body or "Already has a file" in body


def test_item_detail_shows_state_history_and_queue_entry(web, sonarr, library):
    episode = library["gappy"].episodes.order_by("episode_number").last()
    entry = make_entry(sonarr, items=[episode])
    make_history(
        sonarr,
        items=[{"kind": "episode", "arr_id": episode.arr_id, "title": "Gappy Show S01E03"}],
        outcome="no_results",
    )
    make_history(sonarr, items=[{"kind": "episode", "arr_id": 999_999, "title": "Other"}])
    body = web.get(reverse("library:item", args=["episode", episode.pk])).content.decode()
    assert "Already queued or being searched" in body
    assert reverse("queueing:entry_detail", args=[entry.pk]) in body
    assert "Gappy Show S01E03" in body and "Other" not in body


def test_item_page_tells_its_own_outcome_from_its_batchs(web, sonarr, library):
    first, second, third = library["gappy"].episodes.order_by("episode_number")
    batch = [
        {"kind": "episode", "arr_id": e.arr_id, "title": f"Gappy Show S01E0{n}", "grabbed": g}
        for n, (e, g) in enumerate([(first, True), (second, False), (third, False)], start=1)
    ]
    make_history(sonarr, items=batch, item_count=3, outcome="grabbed", items_grabbed=1)
    missed = web.get(reverse("library:item", args=["episode", second.pk])).content.decode()
    assert "The batch grabbed 1 release; this episode: no result" in missed
    hit = web.get(reverse("library:item", args=["episode", first.pk])).content.decode()
    assert "This episode: grabbed" in hit and "no result" not in hit


def test_history_recorded_before_items_were_marked_says_nothing_per_item(web, sonarr, library):
    episode = library["gappy"].episodes.order_by("episode_number").last()
    items = [
        {"kind": "episode", "arr_id": episode.arr_id, "title": "A"},
        {"arr_id": 1, "title": "B"},
    ]
    make_history(sonarr, items=items, item_count=2, outcome="grabbed", items_grabbed=1)
    body = web.get(reverse("library:item", args=["episode", episode.pk])).content.decode()
    assert "this-item" not in body


@pytest.mark.parametrize(("kind", "pk"), [("episode", 999999), ("series", 1), ("movie", 0)])
def test_unknown_items_are_404(web, kind, pk):
    assert web.get(reverse("library:item", args=[kind, pk])).status_code == 404


def test_exclude_include_and_reset(web, sonarr, library):
    episode = library["gappy"].episodes.order_by("episode_number").last()
    url = reverse("library:item_action", args=["episode", episode.pk])
    assert web.post(url, {"action": "exclude"}).status_code == 302
    assert Exclusion.objects.filter(episode=episode).exists()
    body = web.get(reverse("library:item", args=["episode", episode.pk])).content.decode()
    assert "Excluded by the user" in body
    web.post(url, {"action": "include"})
    assert not Exclusion.objects.exists()
    web.post(url, {"action": "exhaust"})
    assert SearchRegistry.objects.get(episode=episode).state == "exhausted"
    web.post(url, {"action": "reset"})
    assert SearchRegistry.objects.get(episode=episode).state == "pending"


def test_search_now_enqueues_a_forced_sweep_after_commit(
    web, sonarr, library, monkeypatch, django_capture_on_commit_callbacks
):
    calls = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda *a, **kw: calls.append((a, kw)))
    episode = library["gappy"].episodes.order_by("episode_number").last()
    with django_capture_on_commit_callbacks(execute=True):
        response = web.post(
            reverse("library:item_action", args=["episode", episode.pk]),
            {"action": "search"},
            follow=True,
        )
    assert "Search queued" in response.content.decode()
    assert calls == [
        (
            ("queueing.sweep.sweep_task", sonarr.pk),
            {"only": [episode.pk], "force": True, "trigger": "manual"},
        )
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("101", "The highest priority is 100."),
        ("-101", "The lowest priority is -100."),
        ("soon", "Enter a whole number from -100 to 100"),
        ("1.5", "Enter a whole number from -100 to 100"),
    ],
)
def test_bad_priority_is_explained(web, library, value, message):
    episode = library["gappy"].episodes.first()
    response = web.post(
        reverse("library:item_action", args=["episode", episode.pk]),
        {"action": "priority", "priority": value},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert f'value="{value}"' in body  # the input is kept
    assert PriorityOverride.of(episode) is None


def test_priority_set_and_cleared(web, library):
    episode = library["gappy"].episodes.first()
    url = reverse("library:item_action", args=["episode", episode.pk])
    web.post(url, {"action": "priority", "priority": "40"})
    assert PriorityOverride.of(episode) == 40
    assert (
        'value="40"'
        in web.get(reverse("library:item", args=["episode", episode.pk])).content.decode()
    )
    web.post(url, {"action": "priority", "priority": ""})
    assert PriorityOverride.of(episode) is None


def test_unknown_action_changes_nothing(web, library):
    episode = library["gappy"].episodes.first()
    response = web.post(
        reverse("library:item_action", args=["episode", episode.pk]),
        {"action": "drop table"},
        follow=True,
    )
    assert "Unknown action." in response.content.decode()
    assert not Exclusion.objects.exists()


def test_actions_refuse_get(web, library):
    episode = library["gappy"].episodes.first()
    url = reverse("library:item_action", args=["episode", episode.pk])
    assert web.get(url, {"action": "exclude"}).status_code == 405


def test_series_actions(web, library):
    gappy = library["gappy"]
    url = reverse("library:series_action", args=[gappy.pk])
    web.post(url, {"action": "exclude"})
    assert Exclusion.objects.filter(series=gappy).exists()
    web.post(url, {"action": "include"})
    assert not Exclusion.objects.exists()
    web.post(url, {"action": "priority", "priority": "-20"})
    assert PriorityOverride.of(gappy) == -20
    response = web.post(url, {"action": "priority", "priority": "9000"}, follow=True)
    assert "The highest priority is 100." in response.content.decode()
    assert PriorityOverride.of(gappy) == -20
    page = web.get(reverse("library:series", args=[gappy.pk])).content.decode()
    assert "-20 <span" in page  # "Priority -20 (episodes inherit it)"


def test_csrf_is_required(client, db, library):
    from django.contrib.auth import get_user_model
    from django.test import Client

    user = get_user_model().objects.create_user("csrf", password="pw-for-csrf-test")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    episode = library["gappy"].episodes.first()
    response = strict.post(
        reverse("library:item_action", args=["episode", episode.pk]), {"action": "exclude"}
    )
    assert response.status_code == 403
    assert not Exclusion.objects.exists()


def test_series_page_queries_do_not_grow_with_episodes(web, sonarr, django_assert_max_num_queries):
    show = builders.series(sonarr, "Long Runner")
    builders.episodes(show, 1, 5)
    web.get(reverse("library:series", args=[show.pk]))
    # 12 for the header and episode table, the rest for the season rows (test_series_seasons).
    with django_assert_max_num_queries(18) as captured:
        web.get(reverse("library:series", args=[show.pk]))
    builders.episodes(show, 1, 40)
    with django_assert_max_num_queries(len(captured)):
        response = web.get(reverse("library:series", args=[show.pk]))
    assert response.content.decode().count("library/item/episode/") == 45


def test_whisparr_v2_scenes_without_episode_numbers(web, db):
    site = builders.connector("Sites", "whisparr", app_version="2.0.0.819")
    show = builders.series(site, "Some Site")
    scene = builders.episode(show, 2024, episode_number=None, title="A scene")
    body = web.get(reverse("library:list"), {"connector": site.pk}).content.decode()
    assert "Some Site" in body
    body = web.get(reverse("library:item", args=["episode", scene.pk])).content.decode()
    assert "Some Site: A scene" in body


def test_search_now_on_a_queued_item_says_where_it_waits(
    web, sonarr, library, monkeypatch, django_capture_on_commit_callbacks
):
    calls = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda *a, **kw: calls.append((a, kw)))
    episode = library["gappy"].episodes.order_by("episode_number").last()
    entry = make_entry(sonarr, items=[episode])
    with django_capture_on_commit_callbacks(execute=True):
        response = web.post(
            reverse("library:item_action", args=["episode", episode.pk]),
            {"action": "search"},
            follow=True,
        )
    body = response.content.decode()
    assert f"queue entry #{entry.pk}</a> (queued) covers it" in body
    assert reverse("queueing:entry_detail", args=[entry.pk]) in body
    assert calls == []
    entry.status = "done"
    entry.save()
    with django_capture_on_commit_callbacks(execute=True):
        web.post(reverse("library:item_action", args=["episode", episode.pk]), {"action": "search"})
    assert len(calls) == 1


def test_a_time_from_the_apps_clock_in_the_future_is_flagged(web, library):
    from datetime import timedelta

    from django.utils import timezone

    episode = library["gappy"].episodes.order_by("episode_number").last()
    url = reverse("library:item", args=["episode", episode.pk])
    type(episode).objects.filter(pk=episode.pk).update(
        last_search_time=timezone.now() - timedelta(hours=1)
    )
    assert "in the future" not in web.get(url).content.decode()
    type(episode).objects.filter(pk=episode.pk).update(
        last_search_time=timezone.now() + timedelta(hours=3)
    )
    assert "in the future: check the app's clock" in web.get(url).content.decode()
