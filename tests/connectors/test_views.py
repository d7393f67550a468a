"""Connector pages: list, add (with the connection test), edit, delete, detail, actions.

The *arr app is faked with `responses`; every bad input must show its message
and save nothing, and the API key must never appear in any page.
"""

from __future__ import annotations

import pytest
import requests
import responses
from django.contrib.auth import get_user_model
from django.urls import reverse

from connectors import health
from connectors.models import Connector, ConnectorHealthCheck
from tests.connectors.arr_stubs import WARNING, stub_app

BASE = "http://sonarr.test:8989"
KEY = "0123456789abcdef0123456789abcdef"
OTHER_KEY = "fedcba9876543210fedcba9876543210"

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(db):
    return get_user_model().objects.create_user("admin", password="correct horse battery")


@pytest.fixture
def web(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def connector(db):
    return Connector.objects.create(
        name="Living room",
        kind="sonarr",
        url=BASE,
        api_key=KEY,
        app_name="Sonarr",
        app_version="4.0.19.2979",
        health_status="healthy",
    )


def form_data(**overrides) -> dict:
    data = {
        "kind": "sonarr",
        "name": "Sonarr",
        "url": BASE + "/",
        "api_key": KEY,
        "verify_ssl": "on",
        "timeout_seconds": "30",
        "action": "save",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def html(response) -> str:
    return response.content.decode()


# -- list ----------------------------------------------------------------------------------


def test_pages_need_a_signed_in_user(client, connector):
    for url in (
        reverse("connectors:list"),
        reverse("connectors:add"),
        reverse("connectors:detail", args=[connector.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("login") in response["Location"]


def test_list_shows_each_connector(web, connector, django_assert_max_num_queries):
    Connector.objects.create(
        name="Movies", kind="radarr", url="http://radarr:7878", api_key=OTHER_KEY, enabled=False
    )
    with django_assert_max_num_queries(12):
        response = web.get(reverse("connectors:list"))
    page = html(response)
    assert response.status_code == 200
    assert "Living room" in page and "Movies" in page
    assert "4.0.19.2979" in page
    assert "badge-healthy" in page
    assert reverse("connectors:toggle", args=[connector.pk]) in page
    assert reverse("connectors:edit", args=[connector.pk]) in page
    assert reverse("connectors:delete", args=[connector.pk]) in page
    assert KEY not in page and OTHER_KEY not in page


def test_empty_list_invites_to_add(web):
    page = html(web.get(reverse("connectors:list")))
    assert "No connectors yet" in page
    assert reverse("connectors:add") in page


# -- add -----------------------------------------------------------------------------------


def test_add_tests_the_connection_and_saves(web, rsps):
    stub_app(rsps, BASE, api_key=KEY, health=[WARNING])
    response = web.post(reverse("connectors:add"), form_data())
    connector = Connector.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("connectors:detail", args=[connector.pk])
    assert connector.url == BASE  # trailing slash stripped
    assert connector.api_key == KEY
    assert connector.enabled
    assert connector.app_version == "4.0.19.2979"
    assert connector.health_status == "degraded"
    assert ConnectorHealthCheck.objects.filter(connector=connector).count() == 1


def test_add_keeps_the_url_base(web, rsps):
    stub_app(rsps, "http://host.test/sonarr")
    web.post(reverse("connectors:add"), form_data(url="HTTP://Host.test//sonarr/"))
    assert Connector.objects.get().url == "http://host.test/sonarr"


BAD_INPUT = [
    ("url", "sonarr:8989", "http:// or https://"),
    ("url", "192.168.1.5:8989", "http:// or https://"),
    ("url", "ftp://sonarr:8989", "ftp:// is not supported"),
    ("url", "http://son arr:8989", "cannot contain spaces"),
    ("url", "", "This field is required"),
    ("url", "http://<script>alert(1)</script>", "not a valid host name"),
    ("url", "http://sonarr:99999", "port"),
    ("url", "http://user:pw@sonarr:8989", "user name and password"),
    ("url", "http://sonarr:8989/?apikey=x", "query"),
    ("url", "http://" + "a" * 600 + ".com", "too long"),
    ("api_key", "", "Enter the API key"),
    ("api_key", "abc def", "cannot contain spaces"),
    ("api_key", "k" * 300, "too long"),
    ("name", "", "This field is required"),
    ("name", "<script>alert(1)</script>", "Use letters, digits"),
    ("name", "n" * 180, "too long"),
    ("timeout_seconds", "0", "between 1 and 300"),
    ("timeout_seconds", "100000", "between 1 and 300"),
    ("timeout_seconds", "abc", "whole number"),
    ("kind", "lidarr", "Select a valid choice"),
    ("kind", "<script>", "Select a valid choice"),
]


@pytest.mark.parametrize(("field", "value", "message"), BAD_INPUT)
def test_add_refuses_bad_input_next_to_its_field(web, rsps, field, value, message):
    response = web.post(reverse("connectors:add"), form_data(**{field: value}))
    page = html(response)
    assert response.status_code == 200
    assert not Connector.objects.exists()
    assert len(rsps.calls) == 0  # nothing was even tried
    # The message sits in that field's error slot.
    slot = page.split(f'id="error-{field}"', 1)[1].split("</ul>", 1)[0]
    assert message.lower() in slot.lower(), slot
    assert "<script>alert(1)</script>" not in page
    assert "<script>" not in page.split("<main", 1)[1]


def test_add_refuses_a_duplicate_name(web, rsps, connector):
    stub_app(rsps, BASE)
    response = web.post(reverse("connectors:add"), form_data(name="living ROOM"))
    assert "already exists" in html(response)
    assert Connector.objects.count() == 1


@pytest.mark.parametrize(
    ("setup", "field", "message"),
    [
        ("refused", "url", "Sonarr at http://sonarr.test:8989 is not reachable"),
        ("wrong_key", "api_key", "API key"),
        ("html", "url", "URL base"),
        ("wrong_kind", "kind", "This is Radarr, not Sonarr"),
    ],
)
def test_add_refuses_a_failing_connection(web, rsps, setup, field, message):
    if setup == "refused":
        rsps.add(responses.GET, f"{BASE}/ping", body=requests.ConnectionError("refused"))
    elif setup == "wrong_key":
        stub_app(rsps, BASE, api_key=OTHER_KEY)
    elif setup == "html":
        rsps.add(responses.GET, f"{BASE}/ping", body="<html>login</html>", content_type="text/html")
    else:
        stub_app(rsps, BASE, status="radarr")
    response = web.post(reverse("connectors:add"), form_data())
    page = html(response)
    assert not Connector.objects.exists()
    assert not ConnectorHealthCheck.objects.exists()
    assert "Not saved: the connection test failed" in page
    slot = page.split(f'id="error-{field}"', 1)[1].split("</ul>", 1)[0]
    assert message in slot
    assert KEY not in page


def test_save_disabled_saves_without_calling_the_app(web, rsps):
    response = web.post(reverse("connectors:add"), form_data(save_disabled="on"))
    connector = Connector.objects.get()
    assert response.status_code == 302
    assert not connector.enabled
    assert connector.health_status == "unknown"
    assert len(rsps.calls) == 0


def test_test_button_with_htmx_returns_the_result_fragment(web, rsps):
    stub_app(rsps, BASE, status="radarr_old")
    response = web.post(
        reverse("connectors:add"),
        form_data(kind="radarr", action="test"),
        HTTP_HX_REQUEST="true",
    )
    page = html(response)
    assert response.status_code == 200
    assert "<html" not in page
    assert "Connected to Radarr 4.7.5.7809" in page
    assert "Radarr 4" in page  # instance name
    assert "4.7.5" in page and "old" in page  # capability warning
    assert 'id="error-url" hx-swap-oob="true"' in page
    assert KEY not in page
    assert not Connector.objects.exists()


def test_test_button_failure_puts_the_message_next_to_the_field(web, rsps):
    stub_app(rsps, BASE, api_key=OTHER_KEY)
    response = web.post(reverse("connectors:add"), form_data(action="test"), HTTP_HX_REQUEST="true")
    page = html(response)
    assert "Connection failed" in page
    slot = page.split('id="error-api_key" hx-swap-oob="true"', 1)[1].split("</ul>", 1)[0]
    assert "API key" in slot
    assert not Connector.objects.exists()


def test_test_button_without_javascript_renders_the_whole_form(web, rsps):
    stub_app(rsps, BASE)
    response = web.post(reverse("connectors:add"), form_data(action="test"))
    page = html(response)
    assert "<html" in page
    assert "Connected to Sonarr 4.0.19.2979" in page
    assert "Type the key again" in page
    assert KEY not in page  # the typed key is not echoed back
    assert not Connector.objects.exists()


def test_test_button_with_invalid_fields_calls_nothing(web, rsps):
    response = web.post(
        reverse("connectors:add"),
        form_data(url="ftp://sonarr", action="test"),
        HTTP_HX_REQUEST="true",
    )
    page = html(response)
    assert "Not tested" in page
    assert "ftp:// is not supported" in page
    assert len(rsps.calls) == 0


def test_test_button_caps_the_timeout(web, rsps, monkeypatch):
    seen = {}
    real_probe = health.probe

    def spy(**kwargs):
        seen.update(kwargs)
        return real_probe(**kwargs)

    monkeypatch.setattr(health, "probe", spy)
    stub_app(rsps, BASE)
    web.post(reverse("connectors:add"), form_data(action="test", timeout_seconds="120"))
    assert seen["timeout"] == health.INTERACTIVE_TIMEOUT_SECONDS
    assert seen["interactive"] is True


# -- edit ----------------------------------------------------------------------------------


def test_edit_form_never_contains_the_key(web, connector):
    page = html(web.get(reverse("connectors:edit", args=[connector.pk])))
    assert KEY not in page
    assert connector.masked_api_key in page  # as the placeholder
    assert 'value="Living room"' in page
    assert "Leave empty to keep the stored key" in page


def test_edit_with_an_empty_key_keeps_the_stored_key(web, rsps, connector):
    response = web.post(
        reverse("connectors:edit", args=[connector.pk]),
        form_data(name="Upstairs", url=BASE, api_key=""),
    )
    assert response.status_code == 302
    connector.refresh_from_db()
    assert connector.name == "Upstairs"
    assert connector.api_key == KEY
    assert len(rsps.calls) == 0  # nothing about the connection changed


def test_edit_changing_the_key_tests_with_the_new_key(web, rsps, connector):
    stub_app(rsps, BASE, api_key=OTHER_KEY)
    response = web.post(
        reverse("connectors:edit", args=[connector.pk]), form_data(url=BASE, api_key=OTHER_KEY)
    )
    assert response.status_code == 302
    connector.refresh_from_db()
    assert connector.api_key == OTHER_KEY
    assert connector.health_status == "healthy"


def test_edit_with_a_failing_connection_changes_nothing(web, rsps, connector):
    rsps.add(responses.GET, "http://elsewhere.test:8989/ping", body=requests.ConnectionError("x"))
    response = web.post(
        reverse("connectors:edit", args=[connector.pk]),
        form_data(name="Renamed", url="http://elsewhere.test:8989", api_key=OTHER_KEY),
    )
    page = html(response)
    assert "Not saved" in page
    connector.refresh_from_db()
    assert (connector.name, connector.url, connector.api_key) == ("Living room", BASE, KEY)
    assert KEY not in page


def test_edit_test_button_uses_the_stored_key(web, rsps, connector):
    stub_app(rsps, BASE, api_key=KEY)
    response = web.post(
        reverse("connectors:edit", args=[connector.pk]),
        form_data(url=BASE, api_key="", action="test"),
        HTTP_HX_REQUEST="true",
    )
    assert "Connected to Sonarr" in html(response)
    assert rsps.calls[1].request.headers["X-Api-Key"] == KEY
    assert KEY not in html(response)


def test_edit_refuses_a_name_taken_by_another(web, rsps, connector):
    Connector.objects.create(name="Other", kind="radarr", url="http://r:7878", api_key=OTHER_KEY)
    response = web.post(
        reverse("connectors:edit", args=[connector.pk]),
        form_data(name="other", url=BASE, api_key=""),
    )
    assert "already exists" in html(response)
    connector.refresh_from_db()
    assert connector.name == "Living room"


# -- delete, toggle, test, detail ----------------------------------------------------------


def test_delete_asks_for_confirmation_first(web, connector):
    page = html(web.get(reverse("connectors:delete", args=[connector.pk])))
    assert "mirror" in page and "search state" in page
    assert Connector.objects.filter(pk=connector.pk).exists()
    assert KEY not in page


def test_delete_removes_the_connector_and_its_history(web, connector):
    ConnectorHealthCheck.objects.create(
        connector=connector, checked_at=connector.created_at, status="healthy"
    )
    page = html(web.get(reverse("connectors:delete", args=[connector.pk])))
    assert "health checks" in page  # what goes with it is counted
    response = web.post(reverse("connectors:delete", args=[connector.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("connectors:list")
    assert not Connector.objects.exists()
    assert not ConnectorHealthCheck.objects.exists()


def test_toggle_flips_enabled(web, connector):
    response = web.post(reverse("connectors:toggle", args=[connector.pk]))
    assert response.status_code == 302
    connector.refresh_from_db()
    assert not connector.enabled
    response = web.post(reverse("connectors:toggle", args=[connector.pk]), HTTP_HX_REQUEST="true")
    connector.refresh_from_db()
    assert connector.enabled
    assert f'id="connector-{connector.pk}"' in html(response)
    assert 'aria-checked="true"' in html(response)


def test_actions_refuse_get(web, connector):
    assert web.get(reverse("connectors:toggle", args=[connector.pk])).status_code == 405
    assert web.get(reverse("connectors:test", args=[connector.pk])).status_code == 405


def test_unknown_connector_is_404(web):
    assert web.get(reverse("connectors:detail", args=[999999])).status_code == 404
    assert web.post(reverse("connectors:toggle", args=[999999])).status_code == 404


def test_check_now_records_a_check(web, rsps, connector):
    stub_app(rsps, BASE, health=[WARNING])
    response = web.post(reverse("connectors:test", args=[connector.pk]))
    assert response.status_code == 302
    connector.refresh_from_db()
    assert connector.health_status == "degraded"
    assert ConnectorHealthCheck.objects.filter(connector=connector).count() == 1
    response = web.post(reverse("connectors:test", args=[connector.pk]), HTTP_HX_REQUEST="true")
    assert "badge-degraded" in html(response)


def test_check_now_failure_is_shown_as_a_message(web, rsps, connector):
    rsps.add(responses.GET, f"{BASE}/ping", body=requests.ConnectionError("refused"))
    response = web.post(reverse("connectors:test", args=[connector.pk]), follow=True)
    page = html(response)
    assert "alert-error" in page
    assert "sonarr.test" in page
    assert KEY not in page


def test_detail_shows_history_capabilities_and_version_warnings(web, rsps):
    stub_app(rsps, "http://radarr.test:7878", status="radarr_old", health=[WARNING])
    old = Connector.objects.create(
        name="Old Radarr", kind="radarr", url="http://radarr.test:7878", api_key=KEY
    )
    health.check_connector(old)
    page = html(web.get(reverse("connectors:detail", args=[old.pk])))
    assert "Radarr 4.7.5" in page
    assert "Radarr 4.7.5.7809 is old: 5.10.3 or newer" in page
    assert "Health history" in page
    assert WARNING["message"] in page
    assert "cap-no" in page  # no /wanted endpoints before 5.6
    assert old.masked_api_key in page
    assert KEY not in page


def test_the_key_is_in_no_page(web, rsps, connector):
    stub_app(rsps, BASE)
    health.check_connector(connector)
    pages = [
        reverse("connectors:list"),
        reverse("connectors:add"),
        reverse("connectors:detail", args=[connector.pk]),
        reverse("connectors:edit", args=[connector.pk]),
        reverse("connectors:delete", args=[connector.pk]),
        reverse("admin:connectors_connector_changelist"),
        reverse("admin:connectors_connector_change", args=[connector.pk]),
        reverse("admin:connectors_connectorhealthcheck_changelist"),
    ]
    get_user_model().objects.filter(username="admin").update(is_staff=True, is_superuser=True)
    for url in pages:
        response = web.get(url)
        assert response.status_code == 200, url
        assert KEY not in html(response), url
    for url in (
        reverse("connectors:detail", args=[connector.pk]),
        reverse("connectors:edit", args=[connector.pk]),
        reverse("admin:connectors_connector_change", args=[connector.pk]),
    ):
        assert connector.masked_api_key in html(web.get(url)), url


def test_admin_keeps_the_key_when_the_field_is_left_empty(web, connector):
    get_user_model().objects.filter(username="admin").update(is_staff=True, is_superuser=True)
    # Same scheme, host and port: the stored key may stay (another origin needs it typed).
    Connector.objects.filter(pk=connector.pk).update(url="http://sonarr:8989/old-base")
    url = reverse("admin:connectors_connector_change", args=[connector.pk])
    page = html(web.get(url))
    assert KEY not in page
    response = web.post(
        url,
        {
            "name": "Renamed in admin",
            "kind": "sonarr",
            "url": "http://sonarr:8989/",
            "api_key": "",
            "enabled": "on",
            "verify_ssl": "on",
            "timeout_seconds": "30",
        },
    )
    assert response.status_code == 302, html(response)
    connector.refresh_from_db()
    assert connector.name == "Renamed in admin"
    assert connector.url == "http://sonarr:8989"  # single-label hosts are fine, slash stripped
    assert connector.api_key == KEY


def test_check_now_with_htmx_swaps_the_row_and_says_why(web, rsps, connector):
    rsps.add(responses.GET, f"{BASE}/ping", body=requests.ConnectionError("refused"))
    response = web.post(reverse("connectors:test", args=[connector.pk]), HTTP_HX_REQUEST="true")
    page = html(response)
    assert page.lstrip().startswith("<tr")
    assert "badge-offline" in page
    assert 'id="messages" class="messages" hx-swap-oob="true"' in page
    assert "alert-error" in page and "sonarr.test" in page


def test_last_contact_is_shown_in_the_configured_time_zone(web, connector, settings):
    from datetime import UTC, datetime

    settings.TIME_ZONE_ENV = "Asia/Tokyo"  # TZ in the environment wins over the settings page
    contact = datetime(2026, 1, 2, 23, 30, tzinfo=UTC)
    Connector.objects.filter(pk=connector.pk).update(last_contact_at=contact)
    page = html(web.get(reverse("connectors:list")))
    assert "Jan 3, 08:30" in page  # UTC+9
    assert "Times are in JST" in page
    detail = html(web.get(reverse("connectors:detail", args=[connector.pk])))
    assert "2026-01-03 08:30:00 JST" in detail


def test_an_unsupported_version_is_flagged_on_test_and_detail(web, rsps):
    stub_app(rsps, BASE, status={"appName": "Sonarr", "version": "2.0.0.5344"})
    response = web.post(
        reverse("connectors:add"),
        form_data(action="test"),
        headers={"HX-Request": "true"},
    )
    assert "Sonarr 2.0.0.5344 is not supported" in html(response)
    web.post(reverse("connectors:add"), form_data())
    connector = Connector.objects.get()
    assert connector.health_status == "degraded"
    page = html(web.get(reverse("connectors:detail", args=[connector.pk])))
    assert "Sonarr 2.0.0.5344 is not supported: Comradarr needs Sonarr 3 or newer" in page
    assert "alert-error" in page


def test_the_list_flags_an_old_version(web, connector):
    Connector.objects.create(
        name="Old Radarr",
        kind="radarr",
        url="http://radarr.test:7878",
        api_key=OTHER_KEY,
        app_name="Radarr",
        app_version="4.7.5.7809",
    )
    page = html(web.get(reverse("connectors:list")))
    new_row, old_row = page.split("connector-row")[1:3]  # by name: "Living room" first
    assert "version-warning" not in new_row  # Sonarr 4.0.19 is current
    assert "version-warning" in old_row
    assert "Radarr 4.7.5.7809 is old: 5.10.3 or newer" in old_row
