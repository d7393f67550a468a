"""Friendly kinds: URL building, bad values, and real deliveries to local servers."""

from __future__ import annotations

import pytest

from notifications.kinds import KindError, url_build, url_check
from notifications.messages import Message
from notifications.sender import send_message

MSG = Message("Hello", "Body text", "warning")
PUSHOVER = "u" * 30


@pytest.mark.parametrize(
    ("kind", "values", "url"),
    [
        ("discord", {"webhook_url": "https://discord.com/api/webhooks/123/abc-DEF_1"},
         "discord://123/abc-DEF_1"),
        ("discord", {"webhook_url": "https://discordapp.com/api/webhooks/9/t/"}, "discord://9/t"),
        ("slack", {"webhook_url": "https://hooks.slack.com/services/T01/B02/xyz"},
         "slack://T01/B02/xyz"),
        ("telegram", {"bot_token": "123456:AAE-x_y", "chat_id": "-100123"},
         "tgram://123456:AAE-x_y/-100123"),
        ("pushover", {"user_key": PUSHOVER, "app_token": "a" * 30}, f"pover://{PUSHOVER}@{'a' * 30}"),
        ("gotify", {"server_url": "https://g.example.com/sub/", "app_token": "Tok.1"},
         "gotifys://g.example.com/sub/Tok.1"),
        ("ntfy", {"server_url": "", "topic": "my_topic"}, "ntfys://ntfy.sh/my_topic"),
        ("ntfy", {"server_url": "http://n.lan:8080", "topic": "t", "access_token": "tk_1"},
         "ntfy://n.lan:8080/t?auth=token&token=tk_1"),
        ("email", {"smtp_host": "smtp.example.com", "smtp_port": "465", "security": "ssl",
                   "username": "me", "password": "p@ss/w", "from_address": "a@example.com",
                   "to_address": "b@example.com"},
         "mailtos://me:p%40ss%2Fw@smtp.example.com:465/b%40example.com?from=a%40example.com&mode=ssl"),
        ("webhook", {"url": "https://h.example.com/in?token=abc"},
         "jsons://h.example.com/in?-token=abc"),
        ("apprise", {"url": "mmost://m.example.com/tok"}, "mmost://m.example.com/tok"),
    ],
)  # fmt: skip
def test_urls(kind, values, url):
    assert url_build(kind, values) == url


@pytest.mark.parametrize(
    ("kind", "values", "message"),
    [
        ("discord", {"webhook_url": "https://evil.example.com/api/webhooks/1/x"}, "Webhook URL"),
        ("discord", {"webhook_url": "not a url"}, "Webhook URL"),
        ("slack", {"webhook_url": "http://hooks.slack.com/services/T/B/x"}, "Webhook URL"),
        ("telegram", {"bot_token": "abc", "chat_id": "1"}, "Bot token"),
        ("telegram", {"bot_token": "1:a", "chat_id": "<script>"}, "Chat id"),
        ("pushover", {"user_key": "short", "app_token": "a" * 30}, "User key"),
        ("gotify", {"server_url": "ftp://x", "app_token": "t"}, "Server URL"),
        ("gotify", {"server_url": "http://x:99999", "app_token": "t"}, "port"),
        ("gotify", {"server_url": "http://x", "app_token": "t/../../x"}, "Application token"),
        ("ntfy", {"server_url": "https://ntfy.sh", "topic": "a b"}, "Topic"),
        ("email", {"smtp_host": "http://x", "from_address": "a@b.c", "to_address": "d@e.f"},
         "SMTP server"),
        ("email", {"smtp_host": "x", "smtp_port": "abc", "from_address": "a@b.c",
                   "to_address": "d@e.f"}, "Port"),
        ("email", {"smtp_host": "x", "from_address": "a@b.c", "to_address": "d@e.f\r\nBcc: x@y.z"},
         "To"),
        ("webhook", {"url": "javascript:alert(1)"}, "URL"),
        ("apprise", {"url": "nope://x"}, "Apprise does not understand"),
        ("apprise", {"url": "json://x\nHost: y"}, "line breaks"),
        ("unknown", {}, "Unknown kind"),
    ],
)  # fmt: skip
def test_bad_values_have_clear_messages(kind, values, message):
    with pytest.raises(KindError, match=message):
        url_build(kind, values)


def test_url_check_accepts_known_schemes():
    assert url_check("json://127.0.0.1:9/x") == "json://127.0.0.1:9/x"


def test_gotify_delivery(receiver):
    result = send_message(
        kind="gotify", values={"server_url": receiver.url, "app_token": "AppTok"}, message=MSG
    )
    assert result.ok, result.detail
    [req] = receiver.requests
    assert req.path == "/message" and req.headers["X-Gotify-Key"] == "AppTok"
    assert req.json()["title"] == "Hello" and req.json()["message"] == "Body text"


def test_ntfy_delivery(receiver):
    result = send_message(
        kind="ntfy", values={"server_url": receiver.url, "topic": "alerts"}, message=MSG
    )
    assert result.ok, result.detail
    [req] = receiver.requests
    assert req.json() == {"topic": "alerts", "title": "Hello", "message": "Body text"} | {
        k: v for k, v in req.json().items() if k not in ("topic", "title", "message")
    }


def test_webhook_without_secret_has_no_signature(receiver):
    result = send_message(kind="webhook", values={"url": receiver.url + "/x?a=1"}, message=MSG)
    assert result.ok, result.detail
    [req] = receiver.requests
    assert req.path == "/x?a=1"
    assert "X-Comradarr-Signature" not in req.headers
    assert req.json()["type"] == "warning"


def test_failed_send_reports_apprise_result(receiver):
    receiver.statuses = [500]
    result = send_message(kind="webhook", values={"url": receiver.url}, message=MSG)
    assert not result.ok
    assert "500" in result.detail


def test_email_delivery(smtp_server):
    values = {
        "smtp_host": "127.0.0.1",
        "smtp_port": str(smtp_server.port),
        "security": "none",
        "from_address": "comradarr@example.com",
        "to_address": "me@example.com",
    }
    result = send_message(kind="email", values=values, message=MSG)
    assert result.ok, result.detail
    [envelope] = smtp_server.received
    assert envelope.mail_from == "comradarr@example.com"
    assert envelope.rcpt_tos == ["me@example.com"]
    assert b"Subject: Hello" in envelope.content and b"Body text" in envelope.content
