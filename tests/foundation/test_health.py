"""GET /health against the real test database."""

from __future__ import annotations

import socket
import uuid

import pytest
from django.urls import reverse
from django_q.brokers import get_broker
from django_q.conf import Conf
from django_q.models import OrmQ
from django_q.signing import SignedPackage
from django_q.status import Stat, Status

from comradarr import health


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the block ends


@pytest.fixture
def database_down(monkeypatch):
    """Point the database check at a server that is not there (a real failing connection)."""
    port = _closed_port()
    monkeypatch.setattr(
        health,
        "_connection_params",
        lambda: {"host": "127.0.0.1", "port": port, "dbname": "comradarr", "user": "comradarr"},
    )


@pytest.fixture
def client(client, django_user_model):
    """Signed in: the full report is for signed-in users (anonymous: tests at the end)."""
    user = django_user_model.objects.create_user(username="admin", password="x-unused-x")
    client.force_login(user)
    return client


def _report_heartbeat(status: str = Conf.IDLE, workers: int = 2) -> str:
    """Publish a cluster heartbeat exactly as a running django-q2 cluster does."""
    cluster_id = uuid.uuid4()
    stat = Status(pid=4242, cluster_id=cluster_id)
    stat.status = status
    stat.workers = list(range(workers))
    get_broker().set_stat(Stat.get_key(cluster_id), SignedPackage.dumps(stat, True), 30)
    return str(cluster_id)


@pytest.mark.django_db
def test_no_cluster_is_degraded_but_200(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    body = response.json()
    assert body["status"] == "degraded"
    assert body["version"] == "0.1.0"
    assert body["database"]["status"] == "ok"
    assert body["database"]["latency_ms"] >= 0
    assert body["cluster"]["status"] == "missing"
    assert "background work is not being done" in body["cluster"]["detail"]
    assert body["queue"] == {"status": "ok", "depth": 0, "in_progress": 0}
    assert body["memory"]["rss_bytes"] > 10_000_000
    assert body["memory"]["peak_rss_bytes"] >= body["memory"]["rss_bytes"]


@pytest.mark.django_db
def test_healthy_with_a_running_cluster(client):
    cluster_id = _report_heartbeat()
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["cluster"]["status"] == "ok"
    assert body["cluster"]["clusters"] == [
        {"id": cluster_id, "host": socket.gethostname(), "status": "Idle", "workers": 2}
    ]


@pytest.mark.django_db
def test_stopped_cluster_does_not_count(client):
    _report_heartbeat(status=Conf.STOPPED)
    assert client.get("/health").json()["cluster"]["status"] == "missing"


@pytest.mark.django_db
def test_queue_depth_counts_waiting_and_claimed_tasks(client):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    for _ in range(3):
        OrmQ.objects.create(key=Conf.CLUSTER_NAME, payload="x", lock=now - timedelta(seconds=5))
    OrmQ.objects.create(key=Conf.CLUSTER_NAME, payload="x", lock=now + timedelta(minutes=10))
    queue = client.get("/health").json()["queue"]
    assert queue == {"status": "ok", "depth": 3, "in_progress": 1}


@pytest.mark.django_db
def test_database_down_is_503_and_the_rest_still_answers(client, database_down):
    response = client.get("/health")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["version"] == "0.1.0"
    assert body["database"]["status"] == "error"
    assert "127.0.0.1" in body["database"]["error"] or "refused" in body["database"]["error"]
    assert body["cluster"]["status"] == "unknown"
    assert body["queue"]["status"] == "unknown"
    assert body["memory"]["rss_bytes"] > 0


@pytest.mark.django_db
def test_database_check_answers_quickly_when_server_is_gone(database_down):
    import time

    started = time.monotonic()
    assert health.check_database()["status"] == "error"
    assert time.monotonic() - started < health.CONNECT_TIMEOUT_SECONDS + 1


@pytest.mark.django_db
def test_statement_timeout_is_applied(monkeypatch):
    """The probe's own connection cannot be held by a slow query."""
    original = health._connection_params
    seen = {}

    def recording():
        params = original()
        seen.update(params)
        return params

    monkeypatch.setattr(health, "_connection_params", recording)
    monkeypatch.setattr(health, "STATEMENT_TIMEOUT_MS", 50)
    import psycopg

    real_connect = psycopg.connect

    def connect_and_sleep(**kwargs):
        conn = real_connect(**kwargs)
        original_execute = conn.execute

        def execute(query, *args, **kw):
            return original_execute("SELECT pg_sleep(1)", *args, **kw)

        conn.execute = execute
        return conn

    monkeypatch.setattr(health.psycopg, "connect", connect_and_sleep)
    result = health.check_database()
    assert result["status"] == "error"
    assert "statement timeout" in result["error"]


@pytest.mark.django_db
def test_no_login_needed_and_post_refused(client):
    assert client.get(reverse("health")).status_code == 200
    assert client.head(reverse("health")).status_code == 200
    assert client.post(reverse("health")).status_code == 405


@pytest.mark.django_db
def test_health_under_base_url(settings, client):
    import importlib

    from django.urls import clear_url_caches

    import comradarr.urls

    settings.BASE_URL = "/comradarr/"
    try:
        clear_url_caches()
        importlib.reload(comradarr.urls)
        assert reverse("health") == "/comradarr/health"
        assert client.get("/comradarr/health").status_code == 200
    finally:
        settings.BASE_URL = "/"
        importlib.reload(comradarr.urls)
        clear_url_caches()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("heartbeat", "words"), [(False, "degraded"), (True, "ok")], ids=["degraded", "ok"]
)
def test_anonymous_callers_get_only_the_status_word(heartbeat, words):
    """Issue 9, point 11: no hostname, cluster id, version or memory without a session."""
    from django.test import Client

    if heartbeat:
        _report_heartbeat()
    response = Client().get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"status": words}
    assert socket.gethostname().encode() not in response.content


@pytest.mark.django_db
def test_anonymous_caller_sees_down_and_503(database_down):
    from django.test import Client

    response = Client().get(reverse("health"))
    assert response.status_code == 503
    assert response.json() == {"status": "down"}


@pytest.mark.django_db
def test_a_stale_session_cookie_gets_the_short_answer():
    from django.conf import settings
    from django.test import Client

    anonymous = Client()
    anonymous.cookies[settings.SESSION_COOKIE_NAME] = "not-a-session"
    assert anonymous.get(reverse("health")).json() == {"status": "degraded"}


@pytest.mark.django_db
def test_session_lookup_failing_still_answers(monkeypatch, client):
    """With the database gone, reading the session raises: the probe still answers, briefly."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import OperationalError

    def broken(self, *args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(SessionStore, "load", broken)
    response = client.get(reverse("health"))
    assert response.json() == {"status": "degraded"}
