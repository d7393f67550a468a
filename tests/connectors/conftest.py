"""Fixtures for the *arr client tests: recorded JSON, mocked HTTP, clients that never sleep."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import responses

from connectors.common.capabilities import capabilities_for
from connectors.common.http import HttpClient
from connectors.registry import client_class_for

FIXTURES = Path(__file__).resolve().parent / "fixtures"
API_KEY = "0123456789abcdef0123456789abcdef"

# Where each recorded fixture's shape comes from: (spec, method, path). Command bodies
# echo the command's own fields (docs/arr-api.md section 5), which the generic Command schema
# does not list; the overlay adds exactly those.
COMMAND_OVERLAY = {
    "Command": {
        "seriesId": {"type": "integer"},
        "seasonNumber": {"type": "integer"},
        "episodeIds": {"type": "array", "items": {"type": "integer"}},
        "movieIds": {"type": "array", "items": {"type": "integer"}},
    }
}


def load_fixture(app: str, name: str) -> Any:
    return json.loads((FIXTURES / app / f"{name}.json").read_text())


class Sleeps(list):
    """Records the delays a client would have slept."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def make_http(sleeps):
    def build(base_url: str = "http://sonarr.test:8989", **kwargs: Any) -> HttpClient:
        kwargs.setdefault("app_label", "Sonarr")
        http = HttpClient(base_url, kwargs.pop("api_key", API_KEY), **kwargs)
        http.sleep = sleeps
        return http

    return build


@pytest.fixture
def make_client(sleeps):
    """make_client("sonarr", "4.0.19.2979") -> the client build_client would pick, not sleeping."""

    def build(kind: str, version: str, base_url: str = "http://arr.test:8989", **kwargs: Any):
        http = HttpClient(base_url, API_KEY, app_label=kind.capitalize(), **kwargs)
        http.sleep = sleeps
        caps = capabilities_for(kind, version)
        return client_class_for(kind, caps)(http, caps)

    return build
