"""Response times from every real request: counted in memory, flushed in bulk, read as mean/p95."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import responses
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from analytics import arr_requests, rollup
from analytics.models import ArrRequestStat
from analytics.ranges import parse_query
from analytics.tables import comparison, endpoints
from comradarr.tally import BINS, percentile
from connectors.common.errors import ServerError
from connectors.registry import client_for
from tests.searchstate import builders as b

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 26, 12, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def empty_tally():
    arr_requests.TALLY._reset()
    yield
    arr_requests.TALLY._reset()


def _record(conn, ms, *, endpoint="/api/v3/episode", status="200", method="GET"):
    arr_requests.record(
        connector_id=conn.pk, method=method, endpoint=endpoint, status=status, duration_ms=ms
    )


def test_requests_through_the_client_land_in_the_table_in_one_statement():
    conn = b.connector("Sonarr", app_version="4.0.0.0")
    with responses.RequestsMock() as rsps:
        rsps.get("http://127.0.0.1:1/api/v3/episode/12", json={"id": 12})
        rsps.get("http://127.0.0.1:1/api/v3/episode/13", json={"id": 13})
        rsps.get("http://127.0.0.1:1/api/v3/command/9", status=500, json={"message": "boom"})
        client = client_for(conn)
        client.http.max_retries = 0
        client.http.get("/api/v3/episode/12")
        client.http.get("/api/v3/episode/13")
        with pytest.raises(ServerError):
            client.http.get("/api/v3/command/9")
    assert ArrRequestStat.objects.count() == 0  # nothing written on the hot path
    with CaptureQueriesContext(connection) as queries:
        assert arr_requests.TALLY.flush() == 2
    inserts = [q for q in queries.captured_queries if "INSERT" in q["sql"]]
    assert len(inserts) == 1
    rows = {(r.endpoint, r.status): r for r in ArrRequestStat.objects.all()}
    assert set(rows) == {("/api/v3/episode/{id}", "200"), ("/api/v3/command/{id}", "500")}
    episode = rows[("/api/v3/episode/{id}", "200")]
    assert (episode.requests, episode.errors, episode.method) == (2, 0, "GET")
    assert sum(episode.histogram) == 2 and len(episode.histogram) == BINS
    assert rows[("/api/v3/command/{id}", "500")].errors == 1
    assert episode.bucket.minute == 0 and episode.resolution == "hour"


def test_flushes_add_up_element_wise_and_keep_the_maximum():
    conn = b.connector("Radarr", kind="radarr")
    for ms in (20, 40):
        _record(conn, ms)
    arr_requests.TALLY.flush()
    _record(conn, 900)
    arr_requests.TALLY.flush()
    [row] = ArrRequestStat.objects.all()
    assert (row.requests, row.ms_sum, row.ms_max) == (3, 960, 900)
    assert sum(row.histogram) == 3
    assert row.histogram[2] == 1 and row.histogram[3] == 1 and row.histogram[11] == 1


def test_a_connector_deleted_before_the_flush_is_skipped_not_fatal():
    gone, kept = b.connector("Gone"), b.connector("Kept")
    _record(gone, 10)
    _record(kept, 10)
    gone.delete()
    arr_requests.TALLY.flush()
    assert list(ArrRequestStat.objects.values_list("connector__name", flat=True)) == ["Kept"]


def test_no_flush_inside_a_transaction_and_a_failed_write_is_kept(monkeypatch):
    conn = b.connector()
    _record(conn, 10)
    with transaction.atomic():
        assert arr_requests.flush() == 0
    assert arr_requests.TALLY.pending == 1

    def broken(drained):
        from django.db import DatabaseError

        raise DatabaseError("down")

    monkeypatch.setattr(arr_requests.TALLY, "write", broken)
    assert arr_requests.flush() == 0
    assert arr_requests.TALLY.pending == 1  # kept for the next flush


@pytest.mark.django_db(transaction=True)
def test_a_finished_task_flushes_the_counts():
    from django_q.signals import post_execute_in_worker

    conn = b.connector()
    _record(conn, 10)
    post_execute_in_worker.send(sender="django_q", func=None, task={})
    assert ArrRequestStat.objects.get().requests == 1


def test_mean_and_p95_per_connector_and_endpoint():
    fast, slow = b.connector("Fast"), b.connector("Slow")
    for _ in range(95):
        _record(fast, 40)
    for _ in range(5):
        _record(fast, 2500, endpoint="/api/v3/series", status="timeout")
    for ms in (300, 400, 450):
        _record(slow, ms)
    arr_requests.TALLY.flush()
    sel = parse_query({"range": "24h"})
    found = {key[0]: t for key, t in arr_requests.timings(sel).items()}
    assert found[fast.pk].requests == 100 and found[fast.pk].errors == 5
    assert found[fast.pk].mean_ms == pytest.approx((95 * 40 + 5 * 2500) / 100, abs=0.1)
    assert 25 < found[fast.pk].p95_ms <= 50  # the 95th of 100 is the last fast one
    assert 300 < found[slow.pk].p95_ms <= 450
    table = comparison(sel)
    by_name = {row[0]: dict(zip(table.columns, row, strict=True)) for row in table.rows}
    assert by_name["Fast"]["Mean response ms"] == found[fast.pk].mean_ms
    assert by_name["Fast"]["p95 response ms"] == found[fast.pk].p95_ms
    assert by_name["Fast"]["API requests"] == 100
    assert by_name["Fast"]["Error rate %"] == 5.0
    per_endpoint = {(r[0], r[1]): r for r in endpoints(sel).rows}
    assert per_endpoint[("Fast", "GET /api/v3/series")][2:4] == [5, 100.0]


def test_comparison_and_endpoints_take_a_fixed_number_of_queries(django_assert_num_queries):
    for i in range(4):
        conn = b.connector(f"C{i}")
        for ms in (10, 20, 30):
            _record(conn, ms, endpoint=f"/api/v3/e{i}")
    arr_requests.TALLY.flush()
    sel = parse_query({"range": "7d"})
    with django_assert_num_queries(3):  # counters, timings, names
        assert len(comparison(sel).rows) == 4
    with django_assert_num_queries(2):
        assert len(endpoints(sel).rows) == 4


def test_rollup_turns_hours_into_a_day_with_summed_histograms(settings):
    settings.ANALYTICS_HOURLY_RETENTION_DAYS = 30
    conn = b.connector()
    old = NOW - timedelta(days=40)
    for hours, ms in ((1, 20), (2, 20), (3, 800)):
        with time_machine.travel(old.replace(hour=hours), tick=False):
            _record(conn, ms)
            arr_requests.TALLY.flush()
    assert ArrRequestStat.objects.filter(resolution="hour").count() == 3
    rollup.rollup(now=NOW)
    rollup.rollup(now=NOW)  # twice: nothing moves twice
    [day] = ArrRequestStat.objects.all()
    assert day.resolution == "day" and day.bucket == old.replace(hour=0, minute=0)
    assert (day.requests, day.ms_sum, day.ms_max) == (3, 840, 800)
    assert sum(day.histogram) == 3 and day.histogram[2] == 2


def test_percentile_estimates_within_the_bin_and_never_past_the_maximum():
    bins = [0] * BINS
    assert percentile(bins, 0.95) is None
    bins[0] = 100  # all within 0-5 ms
    assert percentile(bins, 0.95, ms_max=3.0) == 3.0
    bins = [0] * BINS
    bins[-1] = 10  # all slower than the last bound
    assert percentile(bins, 0.95, ms_max=45000) <= 45000


def test_hostile_durations_are_ignored():
    conn = b.connector()
    for ms in (float("nan"), float("inf"), -1):
        _record(conn, ms)
    assert arr_requests.TALLY.pending == 0
    _record(conn, 1)
    assert timezone.now()  # keep the import honest
    assert arr_requests.TALLY.pending == 1


def test_response_time_chart_has_a_row_per_bucket_in_one_query(django_assert_num_queries):
    from analytics.series import response_times

    conn = b.connector()
    for ms in (10, 30):
        _record(conn, ms)
    _record(conn, 100, status="502")
    arr_requests.TALLY.flush()
    sel = parse_query({"range": "24h"})
    with django_assert_num_queries(1):
        table = response_times(sel)
    assert table.columns == ["time", "Mean ms", "p95 ms", "Requests", "Errors"]
    filled = [row for row in table.rows if row[3]]
    assert len(table.rows) in (24, 25) and len(filled) == 1
    [(_, mean, p95, requests, errors)] = filled
    assert (mean, requests, errors) == (pytest.approx(46.7, abs=0.1), 3, 1)
    assert 50 < p95 <= 100
    assert all(row[1] is None and row[3] == 0 for row in table.rows if not row[3])
    week = response_times(parse_query({"range": "30d", "connector": str(conn.pk)}))
    assert sum(row[3] for row in week.rows) == 3
