"""Health classification, history rows and the health-changed event (HTTP faked by `responses`)."""

from __future__ import annotations

import pytest
import requests
import responses

from comradarr import events
from connectors import health, tasks
from connectors.models import Connector, ConnectorHealthCheck
from tests.connectors.arr_stubs import WARNING, stub_app

BASE = "http://arr.test:8989"
KEY = "0123456789abcdef0123456789abcdef"


@pytest.fixture(autouse=True)
def no_backoff_sleep(monkeypatch):
    # Retries back off with time.sleep; the classification is what is tested here.
    monkeypatch.setattr("time.sleep", lambda seconds: None)


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def connector(db):
    return Connector.objects.create(name="Sonarr", kind="sonarr", url=BASE, api_key=KEY)


@pytest.fixture
def changes():
    seen: list[dict] = []

    def receiver(sender, **kwargs):
        seen.append(kwargs)

    events.connector_health_changed.connect(receiver)
    yield seen
    events.connector_health_changed.disconnect(receiver)


def run_probe(kind: str = "sonarr", **kwargs) -> health.ProbeResult:
    return health.probe(kind=kind, url=BASE, api_key=KEY, interactive=True, **kwargs)


# -- classification ------------------------------------------------------------------------


def test_healthy_when_the_app_answers_without_warnings(rsps):
    stub_app(rsps, BASE, status="sonarr", api_key=KEY)
    result = run_probe()
    assert result.ok
    assert result.status == "healthy"
    assert (result.app_name, result.version, result.instance_name) == (
        "Sonarr",
        "4.0.19.2979",
        "Sonarr",
    )
    assert result.latency_ms is not None and result.latency_ms >= 0
    assert [c.request.url.split("?")[0] for c in rsps.calls] == [
        f"{BASE}/ping",
        f"{BASE}/api/v3/system/status",
        f"{BASE}/api/v3/health",
    ]
    assert all(c.request.headers.get("X-Api-Key") == KEY for c in rsps.calls[1:])


def test_health_warnings_make_it_degraded(rsps):
    stub_app(rsps, BASE, health=[WARNING])
    result = run_probe()
    assert result.ok and result.status == "degraded"
    assert {"level": "warning", "source": "IndexerStatusCheck", "message": WARNING["message"]} in (
        result.messages
    )
    assert health.summary(result) == WARNING["message"]


def test_notices_keep_it_healthy(rsps):
    notice = {**WARNING, "type": "notice", "message": "An update is available"}
    stub_app(rsps, BASE, health=[notice])
    result = run_probe()
    assert result.status == "healthy"
    assert result.messages[-1]["message"] == "An update is available"


def test_rejected_key_is_unhealthy_and_blames_the_key(rsps):
    stub_app(rsps, BASE, api_key="another-key-entirely-000000000000")
    result = run_probe()
    assert not result.ok
    assert result.status == "unhealthy"
    assert result.error_field == "api_key"
    assert "API key" in result.error
    assert KEY not in result.error


def test_connection_refused_is_offline(rsps):
    rsps.add(responses.GET, f"{BASE}/ping", body=requests.ConnectionError("refused"))
    result = run_probe()
    assert result.status == "offline"
    assert result.error_field == "url"
    assert "arr.test" in result.error


def test_timeout_is_offline(rsps):
    rsps.add(responses.GET, f"{BASE}/ping", body=requests.ConnectTimeout("slow"))
    result = run_probe()
    assert result.status == "offline"
    assert result.error


def test_html_instead_of_json_is_unhealthy_and_blames_the_url(rsps):
    page = "<!doctype html><html><body>Welcome to nginx</body></html>"
    rsps.add(responses.GET, f"{BASE}/ping", body=page, content_type="text/html")
    rsps.add(responses.GET, f"{BASE}/api/v3/system/status", body=page, content_type="text/html")
    result = run_probe()
    assert result.status == "unhealthy"
    assert result.error_field == "url"
    assert "URL base" in result.error


def test_kind_mismatch_is_refused_with_a_clear_message(rsps):
    stub_app(rsps, BASE, status="radarr")
    result = run_probe("sonarr")
    assert result.status == "unhealthy"
    assert result.error_field == "kind"
    assert result.error.startswith("This is Radarr, not Sonarr")
    assert result.app_name == "Radarr"


def test_unsupported_app_is_refused(rsps):
    stub_app(rsps, BASE, status={"appName": "Lidarr", "version": "2.5.0.1", "instanceName": "L"})
    result = run_probe("sonarr")
    assert result.status == "unhealthy"
    assert result.error_field == "kind"
    assert "Lidarr" in result.error


@pytest.mark.parametrize("status", ["whisparr_v2", "whisparr_v3"])
def test_both_whisparr_versions_are_whisparr(rsps, status):
    stub_app(rsps, BASE, status=status)
    result = run_probe("whisparr")
    assert result.ok, result.error
    assert result.capabilities.shape == ("series" if status == "whisparr_v2" else "movies")


def test_old_radarr_reports_its_missing_features(rsps):
    stub_app(rsps, BASE, status="radarr_old")
    result = run_probe("radarr")
    assert result.ok
    assert not result.capabilities.wanted_endpoints
    assert any("4.7.5" in w for w in result.capability_warnings)
    assert any("4.7.5" in m["message"] for m in result.messages)


def test_a_failing_health_endpoint_degrades_but_keeps_the_identity(rsps):
    rsps.add(responses.GET, f"{BASE}/ping", json={"status": "OK"})
    rsps.add(
        responses.GET,
        f"{BASE}/api/v3/system/status",
        json={"appName": "Sonarr", "version": "4.0.19.2979"},
    )
    rsps.add(responses.GET, f"{BASE}/api/v3/health", status=500, json={"message": "boom"})
    result = run_probe()
    assert result.ok and result.status == "degraded"
    assert result.version == "4.0.19.2979"


