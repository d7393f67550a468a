"""The dashboard's cards, completion, feed and connection panel, and their query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from analytics.cards import dashboard_cards, latest_snapshots
from analytics.feed import activity_feed
from comradarr.dashboard import dashboard_overview
from tests.analytics import helpers
from tests.searchstate import builders as b

pytestmark = pytest.mark.django_db


def test_cards_count_what_happened():
    conn, _ = helpers.radarr_with_activity()
    cards = dashboard_cards(snapshots=latest_snapshots(), connector_ids=[conn.pk])
    assert cards.gaps == 3  # three available, monitored movies without a file
    assert cards.searches_today >= 1
    assert cards.acquired_week == 2
    assert cards.acquired_today in (0, 1, 2)  # depends on the local midnight
    # 1 of our acquisitions for 4 searches this week, nothing the week before.
    assert cards.success_rate == 25.0 and cards.trend == "flat"


def test_trend_arrow_compares_with_the_week_before():
    now = timezone.now()
    conn = b.connector("Movies", kind="radarr")
    for days in (9, 10):
        helpers.history(conn, now - timedelta(days=days))
    helpers.acquisition(conn, now - timedelta(days=9))
    helpers.acquisition(conn, now - timedelta(days=10))
    helpers.history(conn, now - timedelta(days=1))
    helpers.history(conn, now - timedelta(days=2))
    from analytics import recording

    recording.collect(now=now, since=now - timedelta(days=15))
    cards = dashboard_cards(snapshots=[], connector_ids=[conn.pk])
    assert (cards.success_rate, cards.success_rate_before, cards.trend) == (0.0, 100.0, "down")


def test_page_shows_cards_completion_feed_and_quick_actions(admin_client):
    conn, films = helpers.radarr_with_activity()
    broken = b.connector("Broken", kind="sonarr", health_status="unhealthy")
    html = admin_client.get(reverse("dashboard")).content.decode()
    assert 'data-stat="gaps"' in html and 'data-stat="success"' in html
    assert 'id="completion-table"' in html and "50.0%" in html
    assert reverse("library:item", args=["movie", films[0].pk]) in html  # acquisition line
    assert 'hx-get="' + reverse("analytics:feed") in html
    assert reverse("connectors:test", args=[broken.pk]) in html
    assert reverse("connectors:edit", args=[broken.pk]) in html
    assert reverse("connectors:test", args=[conn.pk]) not in html  # healthy: no actions


def test_feed_fragment_lists_newest_first_with_links(admin_client):
    helpers.radarr_with_activity()
    response = admin_client.get(reverse("analytics:feed"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    lines = activity_feed()
    assert lines == sorted(lines, key=lambda line: line.at, reverse=True)
    assert all(line.url.startswith("/") for line in lines)
    assert "No results" in html and "Acquired" in html


def test_overview_queries_do_not_grow_with_data(django_assert_num_queries):
    helpers.radarr_with_activity("One")
    # snapshots 1, names 1, cards 10, sparklines 1, feed 6, upcoming 2, running 2,
    # response times 1
    with django_assert_num_queries(23):
        dashboard_overview()
    for n in range(4):
        helpers.radarr_with_activity(f"More {n}", movies=20)
    with django_assert_num_queries(23):
        dashboard_overview()


def test_first_run_state_is_unchanged(admin_client):
    html = admin_client.get(reverse("dashboard")).content.decode()
    assert "Welcome to Comradarr" in html and "At a glance" not in html


def test_connection_panel_shows_mean_and_p95_of_real_requests(admin_client):
    from analytics import arr_requests

    arr_requests.TALLY._reset()
    quick, silent = b.connector("Quick"), b.connector("Silent")
    for ms in (40.0, 60.0, 80.0, 100.0):
        arr_requests.record(
            connector_id=quick.pk,
            method="GET",
            endpoint="/api/v3/series",
            status="200",
            duration_ms=ms,
        )
    arr_requests.TALLY.flush()
    html = admin_client.get(reverse("dashboard")).content.decode()
    assert "Response (24 h)" in html
    assert "70 ms" in html  # the mean of the four
    timing = dashboard_overview().response_times[quick.pk]
    assert f"p95 {timing.p95_ms:.0f} ms" in html
    assert silent.pk not in dashboard_overview().response_times
