"""Counters recorded from a real sweep, dispatch, outcomes and acquisitions against fakearr."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.db.models import Sum

from analytics import recording
from analytics.models import ConnectorStat, LibrarySnapshot
from content.models import SyncRun
from content.sync import runner
from queueing.engine import run_tick
from searchstate.models import Acquisition, SearchHistory, SearchRegistry, SearchSettings
from tests.queueing import engine_helpers as h

pytestmark = pytest.mark.django_db


def _totals(connector) -> dict:
    fields = [
        "commands",
        "items_searched",
        "estimated_queries",
        "grabbed",
        "no_results",
        "acquired_ours",
        "acquired_rss",
        "exhausted",
        "gaps_discovered",
        "api_requests",
        "queue_depth_samples",
        "queue_depth_max",
    ]
    rows = ConnectorStat.objects.filter(connector=connector)
    return {f: rows.aggregate(n=Sum(f))["n"] or 0 for f in fields}


def test_sweep_dispatch_outcomes_and_acquisitions_are_counted(
    fakearr_factory, django_capture_on_commit_callbacks
):
    arr = fakearr_factory("radarr", movies=24, seed=7)
    connector = h.synced(arr, prof=h.profile(batch_size=3, max_in_flight=1))
    SearchSettings.objects.create(connector=connector, max_attempts=1)
    entries = h.queued(arr, connector)
    assert entries > 1

    with django_capture_on_commit_callbacks(execute=True):  # outcomes announce on commit
        h.run_until_idle(arr)
    arr.advance(3600)  # downloads import
    run = runner.connector_sync(
        connector=connector, kind=SyncRun.Kind.FULL, trigger=SyncRun.Trigger.MANUAL
    )
    assert run.status == "succeeded"
    run_tick(now=arr.now())  # resolution turns imported files into acquisitions
    recording.collect(now=arr.now() + timedelta(minutes=1))

    history = SearchHistory.objects.filter(connector=connector)
    outcomes = Counter(history.values_list("outcome", flat=True))
    totals = _totals(connector)
    assert totals["commands"] == history.count() == entries
    assert totals["items_searched"] == sum(history.values_list("item_count", flat=True))
    assert totals["estimated_queries"] >= totals["commands"]
    assert totals["grabbed"] == outcomes["grabbed"] > 0
    assert totals["no_results"] == outcomes["no_results"]
    acquisitions = Counter(Acquisition.objects.values_list("source", flat=True))
    assert acquisitions["search"] > 0
    assert totals["acquired_ours"] == acquisitions["search"]
    assert totals["acquired_rss"] == acquisitions["rss"]
    # One exhausted item per item of a command that found nothing (max_attempts=1).
    exhausted = SearchRegistry.objects.filter(connector=connector, state="exhausted").count()
    assert totals["exhausted"] == exhausted > 0
    assert (
        totals["gaps_discovered"]
        == SearchRegistry.objects.filter(connector=connector, search_type="gap").count()
        + acquisitions["search"]
        + acquisitions["rss"]
    )
    assert totals["api_requests"] >= 2 * history.count()  # the syncs' requests and the POSTs
    # Every tick sampled the queue after dispatch; the first left all but one waiting.
    assert totals["queue_depth_samples"] >= len(history)
    assert totals["queue_depth_max"] == entries - 1
    snap = LibrarySnapshot.objects.get(connector=connector, content_type="movies")
    assert snap.items == 24 and snap.have_file > 0

    # Running the job again changes nothing (idempotent).
    before = _totals(connector)
    recording.collect(now=arr.now() + timedelta(minutes=2))
    assert _totals(connector) == before


def test_counts_never_drop_when_the_ledger_is_pruned(fakearr_factory):
    arr = fakearr_factory("radarr", movies=12, seed=3)
    connector = h.synced(arr, prof=h.profile(batch_size=4))
    h.queued(arr, connector)
    h.run_until_idle(arr)
    now = arr.now() + timedelta(minutes=1)
    recording.collect(now=now)
    commands = _totals(connector)["commands"]
    assert commands > 0
    SearchHistory.objects.all().delete()  # the daily maintenance's retention
    recording.collect(now=now)
    assert _totals(connector)["commands"] == commands
