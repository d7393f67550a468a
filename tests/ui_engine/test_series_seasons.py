"""The series page's Seasons card: coverage, states, the pack decision in words, season actions."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from searchstate.models import SearchRegistry, SearchSettings
from tests.searchstate import builders
from tests.ui_engine.conftest import make_entry

pytestmark = pytest.mark.django_db


def exhaust(episodes, connector) -> None:
    for ep in episodes:
        SearchRegistry.objects.create(
            connector=connector, search_type="gap", episode=ep, state="exhausted", attempts=5
        )


@pytest.fixture
def expanse(sonarr):
    show = builders.series(sonarr, "The Expanse")
    eps = {
        1: builders.episodes(show, 1, 10, has_file=10),
        2: builders.episodes(show, 2, 10, has_file=1),
        3: builders.episodes(show, 3, 10, has_file=8),
        4: builders.episodes(show, 4, 4),
        5: builders.episodes(show, 5, 6),
        0: builders.episodes(show, 0, 2),
    }
    later = timezone.now() + timedelta(days=3)
    builders.episodes(show, 4, 2, aired=later, episode_number=None)
    exhaust(eps[5], sonarr)
    return {"show": show, "eps": eps}


def seasons_card(web, show) -> str:
    body = web.get(reverse("library:series", args=[show.pk])).content.decode()
    card = body.split('id="seasons"', 1)[1].split('id="episodes"', 1)[0]
    return re.sub(r"\s+", " ", card)


def words(html: str) -> str:
    """The text a screen reader reads: tags dropped, spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def row(card: str, number: int) -> str:
    return card.split(f'id="season-{number}"', 1)[1].split("</tr>", 1)[0]


def test_one_row_per_season_specials_last(web, expanse):
    card = seasons_card(web, expanse["show"])
    order = [int(n) for n in re.findall(r'id="season-(-?\d+)"', card)]
    assert order == [1, 2, 3, 4, 5, 0]
    assert ">Specials</a>" in row(card, 0)


def test_coverage_counts_and_accessible_bar(web, expanse):
    card = seasons_card(web, expanse["show"])
    two = row(card, 2)
    assert 'aria-label="Season 2: 1 of 10 episodes have a file"' in two
    assert 'data-pct="10"' in two and "1 / 10 with a file" in two
    assert "9 missing</span>" in two
    assert "4 missing · 2 not aired</span>" in row(card, 4)
    assert "season-gaps" not in row(card, 1)  # complete: nothing to list


def test_pack_decision_in_words(web, expanse):
    card = seasons_card(web, expanse["show"])
    assert "Nothing missing" in words(row(card, 1))
    assert (
        "Searched as a season pack: 9 of 10 episodes missing "
        "(threshold: 5 episodes or 50% of the season)"
    ) in words(row(card, 2))
    assert 'data-plan="pack"' in row(card, 2)
    assert "Episodes one by one: 2 of 10 episodes missing, below the pack threshold" in words(
        row(card, 3)
    )
    assert "Episodes one by one: the season is still airing (2 not aired yet)" in words(
        row(card, 4)
    )
    assert "Nothing to search now: 6 exhausted" in words(row(card, 5))
    assert "Episodes one by one: specials are never searched as a pack" in words(row(card, 0))


def test_thresholds_come_from_the_connectors_settings(web, sonarr, expanse):
    SearchSettings.objects.create(connector=sonarr, pack_min_missing=10, pack_min_ratio=0.95)
    card = seasons_card(web, expanse["show"])
    assert "10 episodes or 95% of the season" in card
    assert "9 of 10 episodes missing, below the pack threshold" in row(card, 2)


