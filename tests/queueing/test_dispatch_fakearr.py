"""End to end against fakearr: sweep, dispatch within limits, poll, outcomes, no double search."""

from __future__ import annotations

from collections import Counter

import pytest

from queueing.models import DispatchLog, RequestQueue
from searchstate.models import SearchHistory, SearchRegistry
from searchstate.states import SearchState
from tests.fakearr.simulation import SimConfig
from tests.queueing import engine_helpers as h

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_radarr_library_driven_to_outcomes_without_double_search(fakearr_factory):
    arr = fakearr_factory("radarr", movies=60, seed=4, config=SimConfig(import_delay=60))
    connector = h.synced(arr, prof=h.profile(batch_size=5))
    entries = h.queued(arr, connector)
    assert entries > 1

    reports = h.run_until_idle(arr)

    assert sum(r.dispatched for r in reports) == entries
    searched = Counter(i for r in arr.commands_received for i in r.items)
    assert searched and max(searched.values()) == 1, "an item was searched twice"
    assert arr.futile_searches() == []
    assert SearchHistory.objects.filter(connector=connector).count() == entries
    outcomes = Counter(SearchHistory.objects.values_list("outcome", flat=True))
    assert set(outcomes) <= {"grabbed", "no_results"}
    assert outcomes["grabbed"] > 0
    assert not SearchRegistry.objects.filter(
        state__in=[SearchState.QUEUED, SearchState.SEARCHING]
    ).exists()
    assert not RequestQueue.objects.filter(status__in=["queued", "dispatched"]).exists()
    assert DispatchLog.objects.filter(connector=connector).count() == entries
    # Every history row knows its command and when it ended.
    assert not SearchHistory.objects.filter(command_arr_id__isnull=True).exists()
    assert not SearchHistory.objects.filter(completed_at__isnull=True).exists()
