"""Fixtures of the content tests: connectors backed by a `responses` *arr stub."""

from __future__ import annotations

import pytest
import responses

from connectors.registry import client_for
from tests.content.arrstub import StubArr
from tests.content.builders import make_connector


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def fast_client(connector):
    """The real client, with retry back-off sleeps skipped (retries still happen)."""
    client = client_for(connector)
    client.http.sleep = lambda seconds: None
    return client


@pytest.fixture(autouse=True)
def _no_retry_sleeps(monkeypatch):
    monkeypatch.setattr("content.sync.runner._default_client_for", fast_client)


@pytest.fixture
def sonarr_stub(rsps, db):
    stub = StubArr(base="http://sonarr.test:8989", kind="sonarr")
    stub.install(rsps)
    stub.connector = make_connector(
        "sonarr", "sonarr", url=stub.base, app_version="4.0.19.2979", app_name="Sonarr"
    )
    return stub


@pytest.fixture
def radarr_stub(rsps, db):
    stub = StubArr(base="http://radarr.test:7878", kind="radarr")
    stub.install(rsps)
    stub.connector = make_connector(
        "radarr", "radarr", url=stub.base, app_version="5.28.0.10205", app_name="Radarr"
    )
    return stub