def test_state_counts_per_season_and_browser_links(web, sonarr, expanse):
    make_entry(sonarr, items=expanse["eps"][3][8:])  # the two missing episodes of season 3
    card = seasons_card(web, expanse["show"])
    assert "6 exhausted" in row(card, 5)
    assert "2 queued" in row(card, 3)
    assert "Held back: 2 queued or being searched" not in row(card, 3)  # nothing left to search
    assert "Nothing to search now" in row(card, 3)
    link = re.search(r'href="([^"]*state=exhausted[^"]*)">6 exhausted</a>', card)
    assert link and "q=The+Expanse" in link.group(1) and "type=episodes" in link.group(1)


def test_whole_series_search_is_announced(web, sonarr):
    show = builders.series(sonarr, "Firefly")
    builders.episodes(show, 1, 6)
    builders.episodes(show, 2, 6)
    card = seasons_card(web, show)
    assert "the next sweep searches the whole series at once" in card


def test_no_seasons_yet(web, sonarr):
    show = builders.series(sonarr, "Brand New")
    assert "No seasons mirrored yet." in seasons_card(web, show)


def _page_queries(web, show, django_assert_max_num_queries) -> int:
    web.get(reverse("library:series", args=[show.pk]))
    with django_assert_max_num_queries(40) as captured:
        response = web.get(reverse("library:series", args=[show.pk]))
    assert response.status_code == 200
    return len(captured)


def test_queries_do_not_grow_with_seasons(web, sonarr, django_assert_max_num_queries):
    # Each season: one file, one exhausted (or cooling down) and one episode to search.
    one = builders.series(sonarr, "One Season")
    exhaust(builders.episodes(one, 1, 3, has_file=1)[1:2], sonarr)
    many = builders.series(sonarr, "Twenty Seasons")
    for number in range(1, 21):
        exhaust(builders.episodes(many, number, 3, has_file=1)[1:2], sonarr)
    SearchRegistry.objects.filter(episode__series=many, episode__season_number=7).update(
        state="cooldown",
        failure_category="no_results",
        next_eligible_at=timezone.now() + timedelta(days=1),
    )
    single = _page_queries(web, one, django_assert_max_num_queries)
    twenty = _page_queries(web, many, django_assert_max_num_queries)
    assert twenty == single
    card = seasons_card(web, many)
    assert card.count("season-actions") == 20
    assert "1 cooldown" in row(card, 7) and "1 exhausted" in row(card, 8)
    assert "1 of 3 episodes missing, below the pack threshold" in row(card, 20)


# --- actions ---------------------------------------------------------------------------------


def act(web, show, action, season, **extra):
    return web.post(
        reverse("library:season_action", args=[show.pk]),
        {"action": action, "season": season, **extra},
        follow=True,
    )


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_reset_a_season_in_one_action(web, expanse):
    response = act(web, expanse["show"], "reset", "5")
    assert "Reset 6 episodes of Season 5" in text(response)
    states = SearchRegistry.objects.filter(episode__in=expanse["eps"][5]).values_list(
        "state", flat=True
    )
    assert set(states) == {"pending"}
    assert "Nothing to reset in Season 5" in text(act(web, expanse["show"], "reset", "5"))


def test_mark_a_season_exhausted(web, expanse):
    response = act(web, expanse["show"], "exhaust", "3")
    assert "Marked 2 episodes of Season 3 exhausted" in text(response)
    rows = SearchRegistry.objects.filter(episode__series=expanse["show"], episode__season_number=3)
    assert sorted(rows.values_list("state", flat=True)) == ["exhausted", "exhausted"]
    assert "Nothing to mark in Season 1" in text(act(web, expanse["show"], "exhaust", "1"))


@pytest.fixture
def async_calls(monkeypatch):
    calls = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda *a, **kw: calls.append((a, kw)))
    return calls


