"""Who may call the API: 401 without a valid key, 403 for a read-only key writing,
keys only in headers, in every auth mode, and the key's last use recorded."""

from __future__ import annotations

import pytest
from django.urls import reverse

from api.models import ApiKey
from comradarr.models import AppSettings
from tests.api.conftest import api, assert_error

pytestmark = pytest.mark.django_db

STATUS = "api:status"


def test_no_key_is_401_with_a_challenge():
    response = api().get(reverse(STATUS))
    error = assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "credentials" in error["message"].lower()


@pytest.mark.parametrize("bearer", [False, True], ids=["x-api-key", "bearer"])
def test_a_key_in_either_header_works_and_its_use_is_recorded(read_key, bearer):
    response = api(read_key.raw, bearer=bearer).get(reverse(STATUS), REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 200
    key = ApiKey.objects.get(pk=read_key.key.pk)
    assert key.last_used_at is not None and key.last_used_ip == "192.0.2.7"


@pytest.mark.parametrize(
    "fixture, message",
    [("revoked_key", "revoked"), ("expired_key", "expired")],
)
def test_revoked_and_expired_keys_are_401(request, fixture, message):
    created = request.getfixturevalue(fixture)
    error = assert_error(api(created.raw).get(reverse(STATUS)), 401, "invalid_key")
    assert message in error["message"]
    assert ApiKey.objects.get(pk=created.key.pk).last_used_at is None


@pytest.mark.parametrize("raw", ["cmr_wrong", "nonsense", "cmr_" + "A" * 43, "x" * 5000])
def test_a_wrong_key_is_401(db, raw):
    assert_error(api(raw).get(reverse(STATUS)), 401, "invalid_key")


@pytest.mark.parametrize("param", ["apikey", "api_key", "ApiKey", "token", "access_token"])
def test_a_key_in_the_query_string_is_refused_even_beside_a_valid_header(read_key, param):
    url = reverse(STATUS) + f"?{param}={read_key.raw}"
    for client in (api(), api(read_key.raw)):
        error = assert_error(client.get(url), 401, "key_in_query")
        assert "query string" in error["message"] and "X-Api-Key" in error["message"]
        assert read_key.raw not in str(error)
    assert ApiKey.objects.get(pk=read_key.key.pk).last_used_at is None


def test_a_read_only_key_cannot_write_403(read_key):
    response = api(read_key.raw).post(
        reverse("api:queue_pause"), {}, content_type="application/json"
    )
    error = assert_error(response, 403, "insufficient_scope")
    assert "read-only" in error["message"]


def test_a_browser_session_does_not_drive_the_api(signed_in):
    """No session authentication: a signed-in cookie alone is not a key (and needs no CSRF)."""
    assert_error(signed_in.get(reverse(STATUS)), 401)
    assert_error(signed_in.post(reverse("api:queue_pause")), 401)


def test_auth_disabled_still_needs_a_key(db, read_key):
    AppSettings.objects.filter(pk=AppSettings.load().pk).update(auth_mode="disabled")
    from comradarr.accounts import runtime

    runtime.invalidate()
    assert_error(api().get(reverse(STATUS)), 401)
    assert api(read_key.raw).get(reverse(STATUS)).status_code == 200


def test_the_rate_limit_is_per_key_and_answers_429_with_retry_after(
    monkeypatch, read_key, full_key
):
    from api.throttling import PerKeyThrottle

    monkeypatch.setattr(PerKeyThrottle, "THROTTLE_RATES", {"api_key": "3/min"})
    client = api(read_key.raw)
    for _ in range(3):
        assert client.get(reverse(STATUS)).status_code == 200
    response = client.get(reverse(STATUS))
    error = assert_error(response, 429, "throttled")
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "throttled" in error["message"].lower()
    # Another key has its own allowance.
    assert api(full_key.raw).get(reverse(STATUS)).status_code == 200


def test_the_default_rate_is_120_a_minute():
    from api.throttling import PerKeyThrottle

    assert PerKeyThrottle.THROTTLE_RATES["api_key"] == "120/min"


def test_health_details_need_a_valid_key_in_a_header(client, read_key, revoked_key):
    url = reverse("health")
    assert set(client.get(url).json()) == {"status"}
    assert set(client.get(url, headers={"X-Api-Key": revoked_key.raw}).json()) == {"status"}
    assert set(client.get(url + f"?apikey={read_key.raw}").json()) == {"status"}
    detailed = client.get(url, headers={"X-Api-Key": read_key.raw}).json()
    assert {"version", "database", "cluster"} <= set(detailed)
    bearer = client.get(url, headers={"Authorization": f"Bearer {read_key.raw}"}).json()
    assert "version" in bearer


def test_the_rate_is_counted_where_every_process_sees_it(monkeypatch, read_key):
    """Two gunicorn workers share one allowance: the count lives in the database cache."""
    from django.core.cache import caches

    from api.throttling import SHARED_CACHE, PerKeyThrottle

    monkeypatch.setattr(PerKeyThrottle, "THROTTLE_RATES", {"api_key": "2/min"})
    api(read_key.raw).get(reverse(STATUS))
    assert caches[SHARED_CACHE].get(f"throttle_api_key_{read_key.key.pk}")
    caches["default"].clear()  # another process's memory cache knows nothing
    api(read_key.raw).get(reverse(STATUS))
    assert_error(api(read_key.raw).get(reverse(STATUS)), 429)


def test_health_still_answers_when_the_key_cannot_be_read(client, read_key, monkeypatch):
    """With the database gone the key check fails quietly: the short answer, never a 500."""
    from django.db import OperationalError

    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("api.keys.check_key", down)
    response = client.get(reverse("health"), headers={"X-Api-Key": read_key.raw})
    assert response.status_code == 200 and set(response.json()) == {"status"}
