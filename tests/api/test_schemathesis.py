"""Schemathesis against the live test server: every operation in the OpenAPI document,
a few generated requests each, with a read-only key and a full key: never a 5xx, and
answers conform to the document (schema, content type) where it describes them."""

from __future__ import annotations

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from api.throttling import PerKeyThrottle

pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLES_PER_OPERATION = 4
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
def quiet_workers(monkeypatch):
    """Sweeps, syncs and searches the generated writes request are only recorded."""
    calls = []
    monkeypatch.setattr("django_q.tasks.async_task", lambda *a, **kw: calls.append(a))
    # Many requests a minute from one key: the rate limit has tests of its own.
    monkeypatch.setattr(PerKeyThrottle, "THROTTLE_RATES", {"api_key": "100000/min"})
    return calls


def run_operations(base_url: str, raw_key: str) -> int:
    document = requests.get(
        f"{base_url}/api/v1/schema/", headers={"X-Api-Key": raw_key}, timeout=10
    ).json()
    schema = schemathesis.openapi.from_dict(document)
    headers = {"X-Api-Key": raw_key}
    count = 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case) -> None:
            response = case.call(base_url=base_url, headers=headers, timeout=30)
            case.validate_response(response, checks=CHECKS)

        check()
        count += 1
    return count


def test_every_operation_with_a_read_only_and_a_full_key(
    live_server, install, read_key, full_key, quiet_workers
):
    read_ops = run_operations(live_server.url, read_key.raw)
    full_ops = run_operations(live_server.url, full_key.raw)
    assert read_ops == full_ops >= 20