def test_search_season_now_ignores_exhaustion(
    web, sonarr, expanse, async_calls, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = act(web, expanse["show"], "search", "5")
    assert "Search queued for 6 episodes of Season 5 (as a season pack)" in text(response)
    assert async_calls == [
        (
            ("queueing.sweep.sweep_task", sonarr.pk),
            {
                "only": sorted(e.pk for e in expanse["eps"][5]),
                "force": True,
                "trigger": "manual",
            },
        )
    ]


def test_search_season_now_says_what_is_already_queued(
    web, sonarr, expanse, async_calls, django_capture_on_commit_callbacks
):
    missing = expanse["eps"][2][1:]
    entry = make_entry(sonarr, items=missing[:3])
    with django_capture_on_commit_callbacks(execute=True):
        response = act(web, expanse["show"], "search", "2")
    body = text(response)
    assert "Search queued for 6 episodes of Season 2" in body
    assert "3 more episodes already waiting in <a href=" in body
    assert f"queue entry #{entry.pk}</a> (queued)" in body
    assert async_calls[0][1]["only"] == sorted(e.pk for e in missing[3:])
    make_entry(sonarr, items=missing[3:])
    async_calls.clear()
    with django_capture_on_commit_callbacks(execute=True):
        body = text(act(web, expanse["show"], "search", "2"))
    entry_url = reverse("queueing:entry_detail", args=[entry.pk])
    assert (
        f'Already queued: <a href="{entry_url}">queue entry #{entry.pk}</a> (queued) '
        "covers 9 episodes of Season 2; no second search was planned." in body
    )
    assert async_calls == []


def test_search_a_season_with_nothing_to_search(web, expanse, async_calls):
    body = text(act(web, expanse["show"], "search", "1"))
    assert "Nothing to search in Season 1" in body
    assert async_calls == []


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "season", "message"),
    [
        ("drop table", "2", "Unknown season action."),
        ("", "2", "Unknown season action."),
        ("reset", "x", "The season must be a whole number, not “x”."),
        ("reset", "", "The season must be a whole number, not “”."),
        ("reset", "2.5", "The season must be a whole number"),
        ("reset", "99999999999999999999", "The season must be a whole number"),
        ("reset", "<script>", "The season must be a whole number, not “&lt;script&gt;”."),
        ("reset", "99", "The Expanse has no season 99."),
        ("reset", "-1", "The Expanse has no season -1."),
    ],
)
def test_bad_input_gets_a_clear_message(web, expanse, action, season, message):
    response = act(web, expanse["show"], action, season)
    assert response.status_code == 200
    assert message in text(response)
    assert SearchRegistry.objects.exclude(state="exhausted").count() == 0


def test_unknown_series_is_404_and_get_is_refused(web, expanse):
    url = reverse("library:season_action", args=[999999])
    assert web.post(url, {"action": "reset", "season": "1"}).status_code == 404
    url = reverse("library:season_action", args=[expanse["show"].pk])
    assert web.get(url, {"action": "reset", "season": "5"}).status_code == 405


def test_login_and_csrf_are_required(client, expanse):
    url = reverse("library:season_action", args=[expanse["show"].pk])
    response = client.post(url, {"action": "reset", "season": "5"})
    assert response.status_code == 302 and "login" in response["Location"]
    user = get_user_model().objects.create_user("csrf", password="pw-for-csrf-test")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    assert strict.post(url, {"action": "reset", "season": "5"}).status_code == 403
    assert set(SearchRegistry.objects.values_list("state", flat=True)) == {"exhausted"}


def test_the_words_agree_with_the_next_sweep(sonarr, expanse):
    from queueing.sweep import sweep_connector
    from searchstate.season_plans import series_plans

    result = sweep_connector(connector=sonarr, dry_run=True, downloading=frozenset())
    plans = series_plans(expanse["show"]).seasons
    packs = {e.season_number for e in result.plan.entries if e.command == "SeasonSearch"}
    assert packs == {n for n, p in plans.items() if p.plan == "pack"} == {2}
    one_by_one = {
        c.season_number
        for e in result.plan.entries
        if e.command == "EpisodeSearch"
        for c in e.items
    }
    assert one_by_one == {n for n, p in plans.items() if p.plan == "episodes"} == {0, 3, 4}
