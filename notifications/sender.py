"""Send one message to one channel through apprise, with a timeout; secrets redacted from results.

The JSON webhook kind is apprise's json:// plugin. Its optional signature is
computed here, per message, over the exact body apprise will POST (apprise
serialises ``{version, title, message, attachments, type}`` with json.dumps;
the signed-delivery test checks the receiver gets that very body), and passed
with apprise's custom headers (``+X-Header=value`` in the URL).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from urllib.parse import quote

import apprise
from apprise import NotifyFormat

from comradarr.crypto import mask
from connectors.common import netguard
from notifications import kinds
from notifications.messages import Message

#: Seconds: (connect, read) for the background sender and for the "Send test" button.
WORKER_TIMEOUT = (5, 20)
TEST_TIMEOUT = (3, 8)
SIGNATURE_HEADER = "X-Comradarr-Signature"
TIMESTAMP_HEADER = "X-Comradarr-Timestamp"
IDEMPOTENCY_HEADER = "X-Comradarr-Idempotency-Key"
#: apprise's JSON payload format version (apprise.plugins.custom_json).
JSON_VERSION = "1.0"


@dataclass(frozen=True)
class SendResult:
    ok: bool
    detail: str


def redact(text: str, secrets: list[str]) -> str:
    """``text`` with every secret (and its URL-encoded form) replaced by its mask."""
    for secret in sorted((s for s in secrets if s and len(s) >= 4), key=len, reverse=True):
        for form in {secret, quote(secret, safe=""), quote(secret)}:
            text = text.replace(form, mask(secret))
    return text


def json_body(message: Message) -> str:
    """The body apprise's json:// plugin POSTs for ``message`` (what the signature covers)."""
    payload = {
        "version": JSON_VERSION,
        "title": message.title,
        "message": message.body,
        "attachments": [],
        "type": message.notify_type,
    }
    return json.dumps(payload)


def signature(secret: str, timestamp: str, body: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def _with_params(url: str, params: dict[str, str]) -> str:
    joined = "&".join(f"{k}={quote(str(v), safe='')}" for k, v in params.items())
    return url + ("&" if "?" in url else "?") + joined


def channel_url(
    kind: str,
    values: dict[str, str],
    message: Message,
    *,
    timeout: tuple[int, int],
    idempotency_key: str = "",
) -> str:
    """The apprise URL for one send: the kind's URL plus timeouts (and the webhook's headers)."""
    url = kinds.BY_KEY[kind].build(values) if kind in kinds.BY_KEY else ""
    params = {"cto": str(timeout[0]), "rto": str(timeout[1])}
    if kind == "webhook":
        if idempotency_key:
            params["+" + IDEMPOTENCY_HEADER] = idempotency_key
        secret = values.get("hmac_secret") or ""
        if secret:
            stamp = str(int(time.time()))
            params["+" + TIMESTAMP_HEADER] = stamp
            params["+" + SIGNATURE_HEADER] = signature(secret, stamp, json_body(message))
    return _with_params(url, params)


def destination_refusal(url: str) -> str | None:
    """Why this channel's URL points at an address Comradarr never sends to, or None.

    Only plugins whose URL names the server (generic webhooks, Gotify, ntfy,
    SMTP and the like: a ``{host}`` in their URL templates) are checked; the
    others (Discord, Telegram, Slack, Pushover) send to their service's fixed
    address and use the URL's host part for an id or token.
    """
    plugin = apprise.Apprise.instantiate(url, suppress_exceptions=True)
    if plugin is None or not any("{host}" in t for t in getattr(plugin, "templates", ())):
        return None
    host = getattr(plugin, "host", None) or ""
    if not host:
        return None
    port = getattr(plugin, "port", None) or (443 if getattr(plugin, "secure", False) else 80)
    reason = netguard.destination_refusal(host, int(port))
    if reason is None:
        return None
    return f"Comradarr does not send notifications to {reason}."


def send_message(
    *,
    kind: str,
    values: dict[str, str],
    message: Message,
    timeout: tuple[int, int] = WORKER_TIMEOUT,
    idempotency_key: str = "",
) -> SendResult:
    """Deliver ``message``; never raises. ``detail`` is apprise's log of the attempt, redacted."""
    secrets = [v for v in values.values() if v]
    try:
        url = channel_url(kind, values, message, timeout=timeout, idempotency_key=idempotency_key)
    except kinds.KindError as exc:
        return SendResult(False, redact(str(exc), secrets))
    refusal = destination_refusal(url)
    if refusal:
        return SendResult(False, redact(refusal, secrets))
    notifier = apprise.Apprise()
    if not notifier.add(url):
        return SendResult(False, "apprise did not accept the channel's URL; edit the channel.")
    with apprise.LogCapture(level=logging.INFO) as captured:
        try:
            ok = bool(
                notifier.notify(
                    body=message.body,
                    title=message.title,
                    notify_type=message.notify_type,
                    body_format=NotifyFormat.TEXT,
                )
            )
        except Exception as exc:  # a plugin bug must not kill the worker's loop
            ok = False
            captured.write(f"{type(exc).__name__}: {exc}\n")
        log = captured.getvalue()
    lines = [line.split(" - ", 2)[-1].strip() for line in log.splitlines() if line.strip()]
    detail = "; ".join(lines)[-1000:] or ("sent" if ok else "apprise reported a failure")
    return SendResult(ok, redact(detail, [*secrets, url]))
