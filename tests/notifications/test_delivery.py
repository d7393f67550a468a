"""Delivery end to end against a local receiver: real apprise sends, no mocks."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection, transaction

from comradarr.accounts import runtime
from comradarr.models import AppSettings
from notifications import delivery
from notifications.delivery import batch_claim, deliver_due
from notifications.models import (
    NotificationBatch,
    NotificationDelivery,
    NotificationEvent,
    NotificationSettings,
)
from notifications.receivers import event_record
from notifications.sender import json_body, signature
from tests.content.builders import make_connector
from tests.notifications.conftest import make_channel

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)


def grabbed(connector, *titles, at=T0):
    return event_record(
        "search_succeeded",
        connector=connector,
        data={"titles": list(titles), "count": len(titles), "list_path": "/library/?connector=1"},
        occurred_at=at,
    )


def test_json_webhook_signed_payload(webhook_channel, receiver):
    event_record("sync_failed", data={"statistics": "boom"}, occurred_at=T0)
    report = deliver_due(now=T0)
    assert report.sent == 1
    [req] = receiver.requests
    body = req.body.decode()
    payload = json.loads(body)
    assert payload["title"] == "Sync failed"
    assert "failed: boom" in payload["message"]
    assert payload["type"] == "failure"
    stamp = req.headers["X-Comradarr-Timestamp"]
    expected = hmac.new(b"s3cret-signing-key", f"{stamp}.{body}".encode(), hashlib.sha256)
    assert req.headers["X-Comradarr-Signature"] == "sha256=" + expected.hexdigest()
    batch = NotificationBatch.objects.get()
    assert req.headers["X-Comradarr-Idempotency-Key"] == str(batch.idempotency_key)
    assert batch.status == "sent"
    log = NotificationDelivery.objects.get()
    assert (log.status, log.event_count, log.attempt) == ("sent", 1, 1)
    assert "s3cret" not in req.headers.get("X-Comradarr-Signature", "")


def test_signature_helper_matches_apprise_body():
    from notifications.messages import Message

    message = Message("T ✓", "héllo\n{x}", "warning")
    body = json_body(message)
    assert json.loads(body) == {
        "version": "1.0",
        "title": "T ✓",
        "message": "héllo\n{x}",
        "attachments": [],
        "type": "warning",
    }
    assert signature("k", "1", body).startswith("sha256=")


def test_batching_window_makes_one_digest(db, receiver):
    connector = make_connector(name="Sonarr (Main)")
    make_channel(secrets={"url": receiver.url}, batch_window_minutes=5)
    titles = [f"The Expanse S02E{n:02d} Ep" for n in range(1, 9)] + ["Dune (2021)"]
    for i, title in enumerate(titles):
        grabbed(connector, title, at=T0 + timedelta(seconds=i))
        deliver_due(now=T0 + timedelta(seconds=i))
    assert receiver.requests == []  # still inside the window
    more = [f"Movie {n} (2020)" for n in range(6)]
    grabbed(connector, *more, at=T0 + timedelta(minutes=1))
    deliver_due(now=T0 + timedelta(minutes=5))
    [req] = receiver.requests
    text = req.json()["message"]
    assert text.startswith("15 items grabbed on Sonarr (Main): The Expanse S02 (8 episodes), ")
    assert "Dune (2021)" in text and "and 3 more" in text
    assert "http://localhost:3000/library/?connector=1" in text
    # The next event opens a new batch.
    grabbed(connector, "Alien (1979)", at=T0 + timedelta(minutes=6))
    deliver_due(now=T0 + timedelta(minutes=11))
    assert len(receiver.requests) == 2
    assert "Alien (1979)" in receiver.requests[1].json()["message"]


def test_public_url_and_base_url_in_links(db, receiver):
    AppSettings.objects.update_or_create(
        pk=1, defaults={"public_url": "https://comradarr.example.com/ignored/path"}
    )
    runtime.invalidate()
    make_channel(secrets={"url": receiver.url}, batch_window_minutes=0)
    event_record("sync_failed", data={"statistics": "x", "path": "/comradarr/connectors/3/"})
    deliver_due()
    assert (
        "https://comradarr.example.com/comradarr/connectors/3/"
        in (receiver.requests[0].json()["message"])
    )


def test_retries_500_then_200_sent_once(webhook_channel, receiver):
    receiver.statuses = [500, 500]
    event_record("sync_failed", data={"statistics": "x"}, occurred_at=T0)
    assert deliver_due(now=T0).retrying == 1
    assert deliver_due(now=T0 + timedelta(seconds=30)).sent == 0  # backoff: 1 minute
    assert deliver_due(now=T0 + timedelta(minutes=1)).retrying == 1
    assert deliver_due(now=T0 + timedelta(minutes=3)).sent == 1
    assert len(receiver.requests) == 3
    keys = {r.headers["X-Comradarr-Idempotency-Key"] for r in receiver.requests}
    assert len(keys) == 1  # the same batch, the same key
    statuses = list(NotificationDelivery.objects.order_by("at").values_list("status", "attempt"))
    assert statuses == [("retrying", 1), ("retrying", 2), ("sent", 3)]
    assert "500" in NotificationDelivery.objects.filter(status="retrying").first().error
    webhook_channel.refresh_from_db()
    assert webhook_channel.health == "healthy" and webhook_channel.consecutive_failures == 0


def test_receiver_down_ten_minutes_gets_the_batch(webhook_channel, receiver):
    receiver.statuses = [503] * 4  # attempts at 0, 1, 3 and 7 minutes fail
    event_record("sync_failed", data={"statistics": "x"}, occurred_at=T0)
    for minute in range(0, 16):
        deliver_due(now=T0 + timedelta(minutes=minute))
    assert [r.headers["X-Comradarr-Idempotency-Key"] for r in receiver.requests].count(
        str(NotificationBatch.objects.get().idempotency_key)
    ) == 5
    assert NotificationBatch.objects.get().status == "sent"


def test_five_failures_mark_failed_and_unhealthy_and_warn_others(db, receiver):
    broken = make_channel(
        "broken", secrets={"url": receiver.url + "/broken"}, batch_window_minutes=0
    )
    make_channel("other", secrets={"url": receiver.url + "/other"}, batch_window_minutes=0,
                 event_types=["error_threshold_exceeded"])  # fmt: skip
    receiver.statuses = [500] * 50
    event_record("sync_failed", data={"statistics": "x"}, occurred_at=T0)
    now = T0
    for _ in range(5):
        deliver_due(now=now)
        now += timedelta(minutes=20)
    batch = NotificationBatch.objects.get(channel=broken)
    assert (batch.status, batch.attempts) == ("failed", 5)
    broken.refresh_from_db()
    assert broken.health == "unhealthy"
    receiver.statuses = []
    deliver_due(now=now)
    other = [r for r in receiver.requests if r.path.startswith("/other")]
    assert len(other) == 1
    assert "broken failed 5 times" in other[0].json()["message"]
    # The unhealthy channel is not told about itself.
    assert not NotificationBatch.objects.filter(
        channel=broken, events__event_type="error_threshold_exceeded"
    ).exists()


def test_rate_limit_folds_excess_into_next_digest(db, receiver):
    make_channel(secrets={"url": receiver.url}, batch_window_minutes=0, rate_limit_per_hour=2)
    for minute in range(5):
        event_record("sync_failed", data={"statistics": f"n{minute}"},
                     occurred_at=T0 + timedelta(minutes=minute))  # fmt: skip
        deliver_due(now=T0 + timedelta(minutes=minute))
    assert len(receiver.requests) == 2
    deliver_due(now=T0 + timedelta(minutes=59))
    assert len(receiver.requests) == 2
    deliver_due(now=T0 + timedelta(minutes=60))
    assert len(receiver.requests) == 3
    digest = receiver.requests[2].json()["message"]
    assert all(f"n{m}" in digest for m in (2, 3, 4))  # nothing dropped
    assert NotificationEvent.objects.filter(batches__status="sent").count() == 5


def test_master_switch_mutes_but_records(db, receiver):
    make_channel(secrets={"url": receiver.url}, batch_window_minutes=0)
    row = NotificationSettings.load()
    row.muted = True
    row.save()
    event_record("sync_failed", data={"statistics": "x"})
    report = deliver_due()
    assert report.muted and receiver.requests == []
    event = NotificationEvent.objects.get()
    assert event.muted and event.routed_at is not None
    row.muted = False
    row.save()
    deliver_due()
    assert receiver.requests == []  # muted events are not replayed later


def test_routing_filters(db, receiver):
    sonarr, radarr = make_connector("s"), make_connector("r", kind="radarr")
    channel = make_channel(secrets={"url": receiver.url}, batch_window_minutes=0,
                           min_severity="warning", event_types=["sync_failed", "search_exhausted"])  # fmt: skip
    channel.connectors.set([sonarr])
    event_record("sync_failed", connector=radarr, data={"statistics": "radarr"})
    event_record("sync_completed", connector=sonarr, data={"statistics": "info"})
    event_record("search_exhausted", connector=sonarr, data={"statistics": "yes"})
    event_record("application_started", data={"statistics": "1"})  # info: below minimum
    deliver_due()
    [req] = receiver.requests
    assert "reached the maximum searches" in req.json()["message"]


@pytest.mark.django_db(transaction=True)
def test_exactly_once_two_threads(receiver):
    channel = make_channel(secrets={"url": receiver.url}, batch_window_minutes=0)
    for n in range(8):
        event = event_record("sync_failed", data={"statistics": f"e{n}"}, occurred_at=T0)
        batch = NotificationBatch.objects.create(
            channel=channel, created_at=T0, due_at=T0, held=False, status="retry"
        )
        batch.events.add(event)
    NotificationEvent.objects.update(routed_at=T0)
    barrier = threading.Barrier(2)
    errors = []

    def worker():
        try:
            barrier.wait()
            deliver_due(now=T0 + timedelta(minutes=1))
        except Exception as exc:  # pragma: no cover - shown by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    keys = [r.headers["X-Comradarr-Idempotency-Key"] for r in receiver.requests]
    assert len(keys) == 8 and len(set(keys)) == 8
    assert NotificationDelivery.objects.filter(status="sent").count() == 8


@pytest.mark.django_db(transaction=True)
def test_crash_between_commit_and_send(receiver):
    """The outbox row commits with the change; a worker dying mid-send leaves it to be sent once."""
    make_channel(secrets={"url": receiver.url}, batch_window_minutes=0)
    with transaction.atomic():
        event_record("sync_failed", data={"statistics": "committed"}, occurred_at=T0)
    with pytest.raises(RuntimeError), transaction.atomic():
        event_record("sync_failed", data={"statistics": "rolled back"}, occurred_at=T0)
        raise RuntimeError("the change failed")
    assert NotificationEvent.objects.count() == 1
    # A worker claims the batch, then "crashes" before sending.
    delivery.route_pending(now=T0)
    claimed = batch_claim(now=T0)
    assert claimed is not None and receiver.requests == []
    assert deliver_due(now=T0 + timedelta(minutes=1)).sent == 0  # still leased
    assert deliver_due(now=T0 + timedelta(minutes=6)).sent == 1  # lease over: sent
    deliver_due(now=T0 + timedelta(minutes=30))
    assert len(receiver.requests) == 1
    assert "committed" in receiver.requests[0].json()["message"]


def test_error_threshold_from_many_errors(db, receiver):
    row = NotificationSettings.load()
    row.error_threshold_count, row.error_threshold_minutes = 3, 10
    row.save()
    make_channel(secrets={"url": receiver.url}, batch_window_minutes=0,
                 event_types=["error_threshold_exceeded"])  # fmt: skip
    with time_machine.travel(T0, tick=False):
        for _ in range(3):
            event_record("sync_failed", data={"statistics": "x"})
        deliver_due()
        deliver_due()
    [req] = receiver.requests
    assert "3 errors in the last 10 minutes" in req.json()["message"]


def test_secrets_not_in_delivery_log_or_logs(db, caplog):
    secret_url = "json://127.0.0.1:1/SECRETpathVALUE"  # connection refused at once
    channel = make_channel(
        "raw", kind="apprise", secrets={"url": secret_url}, batch_window_minutes=0
    )
    event_record("sync_failed", data={"statistics": "x"})
    with caplog.at_level("DEBUG"):
        deliver_due()
    log = NotificationDelivery.objects.get(channel=channel)
    assert log.status == "retrying" and log.error
    assert "SECRETpathVALUE" not in log.error
    channel.refresh_from_db()
    assert "SECRETpathVALUE" not in channel.last_error
    assert caplog.records  # apprise said something; none of it has the secret
    assert all("SECRETpathVALUE" not in r.getMessage() for r in caplog.records)
