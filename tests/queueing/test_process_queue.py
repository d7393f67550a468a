"""manage.py process_queue against fakearr: one tick, until idle, JSON, bad arguments."""

from __future__ import annotations

import io
import itertools
import json
import time
from collections import Counter
from datetime import timedelta

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


def test_until_idle_with_an_aggressive_custom_profile_completes_a_small_library(
    fakearr_factory, monkeypatch
):
    """Done-when: the aggressive limits, as a user's own profile, fill a small library's gaps
    in one `process_queue --until-idle` run, in well under a few minutes of wall time."""
    from content.models import Movie, SyncRun
    from content.sync import runner
    from queueing.models import ThrottleProfile

    monkeypatch.setattr(process_queue, "POLL_SECONDS", 0.2)
    # Every findable item is found: "completion" is then a property of the engine alone.
    config = SimConfig(grab_probability=1.0, unfindable_fraction=0.0, upgrade_probability=1.0)
    arr = fakearr_factory("radarr", movies=30, seed=5, speed=120, config=config)
    preset = ThrottleProfile.objects.get(name="aggressive")
    limits = {
        f: getattr(preset, f)
        for f in (
            "commands_per_minute",
            "commands_per_hour",
            "min_interval_seconds",
            "interval_jitter_seconds",
            "max_in_flight",
            "daily_budget",
        )
    }
    assert (limits["daily_budget"], limits["commands_per_hour"], limits["max_in_flight"]) == (
        400,
        40,
        2,
    )
    custom = ThrottleProfile.objects.create(name="my aggressive", batch_size=4, **limits)
    connector = h.synced(arr, prof=custom)

    def missing():
        return Movie.objects.filter(
            connector=connector, monitored=True, is_available=True, has_file=False
        ).count()

    assert missing() >= 5
    h.queued(arr, connector)
    started = time.monotonic()
    output = run("--until-idle", "--connector", connector.name)
    elapsed = time.monotonic() - started
    assert output.strip().splitlines()[-1].startswith("idle after "), output
    assert elapsed < 180
    # Within the profile: spacing, in flight, per minute, and nothing searched in vain.
    times = sorted(SearchHistory.objects.values_list("dispatched_at", flat=True))
    assert len(times) >= 2
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
    assert min(gaps) >= limits["min_interval_seconds"] - 0.01
    per_minute = max(sum(1 for t in times if a <= t < a + timedelta(minutes=1)) for a in times)
    assert per_minute <= limits["commands_per_minute"]
    assert arr.futile_searches() == []
    # The downloads import; the next sync sees every gap filled.
    arr.run_until_idle(max_seconds=3600)
    runner.connector_sync(
        connector=connector, kind=SyncRun.Kind.INCREMENTAL, trigger=SyncRun.Trigger.MANUAL
    )
    assert missing() == 0
