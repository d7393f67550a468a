"""Connector pages in a real browser, against fakearr servers."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from connectors import health, services
from connectors.models import Connector


def fill_form(page: Page, *, kind: str, name: str, url: str, api_key: str) -> None:
    page.locator(f'input[name="kind"][value="{kind}"]').check()
    page.get_by_label("Name").fill(name)
    page.get_by_label("URL", exact=True).fill(url)
    page.get_by_label("API key").fill(api_key)


def test_add_a_connector_with_a_connection_test(logged_in_page: Page, fake_sonarr, screenshot):
    page = logged_in_page
    page.goto(reverse("connectors:list"))
    expect(page.get_by_text("No connectors yet")).to_be_visible()
    page.get_by_role("link", name="Add your first connector").click()
    expect(page).to_have_url(re.compile(r"/connectors/add/$"))

    fill_form(
        page,
        kind="sonarr",
        name="Living room",
        url=fake_sonarr.url + "/",
        api_key=fake_sonarr.api_key,
    )
    page.get_by_role("button", name="Test connection").click()
    result = page.locator("#test-result")
    expect(result).to_contain_text(f"Connected to Sonarr {fake_sonarr.profile.version}")
    expect(result).to_contain_text("Sonarr")  # instance name
    assert not Connector.objects.exists()  # a test saves nothing
    assert fake_sonarr.api_key not in page.content()
    screenshot(page, "connectors-add-tested", full_page=False)

    page.get_by_role("button", name="Save connector").click()
    expect(page).to_have_url(re.compile(r"/connectors/\d+/$"))
    expect(page.locator(".topbar-title")).to_have_text("Living room")
    expect(page.locator(".messages")).to_contain_text("added")
    expect(page.locator("main")).to_contain_text(fake_sonarr.profile.version)
    expect(page.locator(".health-table tbody tr")).to_have_count(1)
    connector = Connector.objects.get()
    assert connector.url == fake_sonarr.url
    assert connector.api_key == fake_sonarr.api_key
    assert fake_sonarr.api_key not in page.content()
    screenshot(page, "connectors-detail", full_page=False)


def test_errors_show_next_to_their_fields(logged_in_page: Page, fake_radarr, screenshot):
    page = logged_in_page
    page.goto(reverse("connectors:add"))

    # Wrong key, found by the test button: the message sits under the key field.
    fill_form(page, kind="radarr", name="Movies", url=fake_radarr.url, api_key="0" * 32)
    page.get_by_role("button", name="Test connection").click()
    expect(page.locator("#test-result")).to_contain_text("Connection failed")
    expect(page.locator("#error-api_key")).to_contain_text("API key")

    # Right key but the wrong kind, found on save: refused, nothing stored.
    fill_form(page, kind="sonarr", name="Movies", url=fake_radarr.url, api_key=fake_radarr.api_key)
    page.get_by_role("button", name="Save connector").click()
    expect(page.locator("#error-kind")).to_contain_text("This is Radarr, not Sonarr")
    expect(page.locator("main")).to_contain_text("Not saved: the connection test failed")
    screenshot(page, "connectors-add-wrong-kind", full_page=False)

    # A malformed URL never reaches the network.
    page.get_by_label("URL", exact=True).fill("ftp://radarr:7878")
    page.get_by_label("API key").fill(fake_radarr.api_key)
    page.get_by_role("button", name="Test connection").click()
    expect(page.locator("#error-url")).to_contain_text("ftp:// is not supported")
    expect(page.locator("#test-result")).to_contain_text("Not tested")
    assert not Connector.objects.exists()
    screenshot(page, "connectors-add-errors", full_page=False)


@pytest.fixture
def saved(transactional_db, fake_sonarr, fake_whisparr_v3):
    live = services.connector_create(
        kind="sonarr", name="Sonarr", url=fake_sonarr.url, api_key=fake_sonarr.api_key
    )
    services.connector_create(
        kind="whisparr",
        name="Whisparr Eros",
        url=fake_whisparr_v3.url,
        api_key=fake_whisparr_v3.api_key,
    )
    offline = services.connector_create(
        kind="radarr", name="Radarr 4K", url="http://127.0.0.1:9", api_key="b" * 32, enabled=False
    )
    health.check_connector(offline, timeout=1)
    return live


def test_list_toggle_edit_and_delete(
    logged_in_page: Page, saved: Connector, fake_sonarr, screenshot
):
    page = logged_in_page
    page.goto(reverse("connectors:list"))
    rows = page.locator(".connectors-table tbody tr")
    expect(rows).to_have_count(3)
    row = page.locator(f"#connector-{saved.pk}")
    expect(row).to_contain_text(fake_sonarr.profile.version)
    expect(row.locator(".col-status .badge")).to_have_text("Healthy")
    expect(page.locator("main")).to_contain_text("Offline")
    screenshot(page, "connectors-list", full_page=False)

    # The enable switch posts and swaps the row in place.
    switch = row.get_by_role("switch")
    expect(switch).to_have_attribute("aria-checked", "true")
    switch.click()
    expect(page.locator(f"#connector-{saved.pk}").get_by_role("switch")).to_have_attribute(
        "aria-checked", "false"
    )
    saved.refresh_from_db()
    assert not saved.enabled

    # Test from the list swaps the row too.
    page.locator(f"#connector-{saved.pk}").get_by_role("button", name="Test").click()
    expect(page.locator(f"#connector-{saved.pk} .col-status .badge")).to_have_text("Healthy")

    # Edit: the key field is empty with the masked key as placeholder; empty keeps it.
    page.locator(f"#connector-{saved.pk}").get_by_role("link", name="Edit").click()
    key_field = page.get_by_label("API key")
    expect(key_field).to_have_value("")
    expect(key_field).to_have_attribute("placeholder", saved.masked_api_key)
    page.get_by_label("Name").fill("Sonarr HD")
    page.get_by_label("Keep disabled").uncheck()
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".topbar-title")).to_have_text("Sonarr HD")
    saved.refresh_from_db()
    assert saved.name == "Sonarr HD"
    assert saved.enabled
    assert saved.api_key == fake_sonarr.api_key

    # Delete asks first, then removes it.
    page.get_by_role("link", name="Delete").click()
    expect(page.locator("main")).to_contain_text("mirror of the library and all its search state")
    page.get_by_role("button", name="Delete connector").click()
    expect(page).to_have_url(re.compile(r"/connectors/$"))
    expect(page.locator(".connectors-table tbody tr")).to_have_count(2)
    assert not Connector.objects.filter(pk=saved.pk).exists()


@pytest.mark.parametrize(
    ("arr_fixture", "label", "shape_text"),
    [
        ("fake_radarr", "Radarr", "Library shape: movies."),
        ("fake_whisparr_v2", "Whisparr", "Library shape: series, seasons and episodes."),
        ("fake_whisparr_v3", "Whisparr", "Library shape: movies and scenes."),
    ],
)
def test_add_each_kind_through_the_kind_picker(
    logged_in_page: Page, request, arr_fixture, label, shape_text
):
    arr = request.getfixturevalue(arr_fixture)
    page = logged_in_page
    page.goto(reverse("connectors:add"))
    # The picker: click the card, as a user does, not the hidden radio.
    page.locator("label.kind-option", has_text=label).click()
    expect(page.locator(f'input[name="kind"][value="{label.lower()}"]')).to_be_checked()
    page.get_by_label("Name").fill(f"My {arr.profile.kind}")
    page.get_by_label("URL", exact=True).fill(arr.url)
    page.get_by_label("API key").fill(arr.api_key)
    page.get_by_role("button", name="Test connection").click()
    expect(page.locator("#test-result")).to_contain_text(
        f"Connected to {label} {arr.profile.version}"
    )
    page.get_by_role("button", name="Save connector").click()
    expect(page).to_have_url(re.compile(r"/connectors/\d+/$"))
    main = page.locator("main")
    expect(main).to_contain_text(arr.profile.version)
    expect(main).to_contain_text(shape_text)
    expect(main.locator(".badge-healthy").first).to_be_visible()
    connector = Connector.objects.get()
    assert (connector.kind, connector.app_version) == (label.lower(), arr.profile.version)


def test_unreachable_url_and_old_version_messages(
    logged_in_page: Page, fakearr_factory, screenshot
):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    page = logged_in_page
    page.goto(reverse("connectors:add"))
    fill_form(page, kind="radarr", name="Old movies", url=closed, api_key="a" * 32)
    page.get_by_role("button", name="Test connection").click()
    expect(page.locator("#test-result")).to_contain_text("Connection failed: offline")
    expect(page.locator("#error-url")).to_contain_text("not reachable")
    page.get_by_role("button", name="Save connector").click()
    expect(page.locator("#error-url")).to_contain_text("not reachable")
    assert not Connector.objects.exists()

    # An old Radarr connects, with a warning saying what upgrading brings.
    old = fakearr_factory("radarr", version="4.7.5.7809", movies=3)
    page.get_by_label("URL", exact=True).fill(old.url)
    page.get_by_label("API key").fill(old.api_key)
    page.get_by_role("button", name="Test connection").click()
    result = page.locator("#test-result")
    expect(result).to_contain_text("Connected to Radarr 4.7.5.7809")
    expect(result).to_contain_text("Radarr 4.7.5.7809 is old: 5.10.3 or newer")
    screenshot(page, "connectors-add-old-version", full_page=False)
    page.get_by_role("button", name="Save connector").click()
    expect(page.locator(".alert-warning[role=note]")).to_contain_text("is old")
