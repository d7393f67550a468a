"""Correlation ids on requests, responses and log lines."""

from __future__ import annotations

import json
import re

import pytest

from comradarr import health

HEX_ID = re.compile(r"^[0-9a-f]{32}$")


@pytest.mark.django_db
def test_generated_when_absent(client):
    response = client.get("/health")
    assert HEX_ID.match(response["X-Request-ID"])
    assert client.get("/health")["X-Request-ID"] != response["X-Request-ID"]


@pytest.mark.django_db
def test_incoming_id_is_honoured(client):
    response = client.get("/health", HTTP_X_REQUEST_ID="proxy-7f3a.1:2")
    assert response["X-Request-ID"] == "proxy-7f3a.1:2"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "hostile",
    [
        "abc\ninjected log line",
        "x" * 129,
        "<script>alert(1)</script>",
        '"}, "level": "critical',
        "id with spaces",
        "",
    ],
)
def test_hostile_id_is_replaced(client, hostile):
    response = client.get("/health", HTTP_X_REQUEST_ID=hostile)
    assert HEX_ID.match(response["X-Request-ID"])


@pytest.mark.django_db
def test_log_lines_of_a_request_carry_its_id(client, log_output, monkeypatch):
    buffer = log_output("json")
    # The health view logs a warning when the database check fails.
    monkeypatch.setattr(
        health,
        "_connection_params",
        lambda: {"host": "127.0.0.1", "port": 1, "dbname": "x", "user": "x"},
    )
    response = client.get("/health", HTTP_X_REQUEST_ID="trace-me-123")
    assert response.status_code == 503
    records = [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]
    warnings = [r for r in records if r["message"] == "health: database check failed"]
    assert warnings, records
    assert all(r["correlation_id"] == "trace-me-123" for r in warnings)
