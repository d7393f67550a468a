"""Regression suite: server-side request forgery through connector URLs (issue 9 point 8).

Finding class guarded: SSRF. A signed-in user (or anyone, in the open auth
modes) makes Comradarr's server call an address of their choice and read the
answer: the cloud metadata service hands out credentials that way. Loopback and
private ranges stay allowed, because that is where *arr apps live.
"""

from __future__ import annotations

import socket

import pytest
import responses
from django.contrib.auth import get_user_model
from django.urls import reverse

from connectors import health
from connectors.common import netguard
from connectors.common.errors import InvalidURLError
from connectors.common.http import HttpClient
from connectors.common.netguard import ForbiddenAddressError, GuardedAdapter
from connectors.common.urls import normalize_base_url
from connectors.registry import build_client

KEY = "0123456789abcdef0123456789abcdef"

METADATA_SPELLINGS = [
    "http://169.254.169.254",
    "http://169.254.169.254.",
    "http://2852039166",  # decimal
    "http://0xa9fea9fe",  # hex
    "http://0xA9.0xFE.0xA9.0xFE",
    "http://0251.0376.0251.0376",  # octal
    "http://169.254.43518",  # short form
    "http://169.16689662",
    "http://[::ffff:169.254.169.254]",  # IPv4-mapped IPv6
    "http://[::ffff:a9fe:a9fe]",
    "http://[0:0:0:0:0:ffff:a9fe:a9fe]",
    "http://[::169.254.169.254]",  # IPv4-compatible (deprecated)
    "http://[64:ff9b::a9fe:a9fe]",  # NAT64
    "http://[2002:a9fe:a9fe::1]",  # 6to4
    "http://[fe80::1]",
    "http://[fe80::1%25eth0]",
    "http://[febf::1]",
    "http://[fd00:ec2::254]",  # AWS IMDS over IPv6
    "http://169.254.170.2",  # ECS task credentials
    "http://169.254.0.1:8989",
    "http://100.100.100.200",  # Alibaba Cloud metadata
    "http://metadata.google.internal",
    "http://METADATA.Google.Internal.",
    "http://metadata.goog",
    "http://metadata",
    "http://instance-data.ec2.internal",
]

ALLOWED = [
    "http://127.0.0.1:8989",
    "http://localhost:8989",
    "http://[::1]:8989",
    "http://10.0.0.5:8989",
    "http://172.17.0.1:8989",
    "http://192.168.1.5:8989",
    "http://[fd12:3456::5]:8989",
    "http://sonarr:8989",
    "https://sonarr.example.com/sonarr",
]


@pytest.mark.parametrize("url", METADATA_SPELLINGS)
def test_every_spelling_of_a_metadata_or_link_local_host_is_refused(url):
    """SSRF: the host is normalised before the check, so no spelling slips through."""
    with pytest.raises(ForbiddenAddressError, match="does not connect to"):
        normalize_base_url(url)
    with pytest.raises(InvalidURLError):
        HttpClient(url, KEY)


@pytest.mark.parametrize("url", ALLOWED)
def test_loopback_private_and_public_hosts_stay_allowed(url):
    """SSRF: the fix must not lock out the *arr apps on loopback or a private network."""
    assert HttpClient(url, KEY).base_url == normalize_base_url(url)


class _Resolver:
    """socket.getaddrinfo with chosen answers for the names of a test; counts lookups."""

    def __init__(self, monkeypatch, answers: dict[str, list[str]]) -> None:
        self.answers = answers
        self.lookups: list[str] = []
        self.real = socket.getaddrinfo
        monkeypatch.setattr(socket, "getaddrinfo", self)

    def __call__(self, host, port, *args, **kwargs):
        if host in self.answers:
            self.lookups.append(host)
            addresses = self.answers[host]
            if callable(addresses):
                addresses = addresses()
            infos = []
            for address in addresses:
                family = socket.AF_INET6 if ":" in address else socket.AF_INET
                sockaddr = (address, port, 0, 0) if family == socket.AF_INET6 else (address, port)
                infos.append((family, socket.SOCK_STREAM, 6, "", sockaddr))
            return infos
        return self.real(host, port, *args, **kwargs)


