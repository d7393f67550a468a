"""Polling shares its requests: one command list and at most one history read per tick.

Three commands in flight on one connector cost one GET /command per tick; history
is read once when some of them completed, never when none finished.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
import responses

from queueing import dispatch, polling
from queueing.models import RequestQueue
from tests.queueing import engine_helpers as h
from tests.searchstate.builders import NOW

pytestmark = pytest.mark.django_db


def client(conn):
    from queueing.engine import engine_client

    c = engine_client(conn)
    c.http.sleep = lambda s: None
    return c


def three_in_flight():
    conn, _ = h.radarr(3, prof=h.profile(batch_size=1))
    ids = iter(range(101, 200))
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        h.mock_radarr(rsps)
        rsps.remove(responses.POST, h.API + "/command")
        rsps.add_callback(
            responses.POST,
            h.API + "/command",
            callback=lambda req: (201, {}, json.dumps(h.command_json(next(ids), "queued"))),
        )
        for second in range(3):  # one command per dispatch call
            moment = NOW + timedelta(seconds=second)
            dispatch.dispatch_connector(connector=conn, client=client(conn), now=moment)
    entries = list(RequestQueue.objects.filter(connector=conn, status="dispatched"))
    assert len(entries) == 3 and len({e.command_arr_id for e in entries}) == 3
    return conn, entries


def mock_list(rsps, entries, statuses):
    rsps.get(
        h.API + "/command",
        json=[
            h.command_json(e.command_arr_id, status, body=e.payload, message="done")
            for e, status in zip(entries, statuses, strict=True)
        ],
    )
    rsps.get(re.compile(re.escape(h.API) + r"/history/since.*"), json=[])


def paths(rsps) -> list[str]:
    return [c.request.path_url.split("?")[0] for c in rsps.calls]


def test_no_command_finished_costs_one_request_and_no_history():
    conn, entries = three_in_flight()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mock_list(rsps, entries, ["started"] * 3)
        result = polling.poll_connector(
            connector=conn, client=client(conn), now=NOW + timedelta(seconds=30)
        )
        sent = paths(rsps)
    assert result.polled == 3 and result.errors == []
    assert sent == ["/api/v3/command"]


def test_completed_commands_share_one_history_read():
    conn, entries = three_in_flight()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mock_list(rsps, entries, ["completed", "completed", "started"])
        result = polling.poll_connector(
            connector=conn, client=client(conn), now=NOW + timedelta(minutes=1)
        )
        sent = paths(rsps)
    assert result.finished == {"no_results": 2}
    assert sent == ["/api/v3/command", "/api/v3/history/since"]
    left = RequestQueue.objects.filter(connector=conn, status="dispatched")
    assert [e.command_arr_id for e in left] == [entries[2].command_arr_id]


def test_a_command_gone_from_the_list_is_asked_about_alone():
    conn, entries = three_in_flight()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        mock_list(rsps, entries[:2], ["started", "started"])
        gone = entries[2]
        rsps.get(
            f"{h.API}/command/{gone.command_arr_id}",
            json=h.command_json(gone.command_arr_id, "started", body=gone.payload),
        )
        polling.poll_connector(connector=conn, client=client(conn), now=NOW + timedelta(seconds=30))
        sent = paths(rsps)
    assert sent == ["/api/v3/command", f"/api/v3/command/{gone.command_arr_id}"]
