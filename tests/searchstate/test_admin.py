from datetime import timedelta

import pytest
from django.urls import reverse

from content.models import Episode
from queueing.models import RequestQueue, RequestQueueItem
from searchstate.models import Exclusion, PriorityOverride, SearchRegistry
from searchstate.states import SearchState
from tests.searchstate import builders as b
from tests.searchstate.builders import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def rows():
    conn = b.connector()
    show = b.series(conn)
    eps = b.episodes(show, 1, 3)
    return [
        SearchRegistry.objects.create(
            connector=conn,
            episode=e,
            search_type="gap",
            state=SearchState.COOLDOWN,
            attempts=3,
            next_eligible_at=NOW + timedelta(days=1),
        )
        for e in eps
    ]


def act(client, action, rows, **extra):
    url = reverse("admin:searchstate_searchregistry_changelist")
    data = {"action": action, "_selected_action": [r.pk for r in rows], **extra}
    return client.post(url, data, follow=True)


def test_changelist_renders(admin_client, rows):
    url = reverse("admin:searchstate_searchregistry_changelist")
    assert admin_client.get(url).status_code == 200
    for name in ("searchhistory", "acquisition", "exclusion", "seasonpacksearch"):
        assert admin_client.get(reverse(f"admin:searchstate_{name}_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:queueing_requestqueue_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:queueing_sweeprun_changelist")).status_code == 200


def test_exhaust_clear_priority_exclude(admin_client, rows):
    act(admin_client, "mark_exhausted", rows[:1])
    assert SearchRegistry.objects.get(pk=rows[0].pk).state == "exhausted"
    act(admin_client, "clear_state", rows[:2])
    cleared = SearchRegistry.objects.get(pk=rows[1].pk)
    assert (cleared.state, cleared.attempts, cleared.next_eligible_at) == ("pending", 0, None)
    act(admin_client, "set_priority", rows[:1], priority="30")
    assert PriorityOverride.of(Episode.objects.get(pk=rows[0].episode_id)) == 30
    response = act(admin_client, "set_priority", rows[:1], priority="300")
    assert PriorityOverride.of(Episode.objects.get(pk=rows[0].episode_id)) == 30
    assert response.status_code == 200
    act(admin_client, "exclude_items", rows)
    assert Exclusion.objects.count() == 3
    act(admin_client, "include_items", rows[:1])
    assert Exclusion.objects.count() == 2


def test_search_now_is_enqueued_not_run(
    admin_client, rows, django_capture_on_commit_callbacks, monkeypatch
):
    calls = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda *a, **kw: calls.append((a, kw)))
    with django_capture_on_commit_callbacks(execute=True):
        act(admin_client, "search_now", rows)
    assert len(calls) == 1
    args, kwargs = calls[0]
    assert args[0] == "queueing.sweep.sweep_task"
    assert sorted(kwargs["only"]) == sorted(r.episode_id for r in rows)
    assert kwargs["force"] is True
    assert RequestQueue.objects.count() == 0  # nothing ran inside the request


def test_cancel_queue_entry_returns_items_to_pending(admin_client, rows):
    SearchRegistry.objects.update(state=SearchState.QUEUED)
    entry = RequestQueue.objects.create(
        connector=rows[0].connector,
        command="EpisodeSearch",
        payload={"name": "EpisodeSearch", "episodeIds": [1]},
        search_type="gap",
        priority=1,
        scheduled_at=NOW,
    )
    RequestQueueItem.objects.bulk_create([RequestQueueItem(entry=entry, registry=r) for r in rows])
    admin_client.post(
        reverse("admin:queueing_requestqueue_changelist"),
        {"action": "cancel", "_selected_action": [entry.pk]},
    )
    entry.refresh_from_db()
    assert entry.status == "cancelled"
    assert not RequestQueueItem.objects.exists()
    assert set(SearchRegistry.objects.values_list("state", flat=True)) == {"pending"}
