"""Notification channels never send to a cloud metadata service or a link-local address.

The same address rule as the *arr clients (connectors.common.netguard), applied
to every plugin whose URL names the server it connects to, at save time and
again at every send (a name may resolve elsewhere later).
"""

from __future__ import annotations

import socket

import pytest

from notifications import sender
from notifications.messages import Message

MESSAGE = Message(title="t", body="b", severity="info")


@pytest.mark.parametrize(
    "url",
    [
        "json://169.254.169.254/latest",
        "jsons://[fe80::1]:8443/x",
        "json://2852039166/x",  # 169.254.169.254 written as one decimal number
        "gotify://metadata.google.internal/TOKEN",
        "ntfys://169.254.170.2/topic",
        "mailto://user:pw@169.254.0.7?to=a@example.com",
    ],
)
def test_urls_naming_a_forbidden_server_are_refused(url):
    assert "does not send notifications" in sender.destination_refusal(url)


@pytest.mark.parametrize(
    "url",
    [
        "json://127.0.0.1:8080/hook",  # a receiver on the same machine is fine
        "gotify://192.168.1.20/TOKEN",
        # Fixed-address services: the "host" part is an id, even one that reads as an address.
        "discord://2852039166/token",
        "tgram://123456:AAE-token/-1001",
    ],
)
def test_ordinary_destinations_pass(url):
    assert sender.destination_refusal(url) is None


def test_a_name_resolving_to_the_metadata_service_is_refused(monkeypatch):
    real = socket.getaddrinfo

    def fake(host, *args, **kwargs):
        if host == "hooks.internal.test":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", 80))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    assert "resolves to 169.254.169.254" in sender.destination_refusal(
        "json://hooks.internal.test/x"
    )


def test_send_refuses_before_connecting_and_keeps_secrets_out(monkeypatch):
    def no_connect(*args, **kwargs):
        raise AssertionError("a connection was attempted")

    monkeypatch.setattr(socket, "create_connection", no_connect)
    result = sender.send_message(
        kind="webhook",
        values={"url": "http://169.254.169.254/in?token=SECRET-TOKEN", "hmac_secret": ""},
        message=MESSAGE,
    )
    assert not result.ok
    assert "cloud metadata" in result.detail
    assert "SECRET-TOKEN" not in result.detail
