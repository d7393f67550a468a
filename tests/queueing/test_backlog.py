"""The backlog estimate: "about 6 days at this rate", and a preset that would finish in a week."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from queueing.backlog import backlog
from queueing.models import GlobalThrottle, RequestQueue, ThrottleProfile
from queueing.throttle_profiles import connector_throttle_assign, throttle_profile_create
from searchstate.models import SearchRegistry
from tests.searchstate import builders as b

pytestmark = pytest.mark.django_db


def _gaps(conn, n: int, state: str = "pending") -> list[SearchRegistry]:
    rows = [
        SearchRegistry(
            connector=conn,
            search_type="gap",
            movie=b.movie(conn, title=f"Film {state} {i}", arr_id=1000 * len(state) + i),
            state=state,
        )
        for i in range(n)
    ]
    return SearchRegistry.objects.bulk_create(rows)


def _slow(**fields) -> ThrottleProfile:
    values = {"daily_budget": 10, "commands_per_hour": 10, "batch_size": 10} | fields
    return throttle_profile_create(name="slow", **values)


def test_days_at_this_rate_counts_open_gaps_only():
    conn = b.connector(kind="radarr")
    profile = _slow()
    _gaps(conn, 60)
    _gaps(conn, 30, state="exhausted")  # never searched again: not backlog
    result = backlog(conn, profile)
    assert (result.gaps, result.queries, result.per_day) == (60, 60, 10)
    assert result.text == "about 6 days at this rate"
    assert result.suggestion is None  # within a week already


def test_the_planners_estimate_counts_for_what_is_queued():
    conn = b.connector(kind="radarr")
    _gaps(conn, 20)
    RequestQueue.objects.create(
        connector=conn,
        command="MoviesSearch",
        payload={"name": "MoviesSearch", "movieIds": list(range(10))},
        search_type="gap",
        priority=1,
        scheduled_at=timezone.now(),
        item_count=10,
        estimated_queries=5,
    )
    result = backlog(conn, _slow(daily_budget=100))
    assert result.queries == 5 + 5  # the 10 unplanned at the planned 0.5 a gap
    assert result.text == "about 3 hours at this rate"


def test_a_slow_profile_gets_the_gentlest_preset_that_finishes_within_a_week():
    conn = b.connector(kind="radarr")
    profile = _slow()
    _gaps(conn, 100)
    result = backlog(conn, profile)
    assert result.text == "about 10 days at this rate"
    assert result.suggestion.name == "conservative"  # 50 a day: 2 days
    GlobalThrottle.objects.update_or_create(
        pk=GlobalThrottle.SINGLETON_PK, defaults={"daily_budget": 12}
    )
    capped = backlog(conn, profile)
    assert capped.suggestion is None  # nothing finishes within the user's global budget
    assert capped.text == "about 10 days at this rate"  # the profile binds before the cap


def test_no_gaps_and_a_profile_that_allows_nothing():
    conn = b.connector(kind="radarr")
    profile = _slow()
    assert backlog(conn, profile).text == "No open gaps."
    _gaps(conn, 3)
    GlobalThrottle.objects.update_or_create(
        pk=GlobalThrottle.SINGLETON_PK, defaults={"daily_budget": 0}
    )
    assert backlog(conn, profile).text == "The profile allows no searches."


def test_queue_page_shows_the_estimate_and_the_suggestion(admin_client):
    conn = b.connector(kind="radarr", name="Films")
    connector_throttle_assign(connector=conn, profile=_slow())
    _gaps(conn, 100)
    page = admin_client.get(reverse("queueing:queue")).content.decode()
    assert "100 open gaps (~100 indexer queries at 10 a day): about 10 days at this rate" in page
    assert "the conservative profile would finish within a week" in page


def test_connector_page_shows_the_backlog_in_what_happens_next(admin_client):
    conn = b.connector(kind="radarr", name="Films")
    connector_throttle_assign(connector=conn, profile=_slow())
    _gaps(conn, 60)
    page = admin_client.get(reverse("connectors:detail", args=[conn.pk])).content.decode()
    panel = page[page.find(f'id="next-steps-{conn.pk}"') :]
    assert "Backlog: " in panel and "about 6 days at this rate" in panel


def test_the_default_profile_finishes_a_backlog_moderate_would_take_over_a_week_for():
    """Issue 11 point 5: the default is a sensible middle, and the suggestion still works."""
    conn = b.connector(kind="radarr")
    _gaps(conn, 800)
    default = backlog(conn, ThrottleProfile.default())
    assert (default.per_day, default.text) == (300, "about 3 days at this rate")
    assert default.suggestion is None
    moderate = backlog(conn, ThrottleProfile.objects.get(name="moderate"))
    assert moderate.text == "about 8 days at this rate"
    assert moderate.suggestion.name == "balanced"  # the gentlest preset within a week
