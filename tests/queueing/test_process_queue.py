"""manage.py process_queue against fakearr: one tick, until idle, JSON, bad arguments."""

from __future__ import annotations

import io
import json
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from queueing.management.commands import process_queue
from queueing.models import RequestQueue
from searchstate.models import SearchHistory
from tests.fakearr.simulation import SimConfig
from tests.queueing import engine_helpers as h

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def run(*args) -> str:
    out = io.StringIO()
    call_command("process_queue", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def library(fakearr_factory, monkeypatch):
    monkeypatch.setattr(process_queue, "POLL_SECONDS", 0.2)
    # speed=120: a simulated command (a few seconds) ends within a wall-clock tick.
    arr = fakearr_factory("radarr", movies=30, seed=2, speed=120, config=SimConfig())
    connector = h.synced(arr, prof=h.profile(batch_size=4, max_in_flight=3))
    entries = h.queued(arr, connector)
    return arr, connector, entries


def test_once_dispatches_within_limits_and_prints_a_progress_line(library):
    arr, _connector, _entries = library
    output = run("--once")
    assert output.startswith("tick 1: dispatched 3,")  # max_in_flight 3
    assert RequestQueue.objects.filter(status="dispatched").count() == 3
    assert len(arr.commands_received) == 3


def test_until_idle_drives_the_queue_to_completion(library):
    arr, connector, entries = library
    output = run("--until-idle", "--connector", connector.name)
    lines = output.strip().splitlines()
    assert lines[-1].startswith("idle after ")
    assert all(line.startswith("tick ") for line in lines[:-1])
    assert not RequestQueue.objects.filter(status__in=["queued", "dispatched"]).exists()
    assert SearchHistory.objects.count() == entries
    searched = Counter(i for r in arr.commands_received for i in r.items)
    assert max(searched.values()) == 1
    assert arr.max_commands_in_window(60) <= 600


def test_json_lines(library):
    output = run("--until-idle", "--json")
    rows = [json.loads(line) for line in output.strip().splitlines()]
    assert rows[0]["tick"] == 1 and rows[0]["dispatched"] == 3
    assert rows[-1]["done"].startswith("idle") and rows[-1]["totals"]["dispatched"] > 0


def test_until_idle_stops_when_only_the_budget_is_left(fakearr_factory):
    arr = fakearr_factory("radarr", movies=12, seed=2, speed=120)
    connector = h.synced(arr, prof=h.profile(batch_size=1, daily_budget=2, max_in_flight=5))
    h.queued(arr, connector)
    output = run("--until-idle")
    assert "daily budget" in output.strip().splitlines()[-1]
    assert len(arr.commands_received) == 2


def test_bad_arguments(fakearr_factory):
    with pytest.raises(CommandError, match="No connector named 'nope'"):
        run("--connector", "nope")
    with pytest.raises(CommandError):
        run("--once", "--until-idle")
    arr = fakearr_factory("radarr", movies=2)
    connector = h.synced(arr)
    connector.enabled = False
    connector.save()
    with pytest.raises(CommandError, match="disabled"):
        run("--connector", connector.name)
