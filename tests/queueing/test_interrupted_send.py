"""A search whose POST lost its answer (timeout, cut answer) is recovered at the next
tick, by asking the app's recent commands as crash recovery does, and shows as
"recovering" meanwhile."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
import responses
from django.contrib.auth import get_user_model
from django.urls import reverse

from queueing import dispatch, polling
from queueing.models import ConnectorThrottle, RequestQueue
from searchstate.models import SearchHistory
from tests.queueing import engine_helpers as h
from tests.searchstate.builders import NOW

pytestmark = pytest.mark.django_db

#: The engine ticks every minute: the tick after the interrupted send.
NEXT_TICK = NOW + timedelta(minutes=1)


def client(conn):
    from queueing.engine import engine_client

    c = engine_client(conn)
    c.http.sleep = lambda s: None
    return c


def interrupted_send(rsps, error):
    conn, _ = h.radarr(2, prof=h.profile(), timeout_seconds=60)
    rsps.get(h.API + "/queue/status", json={"totalCount": 0})
    rsps.post(h.API + "/command", body=error)
    result = dispatch.dispatch_connector(connector=conn, client=client(conn), now=NOW)
    assert result.errors and result.dispatched == 0
    entry = RequestQueue.objects.get()
    assert entry.status == "dispatched" and entry.command_arr_id is None
    assert entry.is_recovering
    # The pause after the error is over by the next tick.
    ConnectorThrottle.objects.filter(connector=conn).update(paused_until=None)
    return conn, entry


@responses.activate
@pytest.mark.parametrize(
    "error",
    [requests.exceptions.ReadTimeout("slow"), requests.exceptions.ChunkedEncodingError("cut")],
    ids=["timeout", "cut answer"],
)
def test_the_command_the_app_queued_is_found_at_the_next_tick(error):
    conn, entry = interrupted_send(responses, error)
    responses.get(
        h.API + "/command",
        json=[h.command_json(55, "started", body=entry.payload, queued="2026-11-26T12:00:05Z")],
    )
    responses.get(h.API + "/command/55", json=h.command_json(55, "started", body=entry.payload))
    result = polling.poll_connector(connector=conn, client=client(conn), now=NEXT_TICK)
    assert result.recovered == 1
    entry.refresh_from_db()
    assert entry.status == "dispatched" and entry.command_arr_id == 55
    assert not entry.is_recovering
    assert SearchHistory.objects.get().command_arr_id == 55


@responses.activate
def test_a_command_the_app_never_got_is_queued_again_at_the_next_tick():
    conn, entry = interrupted_send(responses, requests.exceptions.ReadTimeout("slow"))
    responses.get(h.API + "/command", json=[])
    result = polling.poll_connector(connector=conn, client=client(conn), now=NEXT_TICK)
    assert result.requeued == 1
    entry.refresh_from_db()
    assert entry.status == "queued" and entry.command_arr_id is None
    assert SearchHistory.objects.get().outcome == "connector_error"


@responses.activate
def test_recovery_waits_a_moment_so_a_fast_loop_does_not_ask_too_early():
    conn, entry = interrupted_send(responses, requests.exceptions.ReadTimeout("slow"))
    calls = len(responses.calls)
    result = polling.poll_connector(
        connector=conn, client=client(conn), now=NOW + timedelta(seconds=5)
    )
    assert result.recovered == 0 and result.requeued == 0
    assert len(responses.calls) == calls  # the app was not asked yet
    entry.refresh_from_db()
    assert entry.is_recovering


@responses.activate
def test_a_worker_that_may_still_be_posting_is_not_recovered_early():
    conn, _ = h.radarr(1, prof=h.profile(), timeout_seconds=60)
    entry = dispatch.claim_next(connector=conn, now=NOW).entry  # no POST yet, no error
    assert not entry.is_recovering
    result = polling.poll_connector(connector=conn, client=client(conn), now=NEXT_TICK)
    assert result.recovered == 0 and result.requeued == 0
    assert len(responses.calls) == 0


@pytest.fixture
def web(client):
    client.force_login(get_user_model().objects.create_user("admin", password="x" * 20))
    return client


@responses.activate
def test_the_queue_page_shows_the_entry_as_recovering(web):
    _, entry = interrupted_send(responses, requests.exceptions.ReadTimeout("slow"))
    body = web.get(reverse("queueing:queue")).content.decode()
    assert "recovering" in body
    detail = web.get(reverse("queueing:entry_detail", args=[entry.pk])).content.decode()
    assert "recovering" in detail
