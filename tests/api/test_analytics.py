"""/api/v1/analytics/summary and /series: the page's numbers, bad input refused, fixed cost."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from analytics import arr_requests
from analytics.cards import dashboard_cards, latest_snapshots
from api.analytics import METRICS
from tests.analytics import helpers
from tests.api.conftest import api, assert_error, own_queries

pytestmark = pytest.mark.django_db

SUMMARY = "/api/v1/analytics/summary"
SERIES = "/api/v1/analytics/series"


@pytest.fixture
def activity():
    arr_requests.TALLY._reset()
    conn, _films = helpers.radarr_with_activity()
    for ms in (30.0, 50.0, 70.0):
        arr_requests.record(
            connector_id=conn.pk,
            method="GET",
            endpoint="/api/v3/movie",
            status="200",
            duration_ms=ms,
        )
    arr_requests.TALLY.flush()
    yield conn
    arr_requests.TALLY._reset()


def test_urls_are_the_documented_ones():
    assert reverse("api:analytics_summary") == SUMMARY
    assert reverse("api:analytics_series") == SERIES


def test_summary_is_what_the_dashboard_shows(activity, read_key):
    body = api(read_key.raw).get(SUMMARY).json()
    cards = dashboard_cards(snapshots=latest_snapshots(), connector_ids=[activity.pk])
    assert body["cards"]["gaps"] == cards.gaps == 3
    assert body["cards"]["acquired_week"] == cards.acquired_week
    assert body["cards"]["success_rate"] == cards.success_rate
    assert body["cards"]["trend"] == cards.trend
    [library] = body["completion"]
    assert library["connector"] == activity.pk and library["content_type"] == "movies"
    assert library["completion"] == 50.0
    assert body["range"]["period"] == "30d" and body["range"]["unit"] == "day"
    table = body["connectors"]
    [row] = [dict(zip(table["columns"], r, strict=True)) for r in table["rows"]]
    assert row["Connector"] == activity.name
    assert row["Mean response ms"] == 50.0 and row["API requests"] == 3


def test_series_match_the_analytics_page_for_every_metric(activity, read_key, admin_client):
    for name in METRICS:
        params = {"period": "7d", "connector": activity.pk}
        body = api(read_key.raw).get(SERIES, {"metric": name, **params}).json()
        page = admin_client.get(
            reverse("analytics:data", args=[name]), {"range": "7d", "connector": activity.pk}
        ).json()
        assert body["metric"] == name
        assert body["columns"] == page["columns"] and body["kinds"] == page["kinds"]
        assert [r[1:] for r in body["rows"]] == [r[1:] for r in page["rows"]]
        assert body["range"]["unit"] == "hour" and body["range"]["connector"] == activity.pk
    searches = api(read_key.raw).get(SERIES, {"metric": "searches", "period": "24h"}).json()
    commands = searches["columns"].index("Commands")
    assert sum(r[commands] for r in searches["rows"]) == 4
    assert searches["rows"][0][0].endswith("+00:00")  # ISO 8601 in UTC


def test_a_custom_period_is_whole_local_days(activity, read_key):
    body = api(read_key.raw).get(
        SERIES,
        {"metric": "acquisitions", "period": "custom", "start": "2026-01-01", "end": "2026-01-31"},
    )
    assert body.status_code == 200
    assert len(body.json()["rows"]) == 31 and body.json()["range"]["unit"] == "day"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "metric"),
        ({"metric": "nope"}, "metric"),
        ({"metric": "<script>"}, "metric"),
        ({"metric": "searches", "period": "week"}, "period"),
        ({"metric": "searches", "period": "x" * 5000}, "period"),
        ({"metric": "searches", "period": "24h\x00"}, "period"),
        ({"metric": "searches", "period": "custom"}, "period"),
        (
            {"metric": "searches", "period": "custom", "start": "2026-02-30", "end": "2026-03-01"},
            "start",
        ),
        (
            {"metric": "searches", "period": "custom", "start": "2026-03-02", "end": "2026-03-01"},
            "period",
        ),
        (
            {"metric": "searches", "period": "custom", "start": "1900-01-01", "end": "1900-01-02"},
            "period",
        ),
        ({"metric": "searches", "connector": "1 OR 1=1"}, "connector"),
        ({"metric": "searches", "connector": "99999"}, "connector"),
        ({"metric": "searches", "connector": "-1"}, "connector"),
        ({"metric": "searches", "connector": "\uff11"}, "connector"),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(activity, read_key, params, field):
    error = assert_error(api(read_key.raw).get(SERIES, params), 400, "invalid")
    assert list(error["details"]) == [field]
    assert error["details"][field][0]


def test_summary_refuses_a_bad_period_too(activity, read_key):
    error = assert_error(api(read_key.raw).get(SUMMARY, {"period": "forever"}), 400, "invalid")
    assert "period must be one of" in error["details"]["period"][0]


def test_analytics_need_a_key(activity, revoked_key):
    assert_error(api().get(SUMMARY), 401)
    assert_error(api(revoked_key.raw).get(SERIES, {"metric": "searches"}), 401)


def test_full_keys_read_analytics_and_nothing_is_writable(activity, full_key):
    assert api(full_key.raw).get(SUMMARY).status_code == 200
    assert_error(api(full_key.raw).post(SUMMARY, {}, content_type="application/json"), 405)


def test_query_counts_are_fixed(read_key):
    conn, _ = helpers.radarr_with_activity("One")
    client = api(read_key.raw)
    client.get(SUMMARY)

    def counted(path, params=None) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path, params or {}).status_code == 200
        return len(own_queries(queries.captured_queries))

    # summary: snapshots, names, cards 9, comparison 3, sparklines 1; series: the
    # connector, one GROUP BY.
    series = {"metric": "searches", "connector": conn.pk}
    assert (counted(SUMMARY), counted(SERIES, series)) == (15, 2)
    for n in range(3):
        helpers.radarr_with_activity(f"More {n}", movies=10)
    assert counted(SUMMARY, {"period": "1y"}) == 15
    assert counted(SERIES, {**series, "period": "1y"}) == 2
