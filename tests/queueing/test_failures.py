"""queueing.failures applies each error's policy row: the connector's pause and the
fate of a command whose POST failed, the same way for every caller."""

from __future__ import annotations

from datetime import timedelta

import pytest

from connectors.common import errors
from queueing import dispatch, failures
from queueing.models import ConnectorThrottle, RequestQueue
from searchstate.models import SearchHistory, SearchRegistry
from searchstate.states import SearchState
from tests.queueing import engine_helpers as h
from tests.searchstate.builders import NOW

pytestmark = pytest.mark.django_db

# error: (entry status after, items' state, history outcome, pause reason, backoff level)
CASES = [
    (
        errors.AuthenticationError("rejected", status_code=401),
        ("queued", SearchState.QUEUED, "auth_rejected", "API key rejected", 0),
    ),
    (
        errors.RateLimitedError("slow down", retry_after=600),
        ("done", SearchState.COOLDOWN, "rate_limited", "rate limited by the app", 0),
    ),
    (
        errors.UnreachableError("refused", reached_app=False),
        ("queued", SearchState.QUEUED, "connector_error", "refused", 1),
    ),
    (
        errors.ConnectionSetupError("certificate refused", reached_app=False),
        ("queued", SearchState.QUEUED, "connector_error", "certificate refused", 1),
    ),
    (
        errors.ServerError("starting", status_code=503, reached_app=False),
        ("queued", SearchState.QUEUED, "connector_error", "starting", 1),
    ),
    (
        errors.ArrTimeoutError("no answer"),
        ("dispatched", SearchState.SEARCHING, "pending", "no answer", 1),
    ),
    (
        errors.BadResponseError("cut answer"),
        ("dispatched", SearchState.SEARCHING, "pending", "cut answer", 1),
    ),
    (
        errors.AppFailedError("threw", status_code=500),
        ("done", SearchState.COOLDOWN, "failed", "", 0),
    ),
    (
        errors.ClientRequestError("refused", status_code=400),
        ("done", SearchState.COOLDOWN, "failed", "", 0),
    ),
    (
        errors.NotFoundError("gone", status_code=404),
        ("done", SearchState.COOLDOWN, "failed", "", 0),
    ),
]


@pytest.mark.parametrize(("error", "expected"), CASES, ids=lambda v: type(v).__name__)
def test_a_failed_post_is_settled_as_its_policy_says(error, expected):
    status, state, outcome, reason, backoff = expected
    conn, _ = h.radarr(2, prof=h.profile(error_cooldown_seconds=60))
    entry = dispatch.claim_next(connector=conn, now=NOW).entry
    fate = failures.command_failed(entry=entry, error=error, now=NOW)
    assert fate is error.policy.command
    entry.refresh_from_db()
    assert entry.status == status
    rows = SearchRegistry.objects.filter(connector=conn)
    assert {r.state for r in rows} == {state}
    assert {r.attempts for r in rows} == {0}  # no failure counts an attempt
    assert SearchHistory.objects.get().outcome == outcome
    throttle = ConnectorThrottle.objects.get(connector=conn)
    assert throttle.pause_reason == reason
    assert throttle.backoff_level == backoff
    # Lost answers are marked for recovery at the next poll; nothing else is.
    assert entry.is_recovering is (fate is errors.CommandFate.RECOVER)


def test_a_requeue_waits_for_the_pause_and_a_rate_limit_cooldown_outlasts_it():
    conn, _ = h.radarr(1, prof=h.profile(error_cooldown_seconds=60))
    entry = dispatch.claim_next(connector=conn, now=NOW).entry
    failures.command_failed(entry=entry, error=errors.UnreachableError("down"), now=NOW)
    entry.refresh_from_db()
    assert entry.scheduled_at >= NOW + timedelta(seconds=60)

    ConnectorThrottle.objects.filter(connector=conn).update(paused_until=None, backoff_level=0)
    RequestQueue.objects.filter(pk=entry.pk).update(scheduled_at=NOW)
    entry = dispatch.claim_next(connector=conn, now=NOW).entry
    week = 7 * 24 * 3600
    failures.command_failed(
        entry=entry, error=errors.RateLimitedError("slow", retry_after=week), now=NOW
    )
    row = SearchRegistry.objects.get(connector=conn)
    assert row.next_eligible_at >= NOW + timedelta(seconds=week)


@pytest.mark.parametrize(
    ("error", "reason", "unhealthy"),
    [
        (errors.AuthenticationError("rejected"), "API key rejected", True),
        (errors.RateLimitedError("slow", retry_after=30), "rate limited by the app", False),
        (errors.AppFailedError("threw", status_code=500), "threw", False),
        (errors.BadResponseError("html"), "html", False),
    ],
)
def test_a_failure_outside_a_post_pauses_the_connector(error, reason, unhealthy):
    conn, _ = h.radarr(1, prof=h.profile())
    failures.connector_failed(connector=conn, error=error, now=NOW)
    throttle = ConnectorThrottle.objects.get(connector=conn)
    assert throttle.pause_reason == reason and throttle.paused_until > NOW
    conn.refresh_from_db()
    assert (conn.health_status == "unhealthy") is unhealthy
