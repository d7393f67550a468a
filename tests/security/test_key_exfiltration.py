"""Regression suite: API key exfiltration by editing a connector (issue 9 point 2).

Finding class guarded: secret exfiltration. Editing a connector with the key
field left empty kept the stored key, so pointing the URL at another host and
pressing "Test" (or saving, which the health checks then follow) sent the real
key there. The stored key now only ever goes to the scheme, host and port it
was entered for; any other origin needs the key typed again.
"""

from __future__ import annotations

import re

import pytest
import responses
from django.contrib.auth import get_user_model
from django.urls import reverse

from connectors import services
from connectors.models import Connector
from tests.connectors.arr_stubs import stub_app

BASE = "http://sonarr.test:8989"
KEY = "0123456789abcdef0123456789abcdef"
NEW_KEY = "fedcba9876543210fedcba9876543210"

pytestmark = pytest.mark.django_db

# responses matches a compiled regular expression against the whole URL: any host.
_ANY = re.compile(r"https?://.*")


@pytest.fixture
def web(client, db):
    user = get_user_model().objects.create_user(
        "admin", password="correct horse battery", is_staff=True, is_superuser=True
    )
    client.force_login(user)
    return client


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


@pytest.fixture
def catcher():
    """Answers anything on any host like a working app, and records every request."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        for method in (responses.GET, responses.POST):
            rsps.add_callback(
                method,
                _ANY,
                callback=lambda request: (200, {}, '{"status": "OK"}'),
            )
        yield rsps


def _edit(web, connector, **fields):
    data = {
        "kind": "sonarr",
        "name": connector.name,
        "url": BASE,
        "api_key": "",
        "verify_ssl": "on",
        "timeout_seconds": "30",
        "action": "save",
    }
    data.update(fields)
    return web.post(reverse("connectors:edit", args=[connector.pk]), data)


def _keys_sent(rsps) -> list[str | None]:
    return [call.request.headers.get("X-Api-Key") for call in rsps.calls]


@pytest.mark.parametrize(
    "new_url",
    [
        "http://attacker.test:8989",  # host
        "http://sonarr.test:9999",  # port
        "https://sonarr.test:8989",  # scheme
        "http://10.0.0.66:8989",  # a private address is no exception
    ],
)
def test_test_button_never_sends_the_stored_key_to_a_new_origin(web, connector, catcher, new_url):
    """Secret exfiltration: Test with an empty key and a new origin sends no key at all."""
    response = _edit(web, connector, url=new_url, action="test")
    page = response.content.decode()
    assert KEY not in _keys_sent(catcher)
    assert len(catcher.calls) == 0
    assert "type the API key again" in page
    assert KEY not in page


@pytest.mark.parametrize("new_url", ["http://attacker.test:8989", "https://sonarr.test:8989"])
def test_save_with_an_empty_key_and_a_new_origin_is_refused(web, connector, catcher, new_url):
    """Secret exfiltration: saving would make every later health check send the key there."""
    response = _edit(web, connector, url=new_url, name="Moved")
    assert response.status_code == 200
    assert "type the API key again" in response.content.decode()
    assert len(catcher.calls) == 0
    connector.refresh_from_db()
    assert (connector.url, connector.name, connector.api_key) == (BASE, "Living room", KEY)


def test_a_retyped_key_is_what_goes_to_the_new_origin(web, connector):
    """Secret exfiltration fix keeps moving a connector possible, with its own key."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        stub_app(rsps, "http://new.test:8989", api_key=NEW_KEY)
        response = _edit(web, connector, url="http://new.test:8989", api_key=NEW_KEY)
        assert response.status_code == 302
        assert set(_keys_sent(rsps)) <= {NEW_KEY, None}
    connector.refresh_from_db()
    assert (connector.url, connector.api_key) == ("http://new.test:8989", NEW_KEY)


def test_same_origin_with_a_new_path_keeps_and_uses_the_stored_key(web, connector):
    """Secret exfiltration rule is per origin: a new URL base on the same host keeps the key."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        stub_app(rsps, BASE + "/sonarr", api_key=KEY)
        tested = _edit(web, connector, url=BASE + "/sonarr/", action="test")
        assert "Connected to Sonarr" in tested.content.decode()
        saved = _edit(web, connector, url=BASE + "/sonarr/")
        assert saved.status_code == 302
        assert KEY in _keys_sent(rsps)
        assert all(call.request.url.startswith(BASE + "/sonarr/") for call in rsps.calls)
    connector.refresh_from_db()
    assert (connector.url, connector.api_key) == (BASE + "/sonarr", KEY)


def test_the_edit_form_says_so_next_to_the_key_field(web, connector):
    """Secret exfiltration: the rule is stated where the user leaves the key empty."""
    page = web.get(reverse("connectors:edit", args=[connector.pk])).content.decode()
    assert "Changed the scheme, host or port?" in page
    assert "type the key again" in page


def test_the_service_refuses_too(connector, catcher):
    """Secret exfiltration: the CLI and any later API go through the same service rule."""
    with pytest.raises(services.ConnectorError) as info:
        services.connector_update(
            connector=connector,
            kind="sonarr",
            name="Living room",
            url="http://attacker.test:8989",
            api_key=None,
            verify_ssl=True,
            timeout_seconds=30,
            enabled=True,
        )
    assert services.KEY_FOR_NEW_ADDRESS in info.value.errors["api_key"]
    assert len(catcher.calls) == 0
    connector.refresh_from_db()
    assert connector.url == BASE


def test_the_admin_change_form_refuses_too(web, connector, catcher):
    """Secret exfiltration through the admin's connector form (same rule)."""
    url = reverse("admin:connectors_connector_change", args=[connector.pk])
    response = web.post(
        url,
        {
            "name": "Living room",
            "kind": "sonarr",
            "url": "http://attacker.test:8989",
            "api_key": "",
            "enabled": "on",
            "verify_ssl": "on",
            "timeout_seconds": "30",
        },
    )
    assert response.status_code == 200
    assert "type the API key again" in response.content.decode()
    connector.refresh_from_db()
    assert (connector.url, connector.api_key) == (BASE, KEY)
    assert len(catcher.calls) == 0


def test_the_command_line_update_refuses_too(connector, catcher, monkeypatch):
    """Secret exfiltration through `manage.py connectors update --url` (same service rule)."""
    from io import StringIO

    from django.core.management import CommandError, call_command

    monkeypatch.setenv("COMRADARR_API_KEY", KEY)  # a stale variable is never picked up either
    with pytest.raises(CommandError, match="type the API key again"):
        call_command(
            "connectors",
            "update",
            "Living room",
            "--url",
            "http://attacker.test:8989",
            stdout=StringIO(),
        )
    assert len(catcher.calls) == 0
    connector.refresh_from_db()
    assert connector.url == BASE


def test_the_htmx_test_button_shows_the_error_under_the_key_field(web, connector, catcher):
    """Secret exfiltration: the live Test button (htmx) says why next to the key field."""
    response = web.post(
        reverse("connectors:edit", args=[connector.pk]),
        {
            "kind": "sonarr",
            "name": connector.name,
            "url": "http://attacker.test:8989",
            "api_key": "",
            "timeout_seconds": "30",
            "action": "test",
        },
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    error = page[page.index('id="error-api_key"') :][:600]
    assert "type the API key again" in error
    assert len(catcher.calls) == 0
