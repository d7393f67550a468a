"""Secrets in logs: log records made while using a connector's API key never contain it.

The peer logged full request headers (and so every *arr API key) at debug
level. Here every logger runs at DEBUG (urllib3 and requests included) while a
connector is checked, synced, tested from the web page, refused by its app
(wrong key), unreachable, and answering 500; every record, with its extra
fields, is rendered by the production JSON formatter and searched.
"""

from __future__ import annotations

import io
import logging

import pytest
from django.urls import reverse

from comradarr.logs import JsonFormatter
from connectors import health
from connectors.models import Connector

pytestmark = pytest.mark.django_db


@pytest.fixture
def all_logs():
    """Every record of every logger at DEBUG, as the JSON lines production writes."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(JsonFormatter())
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    saved = (
        root.level,
        {
            name: lg.level
            for name, lg in logging.root.manager.loggerDict.items()
            if isinstance(lg, logging.Logger)
        },
    )
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for name in saved[1]:
        logging.getLogger(name).setLevel(logging.DEBUG)
    for name in ("urllib3", "requests", "django.request", "django.server", "django_q"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield buffer
    root.removeHandler(handler)
    root.setLevel(saved[0])
    for name, level in saved[1].items():
        logging.getLogger(name).setLevel(level)


def assert_no_secret(buffer: io.StringIO, *secrets: str) -> None:
    text = buffer.getvalue()
    assert text, "nothing was logged: the test would prove nothing"
    for secret in secrets:
        assert secret not in text
        assert secret[-12:] not in text


def test_health_check_and_sync_log_no_key(all_logs, fake_sonarr):
    """Class: secrets in logs (API keys written to debug logs)."""
    from content.sync.runner import connector_sync

    connector = Connector.objects.create(
        name="Fake", kind="sonarr", url=fake_sonarr.url, api_key=fake_sonarr.api_key
    )
    result = health.check_connector(connector)
    assert result.ok
    connector_sync(connector=connector, kind="full")
    assert_no_secret(all_logs, fake_sonarr.api_key)


def test_wrong_key_refused_by_the_app_logs_neither_key(all_logs, fake_sonarr):
    """Class: secrets in logs: a 401 from the app is logged without the key that was sent."""
    wrong = "0000deadbeef0000deadbeef0000dead"
    connector = Connector.objects.create(
        name="Fake", kind="sonarr", url=fake_sonarr.url, api_key=wrong
    )
    result = health.check_connector(connector)
    assert not result.ok
    assert_no_secret(all_logs, wrong, fake_sonarr.api_key)


def test_unreachable_and_failing_apps_log_no_key(all_logs, rsps_free_port):
    """Class: secrets in logs: connection errors and 500s carry no key into the log."""
    key = "abcdabcdabcdabcdabcdabcdabcd1234"
    connector = Connector.objects.create(
        name="Gone", kind="sonarr", url=f"http://127.0.0.1:{rsps_free_port}", api_key=key
    )
    assert not health.check_connector(connector, timeout=2).ok
    assert_no_secret(all_logs, key)


def test_the_test_button_logs_no_key(all_logs, signed_in, fake_sonarr):
    """Class: secrets in logs: the web page's "Test" and the save it leads to."""
    connector = Connector.objects.create(
        name="Fake", kind="sonarr", url=fake_sonarr.url, api_key=fake_sonarr.api_key
    )
    response = signed_in.post(reverse("connectors:test", args=[connector.pk]))
    assert response.status_code in (200, 302)
    signed_in.post(
        reverse("connectors:add"),
        {
            "name": "Again",
            "kind": "sonarr",
            "url": fake_sonarr.url,
            "api_key": fake_sonarr.api_key,
            "timeout_seconds": "10",
            "enabled": "on",
            "verify_ssl": "on",
        },
    )
    assert_no_secret(all_logs, fake_sonarr.api_key)


@pytest.fixture
def rsps_free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
