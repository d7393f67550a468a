"""Discord, Slack, Telegram and Pushover: real apprise sends, received locally.

apprise sends these kinds to their service's fixed address, which a test
cannot reach. Each test points that one class attribute at the local receiver
and lets everything else run for real: our friendly form values -> our apprise
URL -> apprise's request. What arrives proves the credentials land where the
service expects them (and nowhere else).
"""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest
from apprise.plugins.discord import NotifyDiscord
from apprise.plugins.pushover import NotifyPushover
from apprise.plugins.slack import NotifySlack
from apprise.plugins.telegram import NotifyTelegram

from notifications import sender
from notifications.messages import Message

MESSAGE = Message(title="Sync failed", body="Sonarr (Main): HTTP 500", severity="error")


def _send(kind: str, values: dict[str, str]):
    return sender.send_message(kind=kind, values=values, message=MESSAGE, timeout=(3, 5))


def test_discord(receiver, monkeypatch):
    monkeypatch.setattr(NotifyDiscord, "notify_url", receiver.url + "/api/webhooks")
    result = _send(
        "discord", {"webhook_url": "https://discord.com/api/webhooks/1234/tok-en_S3CRET"}
    )
    assert result.ok, result.detail
    (request,) = receiver.requests
    assert request.path.startswith("/api/webhooks/1234/tok-en_S3CRET")
    body = request.json()
    text = body.get("content", "") + str(body.get("embeds", ""))
    assert "Sonarr (Main): HTTP 500" in text


def test_slack(receiver, monkeypatch):
    monkeypatch.setattr(NotifySlack, "webhook_url", receiver.url + "/services")
    receiver.reply = b"ok"  # what Slack's incoming webhooks answer
    result = _send("slack", {"webhook_url": "https://hooks.slack.com/services/T01/B02/S3CRETxyz"})
    assert result.ok, result.detail
    (request,) = receiver.requests
    assert request.path == "/services/T01/B02/S3CRETxyz"
    assert "Sonarr (Main): HTTP 500" in request.body.decode()


def test_telegram(receiver, monkeypatch):
    monkeypatch.setattr(NotifyTelegram, "notify_url", receiver.url + "/bot")
    receiver.reply = b'{"ok": true, "result": {}}'
    token = "123456789:AAE_S3CRET-token"
    result = _send("telegram", {"bot_token": token, "chat_id": "-1001234567890"})
    assert result.ok, result.detail
    sends = [r for r in receiver.requests if r.path.endswith("/sendMessage")]
    assert len(sends) == 1
    assert sends[0].path == f"/bot{token}/sendMessage"
    payload = sends[0].json()
    assert str(payload["chat_id"]) == "-1001234567890"
    assert "Sonarr (Main): HTTP 500" in payload["text"]


def test_pushover(receiver, monkeypatch):
    monkeypatch.setattr(NotifyPushover, "notify_url", receiver.url + "/1/messages.json")
    user, token = "u" * 26 + "S3CR", "a" * 30
    result = _send("pushover", {"user_key": user, "app_token": token})
    assert result.ok, result.detail
    (request,) = receiver.requests
    form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
    assert (form["user"], form["token"]) == (user, token)
    assert "Sonarr (Main): HTTP 500" in form["message"]


@pytest.mark.parametrize("status", [401, 500])
def test_a_rejected_send_reports_failure_without_the_token(receiver, monkeypatch, status):
    monkeypatch.setattr(NotifyDiscord, "notify_url", receiver.url + "/api/webhooks")
    receiver.statuses = [status]
    result = _send("discord", {"webhook_url": "https://discord.com/api/webhooks/99/S3CRETtoken"})
    assert not result.ok
    assert "S3CRETtoken" not in result.detail
