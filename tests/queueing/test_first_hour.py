"""A new connector's first hour: its first sync starts at once, its first sweep right after.

Adding a connector (pages or manage.py; both go through post_save) enqueues a full
sync when the row commits; the first successful sync of a never-swept connector
enqueues its gap schedules at once; the connector page says what happens next.
"""

from __future__ import annotations

import re
from io import StringIO

import pytest
import responses
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from comradarr import events
from connectors.models import Connector
from content.models import SyncRun, SyncState
from queueing.models import SweepRun, SweepSchedule
from tests.connectors.arr_stubs import stub_app
from tests.searchstate import builders as b

pytestmark = pytest.mark.django_db

BASE = "http://sonarr.test:8989"
KEY = "0123456789abcdef0123456789abcdef"
FIRST_SYNC = ("content.tasks.sync_connector", "full", "manual")


@pytest.fixture
def tasks(monkeypatch):
    import django_q.tasks

    calls: list[tuple] = []
    monkeypatch.setattr(django_q.tasks, "async_task", lambda *a, **kw: calls.append(a))
    return calls


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def _sync_calls(calls, connector):
    return [c for c in calls if c[0] == FIRST_SYNC[0] and c[1] == connector.pk]


def test_adding_through_manage_py_enqueues_the_first_sync(
    rsps, tasks, django_capture_on_commit_callbacks
):
    stub_app(rsps, BASE, api_key=KEY)
    with django_capture_on_commit_callbacks(execute=True):
        args = ["add", "--kind", "sonarr", "--name", "S", "--url", BASE, "--api-key", KEY]
        call_command("connectors", *args, stdout=StringIO(), stderr=StringIO())
    conn = Connector.objects.get()
    assert _sync_calls(tasks, conn) == [(FIRST_SYNC[0], conn.pk, FIRST_SYNC[1], FIRST_SYNC[2])]


def test_adding_through_the_page_enqueues_the_first_sync(
    client, rsps, tasks, django_capture_on_commit_callbacks
):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_user("admin", password="x" * 20))
    stub_app(rsps, BASE, api_key=KEY)
    form = {
        "kind": "sonarr",
        "name": "Sonarr",
        "url": BASE,
        "api_key": KEY,
        "verify_ssl": "on",
        "timeout_seconds": "30",
        "sync_now": "on",  # "Sync now", ticked by default on the add page
        "action": "save",
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("connectors:add"), form).status_code == 302
    conn = Connector.objects.get()
    assert len(_sync_calls(tasks, conn)) == 1
    page = client.get(reverse("connectors:detail", args=[conn.pk])).content.decode()
    assert "What happens next" in page
    assert "The first library sync was queued when the connector was added." in page


def _sign_in(client) -> None:
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_user("admin", password="x" * 20))


def test_the_add_page_offers_sync_now_ticked_and_edit_does_not(client):
    _sign_in(client)
    add = client.get(reverse("connectors:add")).content.decode()
    assert re.search(r'<input type="checkbox" name="sync_now"[^>]*\bchecked\b', add)
    assert "Sync now" in add
    conn = b.connector()
    edit = client.get(reverse("connectors:edit", args=[conn.pk])).content.decode()
    assert 'name="sync_now"' not in edit


def test_unticking_sync_now_saves_without_a_first_sync(
    client, rsps, tasks, django_capture_on_commit_callbacks
):
    _sign_in(client)
    stub_app(rsps, BASE, api_key=KEY)
    form = {
        "kind": "sonarr",
        "name": "Sonarr",
        "url": BASE,
        "api_key": KEY,
        "verify_ssl": "on",
        "timeout_seconds": "30",
        "action": "save",
    }  # no "sync_now": an unticked box is not sent
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("connectors:add"), form).status_code == 302
    conn = Connector.objects.get()
    assert _sync_calls(tasks, conn) == []
    assert SweepSchedule.objects.filter(connector=conn).count() == 2  # schedules still made


