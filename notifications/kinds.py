"""The friendly channel kinds: the fields each asks for and the apprise URL built from them.

Adding a kind is one KindSpec in KINDS (fields plus a build function). Secret
fields are stored encrypted (NotificationChannel.secret_data) and never shown
back; the rest in NotificationChannel.config. Every URL is checked by apprise
(``url_check``) before a channel is saved.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, quote, urlsplit

import apprise


class KindError(ValueError):
    """The values do not make a URL apprise can use; the message says which value and why."""


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    secret: bool = False
    required: bool = True
    kind: str = "text"  # text, url, int, email, choice
    help: str = ""
    default: str = ""
    choices: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class KindSpec:
    key: str
    label: str
    fields: tuple[Field, ...]
    build: Callable[[dict[str, str]], str] = field(repr=False)
    hint: str = ""

    def secret_names(self) -> list[str]:
        return [f.name for f in self.fields if f.secret]


def _q(value: str) -> str:
    return quote(value, safe="")


def _http_url(value: str, label: str) -> tuple[bool, str, str]:
    """(secure, host[:port], path) of an http(s) URL, or KindError naming the field."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise KindError(f"{label}: enter a full http:// or https:// address.")
    try:
        port = parts.port
    except ValueError:
        raise KindError(f"{label}: the port is not a number between 0 and 65535.") from None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    netloc = f"{host}:{port}" if port else host
    return parts.scheme == "https", netloc, parts.path.rstrip("/")


_DISCORD = re.compile(
    r"^https://(?:(?:canary|ptb)\.)?discord(?:app)?\.com/api/(?:v\d+/)?webhooks/"
    r"(?P<id>\d+)/(?P<token>[A-Za-z0-9_-]+)/?$"
)
_SLACK = re.compile(
    r"^https://hooks\.slack\.com/services/(?P<a>[A-Z0-9]+)/(?P<b>[A-Z0-9]+)/(?P<c>[A-Za-z0-9]+)/?$"
)
_TELEGRAM_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_CHAT_ID = re.compile(r"^(-?\d+|@[A-Za-z0-9_]{4,})$")
_TOPIC = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_TOKEN = re.compile(r"^[A-Za-z0-9._~+=-]+$")
_EMAIL = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;/?#]+\.[^@\s<>\"',;/?#]+$")


def _discord(v: dict[str, str]) -> str:
    match = _DISCORD.match(v["webhook_url"].strip())
    if not match:
        raise KindError(
            "Webhook URL: paste the whole URL Discord shows under Integrations > Webhooks, "
            "https://discord.com/api/webhooks/<id>/<token>."
        )
    return f"discord://{match['id']}/{match['token']}"


def _slack(v: dict[str, str]) -> str:
    match = _SLACK.match(v["webhook_url"].strip())
    if not match:
        raise KindError(
            "Webhook URL: paste the incoming webhook URL Slack gives, "
            "https://hooks.slack.com/services/T.../B.../...."
        )
    return f"slack://{match['a']}/{match['b']}/{match['c']}"


def _telegram(v: dict[str, str]) -> str:
    token, chat = v["bot_token"].strip(), v["chat_id"].strip()
    if not _TELEGRAM_TOKEN.match(token):
        raise KindError("Bot token: BotFather's token looks like 123456789:AAE...; check it.")
    if not _CHAT_ID.match(chat):
        raise KindError("Chat id: a number (e.g. -1001234567890) or a @channelname.")
    return f"tgram://{token}/{_q(chat)}"


def _pushover(v: dict[str, str]) -> str:
    user, token = v["user_key"].strip(), v["app_token"].strip()
    for label, value in (("User key", user), ("Application token", token)):
        if not re.fullmatch(r"[A-Za-z0-9]{30}", value):
            raise KindError(f"{label}: Pushover keys are 30 letters and digits.")
    return f"pover://{user}@{token}"


def _gotify(v: dict[str, str]) -> str:
    secure, netloc, path = _http_url(v["server_url"], "Server URL")
    token = v["app_token"].strip()
    if not _TOKEN.match(token):
        raise KindError("Application token: letters, digits and . _ - only.")
    return f"{'gotifys' if secure else 'gotify'}://{netloc}{path}/{_q(token)}"


def _ntfy(v: dict[str, str]) -> str:
    secure, netloc, path = _http_url(v.get("server_url") or "https://ntfy.sh", "Server URL")
    topic = v["topic"].strip()
    if not _TOPIC.match(topic):
        raise KindError("Topic: 1-64 letters, digits, - and _.")
    url = f"{'ntfys' if secure else 'ntfy'}://{netloc}{path}/{topic}"
    token = (v.get("access_token") or "").strip()
    if token:
        if not _TOKEN.match(token):
            raise KindError("Access token: letters, digits and . _ - only.")
        url += f"?auth=token&token={_q(token)}"
    return url