def test_invalid_url_is_reported_not_raised():
    result = health.probe(kind="sonarr", url="ftp://x", api_key=KEY, interactive=True)
    assert result.status == "unhealthy"
    assert result.error_field == "url"


# -- check_connector: stored status, history, event ----------------------------------------


def test_check_updates_the_connector_and_records_history(rsps, connector):
    stub_app(rsps, BASE, api_key=KEY, health=[WARNING])
    result = health.check_connector(connector)
    connector.refresh_from_db()
    assert connector.health_status == result.status == "degraded"
    assert connector.app_name == "Sonarr"
    assert connector.app_version == "4.0.19.2979"
    assert connector.instance_name == "Sonarr"
    assert connector.last_contact_at is not None
    assert connector.last_health_check_at == connector.last_contact_at
    assert connector.consecutive_failures == 0
    assert connector.health_message == WARNING["message"]
    check = ConnectorHealthCheck.objects.get(connector=connector)
    assert check.status == "degraded"
    assert check.latency_ms is not None
    assert check.app_version == "4.0.19.2979"
    assert check.messages[0]["message"] == WARNING["message"]


def test_repeated_server_errors_become_unhealthy(rsps, connector):
    rsps.add(responses.GET, f"{BASE}/ping", status=500, json={"message": "database locked"})
    statuses = []
    for _ in range(health.UNHEALTHY_AFTER_FAILURES + 1):
        statuses.append(health.check_connector(connector).status)
    connector.refresh_from_db()
    assert statuses == ["degraded", "degraded", "unhealthy", "unhealthy"]
    assert connector.consecutive_failures == 4
    assert connector.last_contact_at is None
    assert ConnectorHealthCheck.objects.filter(connector=connector).count() == 4


def test_success_resets_the_failure_count(rsps, connector):
    Connector.objects.filter(pk=connector.pk).update(
        consecutive_failures=5, health_status="unhealthy"
    )
    connector.refresh_from_db()
    stub_app(rsps, BASE)
    assert health.check_connector(connector).status == "healthy"
    connector.refresh_from_db()
    assert connector.consecutive_failures == 0


def test_offline_keeps_the_last_detected_version(rsps, connector):
    Connector.objects.filter(pk=connector.pk).update(app_name="Sonarr", app_version="4.0.1.1")
    connector.refresh_from_db()
    rsps.add(responses.GET, f"{BASE}/ping", body=requests.ConnectionError("refused"))
    assert health.check_connector(connector).status == "offline"
    connector.refresh_from_db()
    assert connector.health_status == "offline"
    assert connector.app_version == "4.0.1.1"
    assert connector.consecutive_failures == 1


def test_event_emitted_only_when_the_status_changes(
    rsps, connector, changes, django_capture_on_commit_callbacks
):
    stub_app(rsps, BASE)
    with django_capture_on_commit_callbacks(execute=False):
        health.check_connector(connector)  # unknown -> healthy: first status, not announced
        health.check_connector(connector)  # healthy -> healthy
    assert changes == []

    rsps.replace(responses.GET, f"{BASE}/ping", body=requests.ConnectionError("refused"))
    with django_capture_on_commit_callbacks(execute=False):
        health.check_connector(connector)  # healthy -> offline
        health.check_connector(connector)  # offline -> offline
    assert len(changes) == 1
    assert changes[0]["previous"] == "healthy"
    assert changes[0]["current"] == "offline"
    assert changes[0]["connector"].pk == connector.pk
    assert "arr.test" in changes[0]["message"]

    rsps.replace(responses.GET, f"{BASE}/ping", json={"status": "OK"})
    with django_capture_on_commit_callbacks(execute=False):
        health.check_connector(connector)  # offline -> healthy
    assert [(c["previous"], c["current"]) for c in changes] == [
        ("healthy", "offline"),
        ("offline", "healthy"),
    ]
    assert ConnectorHealthCheck.objects.filter(connector=connector).count() == 5


def test_history_is_pruned_to_the_newest_rows(rsps, connector, monkeypatch):
    monkeypatch.setattr(health, "HISTORY_KEEP", 3)
    stub_app(rsps, BASE)
    for _ in range(5):
        health.check_connector(connector)
    kept = ConnectorHealthCheck.objects.filter(connector=connector)
    assert kept.count() == 3


def test_a_deleted_connector_is_not_recorded(rsps, connector):
    stub_app(rsps, BASE)
    Connector.objects.filter(pk=connector.pk).delete()
    result = health.check_connector(connector)
    assert result.status == "healthy"
    assert not ConnectorHealthCheck.objects.exists()


def test_health_check_key_never_logged(rsps, connector, caplog):
    caplog.set_level("DEBUG")
    stub_app(rsps, BASE, api_key="wrong-key-000000000000000000000000")
    health.check_connector(connector)
    assert KEY not in caplog.text


# -- the task ------------------------------------------------------------------------------


def test_task_checks_an_enabled_connector(rsps, connector):
    stub_app(rsps, BASE)
    assert tasks.check_connector_health(connector.pk) == "healthy"
    assert ConnectorHealthCheck.objects.filter(connector=connector).count() == 1


def test_task_returns_quietly_for_a_missing_or_disabled_connector(rsps, connector):
    assert tasks.check_connector_health(connector.pk + 1000) is None
    Connector.objects.filter(pk=connector.pk).update(enabled=False)
    assert tasks.check_connector_health(connector.pk) is None
    assert len(rsps.calls) == 0
