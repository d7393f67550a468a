"""Fixtures: a local HTTP receiver, a local SMTP server and channel builders."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from notifications.models import NotificationChannel
from tests.notifications.receiver import Receiver, start_receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    rec = start_receiver()
    yield rec
    rec.server.shutdown()
    rec.server.server_close()


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append(envelope)
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    controller.received = received
    yield controller
    controller.stop()


def make_channel(name: str = "hook", kind: str = "webhook", *, config=None, secrets=None, **fields):
    channel = NotificationChannel(name=name, kind=kind, config=config or {}, **fields)
    channel.secrets = secrets or {}
    channel.save()
    return channel


@pytest.fixture
def webhook_channel(db, receiver):
    return make_channel(
        secrets={"url": receiver.url + "/hook", "hmac_secret": "s3cret-signing-key"},
        batch_window_minutes=0,
    )
