"""Bulk actions of the content browser: selections, filters, confirmation, background run."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from searchstate.models import Exclusion, PriorityOverride, SearchRegistry
from tests.searchstate import builders
from web import bulk
from web.models import BulkRun

pytestmark = pytest.mark.django_db

URL = reverse("library:bulk")


def exhausted(show, count):
    eps = builders.episodes(show, 1, count)
    SearchRegistry.objects.bulk_create(
        SearchRegistry(
            connector_id=show.connector_id,
            search_type="gap",
            episode=e,
            state="exhausted",
            attempts=10,
        )
        for e in eps
    )
    return eps


@pytest.fixture
def zoo(sonarr):
    return builders.series(sonarr, "Zoo")


def post(web, connector, **data):
    values = {"connector": connector.pk, "type": "episodes", **data}
    return web.post(URL, values, follow=True)


def states(eps):
    return set(SearchRegistry.objects.filter(episode__in=eps).values_list("state", flat=True))


def test_reset_of_selected_rows_changes_their_state(web, sonarr, zoo):
    eps = exhausted(zoo, 4)
    response = post(web, sonarr, action="reset", ids=[e.pk for e in eps[:3]], state="exhausted")
    assert "Search state reset for 3 of 3 episodes" in response.content.decode()
    assert states(eps[:3]) == {"pending"} and states(eps[3:]) == {"exhausted"}
    assert response.redirect_chain[-1][0].startswith(reverse("library:list") + "?connector=")
    assert "state=exhausted" in response.redirect_chain[-1][0]


@pytest.mark.parametrize(
    ("action", "check"),
    [
        ("exhaust", lambda eps: states(eps) == {"exhausted"}),
        ("exclude", lambda eps: Exclusion.objects.filter(episode__in=eps).count() == 2),
        (
            "priority",
            lambda eps: set(PriorityOverride.objects.values_list("priority", flat=True)) == {42},
        ),
    ],
)
def test_each_action_goes_through_the_service(web, sonarr, zoo, action, check):
    eps = builders.episodes(zoo, 1, 2)
    response = post(web, sonarr, action=action, ids=[e.pk for e in eps], priority="42")
    assert response.status_code == 200
    assert check(eps)


def test_search_now_is_one_forced_sweep_for_every_row(
    web, sonarr, zoo, monkeypatch, django_capture_on_commit_callbacks
):
    calls = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda *a, **kw: calls.append((a, kw)))
    eps = builders.episodes(zoo, 1, 5)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(web, sonarr, action="search", ids=[e.pk for e in eps])
    assert "Search queued for 5 episodes" in response.content.decode()
    assert len(calls) == 1
    assert sorted(calls[0][1]["only"]) == sorted(e.pk for e in eps)


def test_ids_of_another_connector_or_nonexistent_are_skipped(web, sonarr, zoo):
    other = builders.connector("Other", "sonarr")
    theirs = exhausted(builders.series(other, "Theirs"), 2)
    mine = exhausted(zoo, 1)
    ids = [mine[0].pk, theirs[0].pk, theirs[1].pk, 999_999, "abc", "1 OR 1=1"]
    response = post(web, sonarr, action="reset", ids=ids)
    body = response.content.decode()
    assert "5 selected value(s) are not episodes of Living room: skipped." in body
    assert states(mine) == {"pending"} and states(theirs) == {"exhausted"}


def test_only_foreign_ids_change_nothing(web, sonarr, zoo):
    other = builders.connector("Other", "sonarr")
    theirs = exhausted(builders.series(other, "Theirs"), 1)
    response = post(web, sonarr, action="reset", ids=[theirs[0].pk])
    assert "No rows selected; nothing changed." in response.content.decode()
    assert states(theirs) == {"exhausted"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "drop table"}, "choose an action"),
        ({"action": ""}, "choose an action"),
        ({"action": "priority", "priority": "101"}, "The highest priority is 100."),
        ({"action": "priority", "priority": "soon"}, "Enter a whole number"),
        ({"action": "reset", "type": "series"}, "apply to episodes or movies"),
        ({"action": "reset"}, "No rows selected"),
        ({"action": "reset", "scope": "matching", "q": "nothing like this"}, "Nothing matches"),
    ],
)
def test_bad_forms_are_explained_and_change_nothing(web, sonarr, zoo, data, message):
    eps = exhausted(zoo, 2)
    values = {"ids": [e.pk for e in eps] if "No rows" not in message else [], **data}
    response = post(web, sonarr, **values)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert states(eps) == {"exhausted"}


@pytest.mark.parametrize("connector", ["999999", "abc", ""])
def test_unknown_connector_changes_nothing(web, sonarr, zoo, connector):
    eps = exhausted(zoo, 1)
    response = web.post(URL, {"connector": connector, "action": "reset", "ids": [eps[0].pk]})
    assert response.status_code == 302
    assert states(eps) == {"exhausted"}


def test_small_match_is_done_at_once(web, sonarr, zoo):
    eps = exhausted(zoo, 3)
    builders.episodes(builders.series(sonarr, "Untouched"), 1, 2)
    response = post(web, sonarr, action="reset", scope="matching", state="exhausted", q="zoo")
    assert "Search state reset for 3 of 3 episodes" in response.content.decode()
    assert states(eps) == {"pending"}


def test_large_match_is_confirmed_then_run_by_one_task(
    web, sonarr, zoo, monkeypatch, django_capture_on_commit_callbacks
):
    eps = exhausted(zoo, bulk.INLINE_LIMIT + 30)
    other = exhausted(builders.series(sonarr, "Other show"), 3)
    calls = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda *a, **kw: calls.append((a, kw)))
    monkeypatch.setattr(bulk, "CHUNK", 50)
    form = {"action": "reset", "scope": "matching", "state": "exhausted", "q": "Zoo"}
    response = post(web, sonarr, **form)
    body = response.content.decode()
    assert "Reset search state: 130 episodes?" in body
    assert 'name="confirm" value="yes"' in body
    assert states(eps) == {"exhausted"} and not BulkRun.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = post(web, sonarr, confirm="yes", **form)
    run = BulkRun.objects.get()
    assert response.redirect_chain[-1][0] == reverse("library:bulk_run", args=[run.pk])
    assert calls == [(("web.bulk.bulk_task", run.pk), {"task_name": f"bulk reset {run.pk}"})]
    assert run.total == 130 and run.status == "running"
    assert "0 of 130 items processed" in response.content.decode()
    assert 'hx-trigger="every 2s"' in response.content.decode()
    bulk.bulk_task(run.pk)
    run.refresh_from_db()
    assert (run.status, run.done, run.changed) == ("succeeded", 130, 130)
    assert states(eps) == {"pending"} and states(other) == {"exhausted"}
    fragment = web.get(reverse("library:bulk_run", args=[run.pk]), HTTP_HX_REQUEST="true")
    text = fragment.content.decode()
    assert "130 of 130 items processed" in text and "every 2s" not in text
    bulk.bulk_task(run.pk)  # a second delivery of the task does nothing
    run.refresh_from_db()
    assert run.done == 130


def test_large_search_enqueues_one_sweep(
    sonarr, zoo, monkeypatch, django_capture_on_commit_callbacks
):
    eps = exhausted(zoo, 120)
    calls = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda *a, **kw: calls.append((a, kw)))
    monkeypatch.setattr(bulk, "CHUNK", 50)
    run = BulkRun.objects.create(
        connector=sonarr,
        action="search",
        params={"type": "episodes", "state": "exhausted"},
        total=120,
        started_at=zoo.created_at,
    )
    with django_capture_on_commit_callbacks(execute=True):
        bulk.bulk_task(run.pk)
    assert len(calls) == 1 and sorted(calls[0][1]["only"]) == sorted(e.pk for e in eps)


def test_matching_count_endpoint(web, sonarr, zoo):
    exhausted(zoo, 7)
    url = reverse("library:bulk_count")
    body = web.get(url, {"connector": sonarr.pk, "type": "episodes", "state": "exhausted"})
    assert body.content.decode().strip() == "7"
    assert web.get(url, {"connector": "x'"}).content.decode() == "?"


def test_list_page_offers_selection_and_the_count(web, sonarr, zoo):
    exhausted(zoo, 3)
    body = web.get(reverse("library:list"), {"type": "episodes"}).content.decode()
    assert body.count('name="ids"') == 3
    assert 'data-bulk-all aria-label="Select every row on this page"' in body
    assert reverse("library:bulk_count") + "?connector=" in body
    assert "js/library-bulk.js" in body


def test_bulk_needs_login_and_csrf(client, sonarr, zoo):
    eps = exhausted(zoo, 1)
    response = client.post(URL, {"connector": sonarr.pk, "action": "reset", "ids": [eps[0].pk]})
    assert response.status_code == 302 and "login" in response["Location"]
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(get_user_model().objects.create_user("u", password="pw-long-enough-1"))
    response = strict.post(URL, {"connector": sonarr.pk, "action": "reset", "ids": [eps[0].pk]})
    assert response.status_code == 403
    assert states(eps) == {"exhausted"}


def test_inline_bulk_costs_a_fixed_number_of_queries(
    web, sonarr, zoo, django_assert_max_num_queries
):
    eps = exhausted(zoo, 50)
    with django_assert_max_num_queries(12):
        web.post(
            URL,
            {
                "connector": sonarr.pk,
                "type": "episodes",
                "action": "reset",
                "ids": [e.pk for e in eps],
            },
        )
    assert states(eps) == {"pending"}