@pytest.fixture
def connects(monkeypatch):
    """Every address a socket was opened to (the guard must refuse before any)."""
    opened: list[tuple] = []
    real = socket.socket.connect

    def connect(sock, address):
        opened.append(address)
        return real(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    return opened


@pytest.mark.parametrize(
    "answer",
    [["169.254.169.254"], ["10.0.0.5", "169.254.169.254"], ["fd00:ec2::254"], ["fe80::1"]],
)
def test_a_name_resolving_to_a_forbidden_address_is_refused_before_connecting(
    monkeypatch, connects, answer
):
    """SSRF: every resolved address is checked before a socket is opened."""
    _Resolver(monkeypatch, {"sneaky.test": answer})
    http = HttpClient("http://sneaky.test:8989", KEY, max_retries=2)
    with pytest.raises(ForbiddenAddressError, match="resolves to"):
        http.get("/ping")
    assert connects == []
    assert http.request_count == 1  # refused, not retried


def test_the_connection_goes_to_the_checked_address_not_a_second_lookup(
    monkeypatch, fakearr_factory
):
    """SSRF (DNS rebinding): the name is resolved once and the checked address is used.

    The fake resolver answers the app's loopback address first and the metadata
    address afterwards; the request still reaches the app, from one lookup.
    """
    arr = fakearr_factory("sonarr", series=1, episodes_per_series=1)
    answers = iter([["127.0.0.1"]])
    resolver = _Resolver(monkeypatch, {"rebind.test": lambda: next(answers, ["169.254.169.254"])})
    http = HttpClient(f"http://rebind.test:{arr.port}", arr.api_key, max_retries=0)
    assert http.get_ping() == {"status": "OK"}
    assert resolver.lookups == ["rebind.test"]


def test_a_name_resolving_to_loopback_works_over_ipv6_and_ipv4(monkeypatch, fakearr_factory):
    """SSRF guard keeps the resolver's fallback: an address that refuses is skipped."""
    arr = fakearr_factory("sonarr", series=1, episodes_per_series=1)
    # The fake app listens on 127.0.0.1 only, so ::1 refuses and the next address is tried.
    _Resolver(monkeypatch, {"dual.test": ["::1", "127.0.0.1"]})
    http = HttpClient(f"http://dual.test:{arr.port}", arr.api_key, max_retries=0)
    assert http.get_ping() == {"status": "OK"}


def test_every_client_the_app_builds_goes_through_the_guard():
    """SSRF: health checks, syncs and dispatches share the one guarded HTTP session."""
    client = build_client("sonarr", "http://sonarr:8989", KEY, version="4.0.19.2979")
    assert isinstance(client.http.session.get_adapter("http://sonarr:8989/"), GuardedAdapter)
    assert isinstance(client.http.session.get_adapter("https://sonarr/"), GuardedAdapter)


def test_the_request_url_is_checked_again_at_send_time(monkeypatch):
    """SSRF: even a URL built past the normaliser is checked by the adapter itself."""
    http = HttpClient("http://sonarr:8989", KEY)
    monkeypatch.setattr(http, "base_url", "http://169.254.169.254")
    with responses.RequestsMock() as rsps, pytest.raises(ForbiddenAddressError):
        http.get("/latest/meta-data/")
    assert len(rsps.calls) == 0


def test_metadata_names_are_refused_even_through_a_proxy(monkeypatch, connects):
    """SSRF: with a proxy the name is checked here, since the proxy would resolve it."""
    _Resolver(monkeypatch, {"via-proxy.test": ["169.254.169.254"]})
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    http = HttpClient("http://via-proxy.test:8989", KEY, max_retries=0)
    assert http.session.proxies.get("http")
    with pytest.raises(ForbiddenAddressError):
        http.get("/ping")
    assert connects == []


def test_refusal_reasons_name_the_address_and_why():
    """SSRF: the message says what was refused, so a user can tell a typo from a block."""
    assert "metadata" in netguard.forbidden_reason(netguard.parse_ip("0xa9fea9fe"))
    assert "link-local" in netguard.forbidden_reason(netguard.parse_ip("169.254.1.1"))
    assert netguard.forbidden_reason(netguard.parse_ip("127.1")) is None
    assert netguard.parse_ip("127.1") == netguard.parse_ip("127.0.0.1")
    assert netguard.parse_ip("256.1.1.1") is None
    assert netguard.parse_ip("sonarr") is None


# -- the "Test connection" button --------------------------------------------------------


@pytest.fixture
def web(client, db):
    user = get_user_model().objects.create_user("admin", password="correct horse battery")
    client.force_login(user)
    return client


def _test_button(web, url: str):
    return web.post(
        reverse("connectors:add"),
        {
            "kind": "sonarr",
            "name": "Probe",
            "url": url,
            "api_key": KEY,
            "timeout_seconds": "5",
            "action": "test",
        },
    )


@pytest.mark.parametrize("url", ["http://169.254.169.254", "http://0xa9fea9fe:80"])
def test_the_test_button_refuses_a_metadata_url_without_a_request(web, url):
    """SSRF: the connection test never reaches the metadata service."""
    with responses.RequestsMock() as rsps:
        response = _test_button(web, url)
        assert len(rsps.calls) == 0
    assert response.status_code == 200
    assert "cloud metadata service" in response.content.decode()


def test_the_test_button_refuses_a_name_resolving_to_link_local(web, monkeypatch, connects):
    """SSRF: the button goes through the same resolve-and-check as every client call."""
    _Resolver(monkeypatch, {"sneaky.test": ["169.254.169.254"]})
    response = _test_button(web, "http://sneaky.test:8989")
    assert "resolves to 169.254.169.254" in response.content.decode()
    assert connects == []


@pytest.mark.parametrize("status", [200, 404, 500])
def test_the_test_never_echoes_a_body_that_is_not_the_apps_json_message(web, status):
    """SSRF (read side): an arbitrary body is never shown, whatever the status."""
    secret = "AKIAEXAMPLE-instance-credentials"
    with responses.RequestsMock() as rsps:
        rsps.get("http://10.0.0.9:8989/ping", body=f"token={secret}", status=status)
        response = _test_button(web, "http://10.0.0.9:8989")
    page = response.content.decode()
    assert secret not in page
    assert "token=" not in page


def test_the_apps_own_json_error_message_is_still_shown():
    """SSRF fix keeps the useful part: the *arr app's own JSON message."""
    with responses.RequestsMock() as rsps:
        rsps.get("http://10.0.0.9:8989/ping", json={"message": "Database is locked"}, status=500)
        result = health.probe(
            kind="sonarr", url="http://10.0.0.9:8989", api_key=KEY, interactive=True
        )
    assert "Database is locked" in result.error
