"""Small helpers shared by the fakearr tests."""

from __future__ import annotations

from typing import Any

import requests

from tests.contract import validate_response
from tests.fakearr import FakeArr
from tests.fakearr.specs import overlay_for


def get(arr: FakeArr, path: str, params: Any = None, **kw: Any) -> requests.Response:
    return requests.get(
        arr.url + path, params=params, headers={"X-Api-Key": arr.api_key}, timeout=10, **kw
    )


def post(arr: FakeArr, path: str, body: Any) -> requests.Response:
    return requests.post(arr.url + path, json=body, headers={"X-Api-Key": arr.api_key}, timeout=10)


def check(
    arr: FakeArr,
    path: str,
    params: Any = None,
    *,
    method: str = "GET",
    body: Any = None,
    template: str | None = None,
) -> Any:
    """Call an endpoint, expect 2xx, validate the body against the version's OpenAPI document."""
    response = post(arr, path, body) if method == "POST" else get(arr, path, params)
    assert response.status_code in (200, 201), (path, response.status_code, response.text[:300])
    data = response.json()
    validate_response(
        arr.profile.spec_file,
        method,
        template or path,
        response.status_code,
        data,
        overlay=overlay_for(arr.profile),
    )
    return data
