"""Throttle arithmetic over simulated time (time-machine): budgets, windows, spacing, jitter."""

from __future__ import annotations

import itertools
import random
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from queueing import dispatch
from queueing import throttle as limits
from queueing.models import (
    ConnectorThrottle,
    DispatchLog,
    GlobalThrottle,
    RequestQueue,
    ThrottleProfile,
)
from tests.queueing import engine_helpers as h
from tests.searchstate.builders import NOW

pytestmark = pytest.mark.django_db

MODERATE_SINGLE = {  # the moderate preset, one id per command so the budget binds by count
    "commands_per_minute": 1,
    "commands_per_hour": 10,
    "min_interval_seconds": 30,
    "interval_jitter_seconds": 15,
    "max_in_flight": 1,
    "batch_size": 1,
    "daily_budget": 100,
}


def simulate(connectors, *, until, rng, finish=True):
    """Claim whenever allowed, jumping the clock to when a limit clears; returns claims."""
    claims = []
    with time_machine.travel(NOW, tick=False) as traveller:
        while timezone.now() < until:
            now = timezone.now()
            waits = []
            for conn in connectors:
                claim = dispatch.claim_next(connector=conn, now=now, rng=rng)
                if claim.entry is not None:
                    claims.append((conn.pk, now, claim.entry))
                    if finish:
                        claim.entry.release(status=RequestQueue.Status.DONE)
                    waits.append(now)
                else:
                    waits.append(claim.allowance.retry_at or now + timedelta(minutes=10))
            traveller.move_to(max(min(waits), now + timedelta(seconds=1)))
    return claims


def test_moderate_day_spends_exactly_the_budget_within_every_window():
    conn, _ = h.radarr(150, prof=h.profile("single", **MODERATE_SINGLE))
    rng = random.Random(7)
    claims = simulate([conn], until=NOW + timedelta(hours=24), rng=rng)

    times = [t for _, t, _ in claims]
    assert len(claims) == 100  # 100 single-id commands = the 100-query budget, no more
    assert DispatchLog.objects.filter(dispatched_at__lt=NOW + timedelta(hours=24)).count() == 100
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 30  # minimum interval respected
    for start in times:  # sliding windows, as the indexer would count them
        assert sum(start <= t < start + timedelta(hours=1) for t in times) <= 10
        assert sum(start <= t < start + timedelta(minutes=1) for t in times) <= 1

    # The next rolling day has a fresh budget.
    more = simulate([conn], until=NOW + timedelta(hours=24, minutes=30), rng=rng)
    assert more, "budget did not come back after 24 hours"


def test_jitter_stays_within_its_bounds_and_varies():
    prof = h.profile("jittery", min_interval_seconds=30, interval_jitter_seconds=15)
    rng = random.Random(3)
    gaps = [limits.next_interval(prof, rng=rng).total_seconds() for _ in range(500)]
    assert min(gaps) >= 30 and max(gaps) <= 45
    assert max(gaps) - min(gaps) > 10  # it really is random
    # And on the row: each claim sets next_dispatch_at within [interval, interval + jitter].
    conn, _ = h.radarr(
        5, prof=h.profile("one", batch_size=1, min_interval_seconds=30, interval_jitter_seconds=15)
    )
    with time_machine.travel(NOW, tick=False) as traveller:
        for n in range(5):
            traveller.move_to(NOW + timedelta(minutes=n))
            claim = dispatch.claim_next(connector=conn, now=timezone.now(), rng=rng)
            claim.entry.release(status=RequestQueue.Status.DONE)
            row = ConnectorThrottle.objects.get(connector=conn)
            assert 30 <= (row.next_dispatch_at - row.last_dispatch_at).total_seconds() <= 45


def test_per_minute_and_in_flight_limits():
    conn, _ = h.radarr(
        10, prof=h.profile("burst", batch_size=1, commands_per_minute=3, max_in_flight=10)
    )
    claims = simulate([conn], until=NOW + timedelta(seconds=59), rng=random.Random(1))
    assert len(claims) == 3
    RequestQueue.objects.filter(status="dispatched").update(status="done")

    conn2, _ = h.radarr(10, name="radarr2", prof=h.profile("narrow", batch_size=1, max_in_flight=2))
    claims = simulate([conn2], until=NOW + timedelta(minutes=5), rng=random.Random(1), finish=False)
    assert len(claims) == 2  # nothing finishes, so two in flight is the ceiling


def test_global_budget_caps_all_connectors_together():
    GlobalThrottle.objects.update_or_create(pk=1, defaults={"daily_budget": 30})
    a, _ = h.radarr(40, prof=h.profile("a", batch_size=1))
    b_, _ = h.radarr(40, name="radarr2", prof=h.profile("b", batch_size=1))
    claims = simulate([a, b_], until=NOW + timedelta(hours=2), rng=random.Random(2))
    assert len(claims) == 30
    assert {c for c, _, _ in claims} == {a.pk, b_.pk}


def test_budget_counts_estimated_queries_and_skips_entries_that_do_not_fit():
    conn, _ = h.radarr(12, prof=h.profile("q", batch_size=5, daily_budget=12))
    # Entries of 5, 5 and 2 movies: 5 + 5 fit in 12, the third (2) fits exactly after them.
    claims = simulate([conn], until=NOW + timedelta(hours=1), rng=random.Random(1))
    assert sorted(e.estimated_queries for _, _, e in claims) == [2, 5, 5]
    assert limits.spent(connector_id=conn.pk, now=NOW + timedelta(hours=1)).day_queries == 12


def test_default_profile_and_presets():
    # Balanced is the default (tests/queueing/test_balanced_default.py); the others stay kind.
    assert ThrottleProfile.objects.get(is_default=True).name == "balanced"
    presets = {p.name: p for p in ThrottleProfile.objects.filter(is_preset=True)}
    assert set(presets) == {"conservative", "moderate", "balanced", "aggressive"}
    c, m, a = presets["conservative"], presets["moderate"], presets["aggressive"]
    assert (c.daily_budget, c.commands_per_hour, c.max_in_flight, c.min_interval_seconds) == (
        50,
        4,
        1,
        60,
    )
    assert (m.daily_budget, m.commands_per_hour, m.max_in_flight, m.min_interval_seconds) == (
        100,
        10,
        1,
        30,
    )
    assert (a.daily_budget, a.commands_per_hour, a.max_in_flight, a.min_interval_seconds) == (
        400,
        40,
        2,
        10,
    )
    # Back-pressure at 15 queued downloads and a 24-hour wait for an import, unless edited.
    assert {(p.queue_threshold, p.grab_cooldown_hours) for p in presets.values()} == {(15, 24)}
    assert (ThrottleProfile().queue_threshold, ThrottleProfile().grab_cooldown_hours) == (15, 24)
    conn, _ = h.radarr(1)
    balanced = presets["balanced"]
    assert ConnectorThrottle.for_connector(conn).effective_profile() == balanced
    assert limits.profile_of(conn) == balanced


def test_error_backoff_grows_and_caps():
    prof = ThrottleProfile(error_cooldown_seconds=60, backoff_multiplier=2, backoff_cap_seconds=300)
    assert [limits.error_backoff(prof, level=n).total_seconds() for n in (1, 2, 3, 4)] == [
        60,
        120,
        240,
        300,
    ]
