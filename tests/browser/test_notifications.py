"""Settings > Notifications in a real browser: add a channel, send a test to a local receiver,
see the delivery log."""

from __future__ import annotations

import re

from django.urls import reverse
from playwright.sync_api import Page, expect

from notifications.delivery import deliver_due
from notifications.models import NotificationChannel
from notifications.receivers import event_record
from tests.notifications.receiver import start_receiver

SECRET = "browser-signing-SECRET-4242"


def test_add_channel_send_test_and_read_the_log(logged_in_page: Page, screenshot):
    receiver = start_receiver()
    try:
        page = logged_in_page
        page.goto(reverse("settings"))
        page.locator(".tabs").get_by_role("link", name="Notifications").click()
        expect(page).to_have_url(re.compile(r"/settings/notifications/$"))
        expect(page.get_by_text("No channel yet")).to_be_visible()

        page.locator("#add-channel").click()
        page.get_by_role("link", name=re.compile("JSON webhook")).click()
        page.get_by_label("Name").fill("Local hook")
        page.get_by_label("URL", exact=True).fill("ftp://nowhere")
        page.get_by_label("Signing secret").fill(SECRET)
        page.get_by_label("Batching window (minutes)").fill("0")
        page.get_by_role("button", name="Save channel").click()
        expect(page.locator("#error-cfg_url")).to_contain_text("http:// or https://")
        assert not NotificationChannel.objects.exists()
        # The name survived the refusal; the secrets are asked again, never echoed.
        expect(page.get_by_label("Name")).to_have_value("Local hook")
        assert SECRET not in page.content()
        screenshot(page, "notifications-add-refused", full_page=False)

        page.get_by_label("URL", exact=True).fill(receiver.url + "/hook")
        page.get_by_label("Signing secret").fill(SECRET)
        page.get_by_role("button", name="Save channel").click()
        expect(page).to_have_url(re.compile(r"/settings/notifications/$"))
        expect(page.locator(".messages")).to_contain_text("added")
        row = page.locator("#channels tbody tr").first
        expect(row).to_contain_text("Local hook")
        expect(row).to_contain_text("Healthy")
        expect(row).to_contain_text("never")

        page.get_by_role("button", name="Send test").click()
        expect(page.locator(".test-result")).to_contain_text("Test sent to Local hook")
        assert len(receiver.requests) == 1
        assert receiver.requests[0].json()["title"] == "Comradarr test notification"
        assert "X-Comradarr-Signature" in receiver.requests[0].headers
        assert SECRET not in page.content()
        screenshot(page, "notifications-test-sent", full_page=False)

        event_record("sync_failed", data={"statistics": "disk full"})
        deliver_due()
        page.locator(".tabs").get_by_role("link", name="Delivery log").click()
        log = page.locator("#delivery-log")
        expect(log).to_contain_text("Sync failed")
        expect(log).to_contain_text("Test sent")
        page.get_by_label("Status").select_option("sent")
        page.get_by_role("button", name="Filter").click()
        expect(page.locator("#delivery-log tbody tr")).to_have_count(1)
        assert "disk full" in receiver.requests[1].json()["message"]
        screenshot(page, "notifications-delivery-log", full_page=False)
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()


def test_template_editor_preview_and_refusal(logged_in_page: Page, screenshot):
    channel = NotificationChannel(name="Preview", kind="webhook")
    channel.secrets = {"url": "http://127.0.0.1:9/x"}
    channel.save()
    page = logged_in_page
    page.goto(reverse("notifications:templates", args=[channel.pk]))
    field = page.get_by_label("Search succeeded")
    field.fill("Got {content_title} on {connector_name}")
    page.locator('[data-preview="search_succeeded"]').click()
    expect(page.locator("#preview-search_succeeded")).to_contain_text(
        "Got The Expanse S02E03 on Sonarr (Main)"
    )
    field.fill("Got {title}")
    page.get_by_role("button", name="Save templates").click()
    expect(page.locator("main")).to_contain_text("Unknown placeholder {title}")
    expect(page.get_by_label("Search succeeded")).to_have_value("Got {title}")
    screenshot(page, "notifications-templates", full_page=False)
