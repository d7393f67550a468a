"""The update check: never contacts the feed while off; reads, stores and announces while on."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse
from django.utils.module_loading import import_string

from comradarr import events, update_check
from comradarr.models import AppSettings, ReleaseCheck
from queueing.builtin_schedules import all_jobs

pytestmark = pytest.mark.django_db


class Feed:
    """A local release feed: answers every GET with `status` and `body`, counting requests."""

    def __init__(self) -> None:
        self.status = 200
        self.body = b""
        self.requests: list[dict] = []
        feed = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                feed.requests.append({"path": self.path, "ua": self.headers.get("User-Agent")})
                self.send_response(feed.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(feed.body)))
                self.end_headers()
                self.wfile.write(feed.body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/repos/x/releases/latest"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def release(self, tag: str, url: str = "https://example.com/releases/9") -> None:
        self.body = json.dumps({"tag_name": tag, "html_url": url, "draft": False}).encode()


@pytest.fixture
def feed(settings):
    served = Feed()
    settings.UPDATE_FEED_URL = served.url
    settings.COMRADARR_VERSION = "1.2.0"
    yield served
    served.server.shutdown()
    served.server.server_close()


@pytest.fixture
def switched_on(db):
    AppSettings.objects.update_or_create(pk=1, defaults={"update_check": True})


@pytest.fixture
def heard():
    received = []

    def receiver(**kwargs):
        received.append({k: v for k, v in kwargs.items() if k != "signal"})

    events.update_available.connect(receiver)
    yield received
    events.update_available.disconnect(receiver)


def test_off_by_default_and_then_the_feed_is_never_contacted(feed, heard):
    feed.release("v9.0.0")
    assert AppSettings.load().update_check is False
    assert update_check.update_check_task() == "off"
    assert feed.requests == []
    assert not ReleaseCheck.objects.exists()
    assert heard == []


def test_a_newer_release_is_stored_and_announced_once(feed, switched_on, heard):
    feed.release("v1.3.0")
    assert update_check.update_check_task() == "latest 1.3.0"
    row = ReleaseCheck.objects.get()
    assert (row.latest_version, row.release_url, row.error) == (
        "1.3.0",
        "https://example.com/releases/9",
        "",
    )
    assert row.checked_at is not None
    assert feed.requests[0]["ua"] == "Comradarr/1.2.0"
    assert heard == [
        {"sender": None, "version": "1.3.0", "current": "1.2.0", "url": row.release_url}
    ]
    update_check.update_check_task()
    assert len(feed.requests) == 2 and len(heard) == 1  # checked again, announced once


def test_the_same_or_an_older_release_announces_nothing(feed, switched_on, heard):
    for tag in ("1.2.0", "v1.1.9"):
        feed.release(tag)
        update_check.update_check_task()
    assert heard == []
    assert not update_check.update_status().available


def test_a_github_style_list_takes_the_newest_real_release(feed, switched_on):
    feed.body = json.dumps(
        [
            {"tag_name": "v2.0.0", "draft": True},
            {"tag_name": "v1.9.0-rc1", "prerelease": True},
            {"tag_name": "v1.8.0", "html_url": "https://example.com/1.8"},
        ]
    ).encode()
    update_check.update_check_task()
    assert ReleaseCheck.objects.get().latest_version == "1.8.0"


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (200, b"<html>rate limited</html>", "did not answer JSON"),
        (200, b"\xff\xfe\x00garbage", "did not answer JSON"),
        (200, b'{"name": "no tag"}', "is not a version number"),
        (200, b'{"tag_name": "latest-and-greatest"}', "is not a version number"),
        (200, b'{"tag_name": 3}', "is not a version number"),
        (200, b'"just a string"', "something other than a release"),
        (200, b"[]", "lists no release"),
        (200, b"[" + b'{"tag_name": "1.0.0"},' * 60000 + b"{}]", "too large"),
        (404, b'{"message": "Not Found"}', "answered HTTP 404"),
        (500, b"", "answered HTTP 500"),
    ],
)
def test_a_bad_feed_leaves_a_clear_error_and_keeps_what_was_known(
    feed, switched_on, heard, status, body, message
):
    ReleaseCheck.objects.create(pk=1, latest_version="1.2.0")
    feed.status, feed.body = status, body
    result = update_check.update_check_task()
    assert result.startswith("error: ") and message in result
    row = ReleaseCheck.objects.get()
    assert message in row.error and row.latest_version == "1.2.0"
    assert heard == []


def test_an_unreachable_feed_is_an_error_not_a_crash(switched_on, settings):
    settings.UPDATE_FEED_URL = "http://127.0.0.1:9/never"  # discard port: nothing listens
    assert "could not be reached" in update_check.update_check_task()


def test_without_a_configured_feed_the_check_says_so(switched_on, settings):
    settings.UPDATE_FEED_URL = ""
    assert "no release feed is configured" in update_check.update_check_run().error


def test_a_release_link_that_is_not_http_is_dropped(feed, switched_on):
    feed.release("v2.0.0", url="javascript:alert(1)")
    update_check.update_check_task()
    assert ReleaseCheck.objects.get().release_url == ""


def test_versions_compare_by_number():
    assert update_check.is_newer("1.10.0", "1.9.3")
    assert update_check.is_newer("v2", "1.99.99") is False  # "v2" is not a version here
    assert update_check.is_newer("2.0", "1.99.99")
    assert not update_check.is_newer("junk", "1.0.0")


def test_the_daily_job_is_registered_like_the_other_periodic_jobs():
    job = next(j for j in all_jobs() if j.key == "update_check")
    assert import_string(job.func) is update_check.update_check_task
    assert job.env_var == "COMRADARR_SCHEDULE_UPDATE_CHECK"


def test_about_page_shows_an_available_update(admin_client, feed, switched_on):
    feed.release("v1.3.0", url="https://example.com/releases/1.3.0")
    update_check.update_check_task()
    body = admin_client.get(reverse("settings_about")).content.decode()
    assert "Update available: Comradarr 1.3.0 (you run 1.2.0)" in body
    assert 'href="https://example.com/releases/1.3.0"' in body


def test_about_page_says_when_the_check_is_off_or_failed(admin_client, feed, switched_on):
    AppSettings.objects.filter(pk=1).update(update_check=False)
    assert "The update check is off" in admin_client.get(reverse("settings_about")).content.decode()
    AppSettings.objects.filter(pk=1).update(update_check=True)
    feed.status, feed.body = 200, b"nope"
    update_check.update_check_task()
    body = admin_client.get(reverse("settings_about")).content.decode()
    assert "The last check failed: the release feed did not answer JSON." in body


def test_the_notifications_hear_of_a_newer_release(feed, switched_on, settings):
    from notifications.messages import build_message
    from notifications.models import NotificationEvent

    settings.PUBLIC_URL = "https://comradarr.example.com"
    feed.release("v1.3.0")
    update_check.update_check_task()
    update_check.update_check_task()
    [event] = NotificationEvent.objects.filter(event_type="update_available")
    message = build_message([event], public_url="https://comradarr.example.com")
    assert message.body == (
        "Comradarr 1.3.0 (you run 1.2.0) is available. "
        "https://comradarr.example.com/settings/about/"
    )


def test_check_now_enqueues_only_while_on_and_needs_post_and_csrf(
    signed_in, admin_user, feed, django_capture_on_commit_callbacks
):
    from django.test import Client
    from django_q.models import OrmQ
    from django_q.signing import SignedPackage

    url = reverse("settings_update_check")
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post(url)
    assert response.status_code == 302 and not OrmQ.objects.exists()
    page = signed_in.get(reverse("settings_about")).content.decode()
    assert "The update check is off: switch it on in General first." in page
    assert "update-check-now" not in page

    AppSettings.objects.filter(pk=1).update(update_check=True)
    assert "update-check-now" in signed_in.get(reverse("settings_about")).content.decode()
    assert signed_in.get(url).status_code == 405
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(admin_user)
    assert csrf_client.post(url).status_code == 403
    assert not OrmQ.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post(url)
    [queued] = OrmQ.objects.all()
    task = SignedPackage.loads(queued.payload)
    assert task["func"] == update_check.TASK_PATH
    assert feed.requests == []  # the request itself never contacts the feed
    import_string(task["func"])()
    assert len(feed.requests) == 1
