"""/metrics: the metrics token, the API duration histogram, the worker heartbeat, its cost."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from api import timing
from api.metrics import CACHE_KEY
from api.models import RequestDuration
from tests.api.conftest import api, assert_error, own_queries
from tests.api.test_metrics import samples

pytestmark = pytest.mark.django_db

TOKEN = "t" * 40


@pytest.fixture(autouse=True)
def empty_tally():
    timing.TALLY._reset()
    yield
    timing.TALLY._reset()


@pytest.fixture
def metrics_token(settings):
    settings.METRICS_TOKEN = TOKEN
    return TOKEN


def _uncached():
    caches["default"].delete(CACHE_KEY)


# ------------------------------------------------------------------------ access


def test_the_metrics_token_opens_metrics(install, metrics_token):
    response = api(metrics_token, bearer=True).get(reverse("metrics"))
    assert response.status_code == 200
    assert "comradarr_connector_health" in response.content.decode()


@pytest.mark.parametrize("sent", [None, "t" * 39, "t" * 41, TOKEN.upper(), "cr_" + "x" * 40])
def test_a_wrong_or_missing_token_is_a_bare_401(install, metrics_token, sent):
    response = api(sent, bearer=True).get(reverse("metrics"))
    error = assert_error(response, 401, "not_authenticated")
    assert error["message"] == "authentication required" and error["details"] == {}
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'


def test_a_revoked_key_gets_the_same_bare_401(install, revoked_key):
    error = assert_error(api(revoked_key.raw).get(reverse("metrics")), 401, "not_authenticated")
    assert "revoked" not in error["message"]


def test_api_keys_still_open_metrics_beside_the_token(install, metrics_token, read_key):
    assert api(read_key.raw, bearer=True).get(reverse("metrics")).status_code == 200
    assert api(read_key.raw).get(reverse("metrics")).status_code == 200


def test_the_token_opens_nothing_but_metrics(install, metrics_token):
    assert_error(api(metrics_token, bearer=True).get(reverse("api:status")), 401)


def test_the_token_in_the_url_is_refused(install, metrics_token):
    response = api(metrics_token, bearer=True).get(reverse("metrics") + f"?apikey={TOKEN}")
    assert_error(response, 401, "key_in_query")


def test_without_a_configured_token_a_bearer_is_only_a_key(install, settings):
    settings.METRICS_TOKEN = ""
    assert_error(api("", bearer=True).get(reverse("metrics")), 401)
    assert_error(api(TOKEN, bearer=True).get(reverse("metrics")), 401, "not_authenticated")


# ------------------------------------------------------- API request durations


def test_api_requests_are_timed_by_route_name_and_flushed_in_one_statement(install, read_key):
    client = api(read_key.raw)
    item = install["episode"]
    for _ in range(3):
        client.get(reverse("api:status"))
    client.get(f"/api/v1/items/episode/{item.pk}")
    client.get("/api/v1/items/episode/999999")
    client.get("/api/v1/no/such/thing")
    assert timing.TALLY.pending == 4
    assert timing.flush(only_if_due=False) == 0  # never inside a transaction (the test's)
    timing.TALLY.write(timing.TALLY._pending)  # what a flush does outside one
    rows = {(r.method, r.route, r.status): r for r in RequestDuration.objects.all()}
    assert set(rows) == {
        ("GET", "api:status", 200),
        ("GET", "api:item", 200),
        ("GET", "api:item", 404),
        ("GET", "api:not_found", 404),
    }
    assert rows[("GET", "api:status", 200)].requests == 3
    assert sum(rows[("GET", "api:status", 200)].histogram) == 3
    assert not any(str(item.pk) in route for _, route, _ in rows)


def test_the_histogram_in_metrics_is_the_tables_sums(install, read_key):
    RequestDuration.objects.create(
        method="GET",
        route="api:status",
        status=200,
        requests=5,
        ms_sum=120.0,
        histogram=[1, 2, 0, 2] + [0] * 15,
    )
    seen = samples(api(read_key.raw).get(reverse("metrics")))
    labels = {"method": "GET", "route": "api:status", "status": "200"}

    def bucket(le):
        key = (
            "comradarr_api_request_duration_seconds_bucket",
            frozenset({**labels, "le": le}.items()),
        )
        return seen[key]

    assert bucket("0.005") == 1 and bucket("0.01") == 3 and bucket("0.025") == 3
    assert bucket("0.05") == 5 and bucket("+Inf") == 5
    name = "comradarr_api_request_duration_seconds_count"
    assert seen[(name, frozenset(labels.items()))] == 5
    name = "comradarr_api_request_duration_seconds_sum"
    assert seen[(name, frozenset(labels.items()))] == pytest.approx(0.12)


def test_arr_request_durations_sum_hours_and_days_per_endpoint(install, read_key):
    from analytics.models import ArrRequestStat
    from connectors.models import Connector

    conn = Connector.objects.order_by("pk").first()
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    common = {"connector": conn, "method": "GET", "endpoint": "/api/v3/movie/{id}"}
    ArrRequestStat.objects.create(
        **common, resolution="hour", bucket=now, status="200", requests=3, ms_sum=90.0,
        histogram=[0, 1, 2] + [0] * 16,
    )  # fmt: skip
    ArrRequestStat.objects.create(
        **common, resolution="day", bucket=now - timedelta(days=2), status="500", requests=2,
        errors=2, ms_sum=3000.0, histogram=[0] * 13 + [2] + [0] * 5,
    )  # fmt: skip
    seen = samples(api(read_key.raw).get(reverse("metrics")))
    labels = {"connector": conn.name, "method": "GET", "endpoint": "/api/v3/movie/{id}"}
    name = "comradarr_arr_request_duration_seconds"

    def bucket(le):
        return seen[(f"{name}_bucket", frozenset({**labels, "le": le}.items()))]

    assert bucket("0.005") == 0 and bucket("0.01") == 1 and bucket("0.025") == 3
    assert bucket("1.5") == 3 and bucket("2") == 5 and bucket("+Inf") == 5
    assert seen[(f"{name}_count", frozenset(labels.items()))] == 5
    assert seen[(f"{name}_sum", frozenset(labels.items()))] == pytest.approx(3.09)
    assert "?" not in str(seen) and "apikey" not in str(seen).lower()  # templates, no keys


def test_pages_outside_the_api_are_not_timed(admin_client):
    admin_client.get("/")
    assert timing.TALLY.pending == 0


# --------------------------------------------------------------- worker heartbeat


def test_heartbeat_age_reads_the_clusters_last_stat(install, read_key):
    from django_q.conf import Conf

    heartbeats = caches["django_q"]
    name = "comradarr_worker_heartbeat_age_seconds"
    assert (name, frozenset()) not in samples(api(read_key.raw).get(reverse("metrics")))
    heartbeats.set(f"{Conf.Q_STAT}:abc", "packed stat", 3)
    _uncached()
    age = samples(api(read_key.raw).get(reverse("metrics")))[(name, frozenset())]
    assert 0 <= age < 5
    # Long expired (the cluster stopped a minute ago): the age keeps growing.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE comradarr_cache SET expires = %s WHERE cache_key LIKE %s",
            [timezone.now() - timedelta(seconds=60), "%cluster:abc"],
        )
    _uncached()
    age = samples(api(read_key.raw).get(reverse("metrics")))[(name, frozenset())]
    assert 60 <= age < 70


# ------------------------------------------------------------------------- cost


def test_computing_metrics_takes_a_fixed_number_of_queries(install, read_key):
    from analytics import recording
    from tests.searchstate import builders as b

    recording.snapshot_libraries()
    client = api(read_key.raw)

    def counted() -> list[str]:
        _uncached()
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("metrics")).status_code == 200
        return own_queries(queries.captured_queries)

    # connectors, snapshots, queue, pause, searches, heartbeat, API durations,
    # *arr request durations, database size
    counted()  # the first creates the pause switch's row
    first = counted()
    assert len(first) == 9, "\n".join(q[:90] for q in first)
    for n in range(3):
        b.connector(f"more {n}")
    recording.snapshot_libraries()
    assert len(counted()) == 9
    assert not any("content_episode" in sql for sql in counted())  # no scan of the mirror
