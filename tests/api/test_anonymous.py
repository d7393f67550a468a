"""Anonymous read-only API access: only with API_ANONYMOUS_READ and sign-in "disabled"."""

from __future__ import annotations

import pytest
from django.urls import reverse

from api.throttling import PerKeyThrottle
from comradarr.models import AppSettings
from tests.api.conftest import api, assert_error

pytestmark = pytest.mark.django_db


def set_mode(mode: str) -> None:
    row = AppSettings.load()
    row.auth_mode = mode
    row.save()


@pytest.fixture
def opted_in(settings):
    settings.API_ANONYMOUS_READ = True
    set_mode(AppSettings.AuthMode.DISABLED)


def test_reads_without_a_key_when_allowed(install, opted_in):
    for name in ("api:status", "api:connectors", "api:queue", "api:schedules", "api:schema"):
        assert api().get(reverse(name)).status_code == 200, name
    one = api().get(reverse("api:item", args=["movie", install["movie"].pk]))
    assert one.status_code == 200 and "api_key" not in one.json()


def test_writes_still_need_a_full_key(install, opted_in, read_key):
    url = reverse("api:connector_disable", args=[install["connector"].pk])
    assert_error(api().post(url), 401, "not_authenticated")
    assert_error(api().post(reverse("api:queue_clear")), 401)
    assert_error(api(read_key.raw).post(url), 403, "insufficient_scope")


@pytest.mark.parametrize(
    "allowed, mode",
    [
        (False, AppSettings.AuthMode.DISABLED),
        (True, AppSettings.AuthMode.FULL),
        (True, AppSettings.AuthMode.LOCAL_BYPASS),
    ],
)
def test_refused_unless_both_opted_in_and_sign_in_disabled(install, settings, allowed, mode):
    settings.API_ANONYMOUS_READ = allowed
    set_mode(mode)
    assert_error(api().get(reverse("api:status")), 401, "not_authenticated")


def test_bad_keys_are_still_refused(install, opted_in, revoked_key):
    assert_error(api("cmr_wrong").get(reverse("api:status")), 401, "invalid_key")
    assert_error(api(revoked_key.raw).get(reverse("api:status")), 401, "invalid_key")
    refused = api().get(reverse("api:status"), {"apikey": "cmr_anything"})
    assert_error(refused, 401, "key_in_query")


def test_anonymous_reads_are_rate_limited(install, opted_in, monkeypatch):
    monkeypatch.setattr(PerKeyThrottle, "THROTTLE_RATES", {"api_key": "3/min"})
    client = api()
    for _ in range(3):
        assert client.get(reverse("api:connectors")).status_code == 200
    limited = client.get(reverse("api:connectors"))
    assert_error(limited, 429)
    assert int(limited.headers["Retry-After"]) >= 1


def test_the_readme_uptime_kuma_keyword_matches_only_a_healthy_answer(db, monkeypatch):
    """README: an HTTP(s) - Keyword monitor on /health with the keyword "ok" (quotes included)."""
    from django.test import Client

    keyword = b'"ok"'
    monkeypatch.setattr("comradarr.health.check_cluster", lambda: {"status": "ok"})
    monkeypatch.setattr("comradarr.health.check_queue", lambda: {"status": "ok"})
    healthy = Client().get("/health")
    assert healthy.status_code == 200 and keyword in healthy.content
    monkeypatch.setattr("comradarr.health.check_cluster", lambda: {"status": "missing"})
    degraded = Client().get("/health")
    assert degraded.status_code == 200 and keyword not in degraded.content