def _email(v: dict[str, str]) -> str:
    host = v["smtp_host"].strip()
    if not re.fullmatch(r"[A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\]", host):
        raise KindError("SMTP server: a host name or address, without http:// or a port.")
    try:
        port = int(v.get("smtp_port") or 587)
    except ValueError:
        raise KindError("Port: a number.") from None
    if not 1 <= port <= 65535:
        raise KindError("Port: between 1 and 65535.")
    sender, to = v["from_address"].strip(), v["to_address"].strip()
    for label, value in (("From", sender), ("To", to)):
        if not _EMAIL.match(value):
            raise KindError(f"{label}: {value[:80]!r} is not an e-mail address.")
    security = v.get("security") or "starttls"
    if security not in ("starttls", "ssl", "none"):
        raise KindError("Security: STARTTLS, SSL or none.")
    user, password = (v.get("username") or "").strip(), v.get("password") or ""
    auth = f"{_q(user)}:{_q(password)}@" if user else ""
    scheme = "mailto" if security == "none" else "mailtos"
    mode = "" if security == "none" else f"&mode={security}"
    return f"{scheme}://{auth}{host}:{port}/{_q(to)}?from={_q(sender)}{mode}"


def _webhook(v: dict[str, str]) -> str:
    secure, netloc, path = _http_url(v["url"], "URL")
    query = urlsplit(v["url"].strip()).query
    # apprise sends "-name=value" as the request's query parameters.
    extra = "&".join(f"-{_q(k)}={_q(val)}" for k, val in parse_qsl(query, keep_blank_values=True))
    return f"{'jsons' if secure else 'json'}://{netloc}{path or '/'}" + (
        f"?{extra}" if extra else ""
    )


def _apprise(v: dict[str, str]) -> str:
    return v["url"].strip()


KINDS: tuple[KindSpec, ...] = (
    KindSpec("discord", "Discord", (
        Field("webhook_url", "Webhook URL", secret=True, kind="url",
              help="Server settings > Integrations > Webhooks > Copy Webhook URL."),
    ), _discord, "Webhook"),
    KindSpec("telegram", "Telegram", (
        Field("bot_token", "Bot token", secret=True, help="From @BotFather."),
        Field("chat_id", "Chat id", help="A number such as -1001234567890, or @channelname."),
    ), _telegram, "Bot"),
    KindSpec("slack", "Slack", (
        Field("webhook_url", "Webhook URL", secret=True, kind="url",
              help="An incoming webhook, https://hooks.slack.com/services/..."),
    ), _slack, "Incoming webhook"),
    KindSpec("pushover", "Pushover", (
        Field("user_key", "User key", secret=True),
        Field("app_token", "Application token", secret=True),
    ), _pushover, "Push to phones"),
    KindSpec("gotify", "Gotify", (
        Field("server_url", "Server URL", kind="url", help="e.g. https://gotify.example.com"),
        Field("app_token", "Application token", secret=True),
    ), _gotify, "Self-hosted push"),
    KindSpec("ntfy", "ntfy", (
        Field("server_url", "Server URL", kind="url", default="https://ntfy.sh", required=False),
        Field("topic", "Topic", secret=True, help="Anyone who knows the topic can read it."),
        Field("access_token", "Access token", secret=True, required=False),
    ), _ntfy, "Push by topic"),
    KindSpec("email", "E-mail", (
        Field("smtp_host", "SMTP server"),
        Field("smtp_port", "Port", kind="int", default="587"),
        Field("security", "Security", kind="choice", default="starttls", choices=(
            ("starttls", "STARTTLS"), ("ssl", "SSL/TLS"), ("none", "None (local relay only)"))),
        Field("username", "Username", required=False),
        Field("password", "Password", secret=True, required=False),
        Field("from_address", "From", kind="email"),
        Field("to_address", "To", kind="email"),
    ), _email, "SMTP"),
    KindSpec("webhook", "JSON webhook", (
        Field("url", "URL", secret=True, kind="url",
              help="Receives a POST with {version, title, message, attachments, type}."),
        Field("hmac_secret", "Signing secret", secret=True, required=False,
              help="Optional: signs each request (X-Comradarr-Signature: sha256=HMAC of "
                   "timestamp + '.' + body, with X-Comradarr-Timestamp)."),
    ), _webhook, "Generic, signed"),
    KindSpec("apprise", "Apprise URL", (
        Field("url", "Apprise URL", secret=True,
              help="Any service apprise supports, e.g. matrixs://user:pass@host/#room."),
    ), _apprise, "Anything else"),
)  # fmt: skip

BY_KEY: dict[str, KindSpec] = {spec.key: spec for spec in KINDS}
KIND_CHOICES = [(spec.key, spec.label) for spec in KINDS]


def url_check(url: str) -> str:
    """``url`` when apprise understands it, else KindError with a clear message."""
    if not url or any(ch in url for ch in "\r\n\x00 "):
        raise KindError("The URL is empty or contains spaces or line breaks.")
    if not apprise.Apprise().add(url):
        scheme = url.split("://", 1)[0] if "://" in url else url[:20]
        raise KindError(
            f"Apprise does not understand this URL (service '{scheme}'): check the scheme "
            "and the values against https://github.com/caronc/apprise/wiki."
        )
    return url


def url_build(kind: str, values: dict[str, str]) -> str:
    """The apprise URL for a kind's values; KindError when a value is wrong."""
    spec = BY_KEY.get(kind)
    if spec is None:
        raise KindError(f"Unknown kind {kind!r}.")
    return url_check(spec.build(values))