def test_a_disabled_connector_is_not_synced_and_an_update_syncs_nothing(
    tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        conn = b.connector(enabled=False)
        conn.name = "renamed"
        conn.save()
    assert _sync_calls(tasks, conn) == []


def _succeed(conn) -> SyncRun:
    now = timezone.now()
    run = SyncRun.objects.create(
        connector=conn,
        trigger="manual",
        kind="full",
        status=SyncRun.Status.SUCCEEDED,
        started_at=now,
        finished_at=now,
    )
    SyncState.objects.update_or_create(connector=conn, defaults={"last_success_at": now})
    return run


def _sweep_calls(calls):
    return [c for c in calls if c[0] == "queueing.tasks.sweep_schedule"]


def test_first_successful_sync_starts_the_gap_sweep_at_once(
    tasks, django_capture_on_commit_callbacks
):
    conn = b.connector()
    gaps = SweepSchedule.objects.get(connector=conn, kind="gaps")
    with django_capture_on_commit_callbacks(execute=True):
        events.emit(events.sync_completed, connector=conn, run=_succeed(conn))
    assert _sweep_calls(tasks) == [("queueing.tasks.sweep_schedule", gaps.pk)]
    tasks.clear()
    with django_capture_on_commit_callbacks(execute=True):  # the second sync: schedules decide
        events.emit(events.sync_completed, connector=conn, run=_succeed(conn))
    assert _sweep_calls(tasks) == []


def test_a_connector_already_swept_waits_for_its_schedule(
    tasks, django_capture_on_commit_callbacks
):
    conn = b.connector()
    SweepRun.objects.create(connector=conn, started_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        events.emit(events.sync_completed, connector=conn, run=_succeed(conn))
    assert _sweep_calls(tasks) == []


def test_connector_page_says_what_happens_after_the_first_sync(client):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_user("admin", password="x" * 20))
    conn = b.connector()
    url = reverse("connectors:detail", args=[conn.pk])
    page = client.get(url).content.decode()
    assert "starts as soon as that sync succeeds" in page
    _succeed(conn)
    page = client.get(url).content.decode()
    assert "The first search for missing items is queued" in page
    assert "Next scheduled search for missing items" in page
    SweepRun.objects.create(connector=conn, started_at=timezone.now())
    page = client.get(url).content.decode()
    assert "is queued" not in page
    Connector.objects.filter(pk=conn.pk).update(enabled=False)
    page = client.get(url).content.decode()
    assert "Disabled: nothing is synced or searched" in page


# --- the dashboard: what happens next for a connector that has not searched yet ---------


def _login(client):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_user("admin", password="x" * 20))


def _queued(conn, at=None):
    from queueing.models import RequestQueue

    return RequestQueue.objects.create(
        connector=conn,
        command="EpisodeSearch",
        payload={"name": "EpisodeSearch", "episodeIds": [1]},
        search_type="gap",
        status=RequestQueue.Status.QUEUED,
        priority=1,
        scheduled_at=at or timezone.now(),
    )


def _panel(page: str, conn) -> str:
    start = page.find(f'data-new-connector="{conn.pk}"')
    return page[start : page.find("</section>", start)] if start >= 0 else ""


def test_dashboard_says_the_first_sync_is_queued_then_when_the_first_search_goes(client):
    from datetime import timedelta

    from queueing.models import DispatchLog

    _login(client)
    conn = b.connector(name="New Sonarr")
    panel = _panel(client.get(reverse("dashboard")).content.decode(), conn)
    assert "What happens next for" in panel and "New Sonarr" in panel
    assert "The first library sync was queued when the connector was added." in panel
    _succeed(conn)
    panel = _panel(client.get(reverse("dashboard")).content.decode(), conn)
    assert "The first search for missing items is queued" in panel
    assert "First search expected" in panel
    SweepRun.objects.create(connector=conn, started_at=timezone.now())
    _queued(conn)
    panel = _panel(client.get(reverse("dashboard")).content.decode(), conn)
    assert "First search expected" in panel and "<time datetime=" in panel
    DispatchLog.objects.create(connector=conn, dispatched_at=timezone.now())
    page = client.get(reverse("dashboard")).content.decode()
    assert _panel(page, conn) == ""  # searching has started: no longer new
    old = b.connector(name="Old")
    Connector.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    assert _panel(client.get(reverse("dashboard")).content.decode(), old) == ""


def test_first_search_expected_follows_the_tick_and_the_throttle():
    from datetime import UTC, datetime, timedelta

    from queueing.models import ConnectorThrottle, RequestQueue
    from queueing.next_steps import first_search_at

    now = datetime(2026, 6, 1, 12, 0, 30, tzinfo=UTC)
    conn = b.connector()
    # Not swept yet: the sweep's tick, then the dispatch tick.
    assert first_search_at(conn, swept=False, now=now) == now.replace(second=0) + timedelta(
        minutes=2
    )
    # Swept with nothing queued: nothing can be told.
    assert first_search_at(conn, swept=True, now=now) is None
    _queued(conn, at=now)
    assert first_search_at(conn, swept=True, now=now) == now.replace(second=0) + timedelta(
        minutes=1
    )
    throttle, _ = ConnectorThrottle.objects.get_or_create(connector=conn)
    throttle.next_dispatch_at = now + timedelta(minutes=10)
    throttle.save()
    assert first_search_at(conn, swept=True, now=now) == now.replace(second=0) + timedelta(
        minutes=11
    )
    RequestQueue.objects.filter(connector=conn).update(scheduled_at=now + timedelta(minutes=30))
    assert first_search_at(conn, swept=True, now=now) == now.replace(second=0) + timedelta(
        minutes=31
    )
    throttle.paused = True
    throttle.save()
    assert first_search_at(conn, swept=True, now=now) is None
